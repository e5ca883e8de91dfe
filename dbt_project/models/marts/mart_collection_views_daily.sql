-- Views per collection per day: a view is a distinct view_id among collection.opened
-- events, counted on the UTC day of its first open (a redelivered open is the same view).
with opens as (
    select * from {{ ref('int_activity_unioned') }}
    where action = 'collection.opened'
),

views as (
    select
        cloud_name,
        target_id as collection_id,
        coalesce(view_id, activity_id) as view_id,
        min(activity_date) as view_date
    from opens
    group by cloud_name, target_id, coalesce(view_id, activity_id)
),

final as (
    select
        view_date,
        cloud_name,
        collection_id,
        count(*) as views
    from views
    group by view_date, cloud_name, collection_id
)

select * from final

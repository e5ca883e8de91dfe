-- Collection and portal events in event-time order, with the assets each names.
with events as (
    select * from {{ ref('int_activity_unioned') }}
    where
        feed = 'dam_events'
        and (action like 'collection.%' or action like 'portal.%')
        and target_id is not null
),

final as (
    select
        activity_id,
        cloud_name,
        {{ dbt.split_part('action', "'.'", 1) }} as container_type,
        target_id as container_id,
        {{ dbt.split_part('action', "'.'", 2) }} as change,
        occurred_at,
        activity_date,
        details
    from events
)

select * from final

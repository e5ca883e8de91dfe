{#-
    Views per collection per day: a view is a distinct view_id among collection.opened
    events, counted on the UTC day of its first open (a redelivered open is the same view).
    Keyed by collection: a run recomputes, from all of their opens, the collections whose
    events it changes (int_containers_touched; macros/incremental.sql), so a late open
    that starts a view earlier moves it off its old day.
-#}
{{ config(
    materialized=arrival_window_materialization(),
    incremental_strategy='append',
    pre_hook="{{ delete_touched_collections() }}",
) }}
-- depends_on: {{ ref('int_containers_touched') }}

with opens as (
    select * from {{ ref('int_container_events') }}
    where {{ in_touched_collections(ref('int_container_events'), "change = 'opened'") }}
),

views as (
    select
        cloud_name,
        container_id as collection_id,
        coalesce(view_id, activity_id) as view_id,
        min(activity_date) as view_date
    from opens
    group by cloud_name, container_id, coalesce(view_id, activity_id)
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

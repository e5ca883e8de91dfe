{#-
    Every action once: DAM events as they come, notifications one row per asset. Loaded
    incrementally by arrival day: a run deletes the rows that first arrived in its window
    and inserts what staging now holds for it. Staging keeps the first delivery of all that
    is loaded, so a row stored from a later day is a redelivery that was loaded first (days
    backfilled out of order); the post-hook drops it. A late event lands on its own event day.
    Built whole (the first run, a full refresh, an engine without deletes), it takes every row.
-#}
{{ config(
    materialized=arrival_window_materialization(),
    incremental_strategy='append',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where {{ in_arrival_window('arrival_date') }}{% endif %}",
    post_hook="{% if is_incremental() %}delete from {{ this }} where not ({{ in_arrival_window('arrival_date') }}) and activity_id in (select activity_id from {{ this }} where {{ in_arrival_window('arrival_date') }}){% endif %}",
) }}

with events as (
    select * from {{ ref('stg_dam__events') }}
    where {{ in_loaded_window('arrival_date') }}
),

notification_assets as (
    select * from {{ ref('stg_dam__notification_assets') }}
    where {{ in_loaded_window('arrival_date') }}
),

dam_actions as (
    select
        event_id as activity_id,
        'dam_events' as feed,
        occurred_at,
        event_date as activity_date,
        cloud_name,
        actor_type,
        actor_id,
        action,
        target_type,
        target_id,
        cast(null as {{ dbt.type_string() }}) as asset_type,
        view_id,
        details,
        source_file,
        arrival_date
    from events
),

asset_actions as (
    select
        notification_asset_id as activity_id,
        'notifications' as feed,
        event_at as occurred_at,
        event_date as activity_date,
        cloud_name,
        case when action_source = 'user' then 'user' else 'api' end as actor_type,
        triggered_by_id as actor_id,
        notification_type as action,
        case when asset_id is not null then 'asset' end as target_type,
        asset_id as target_id,
        resource_type as asset_type,
        cast(null as {{ dbt.type_string() }}) as view_id,
        cast(null as {{ dbt.type_string() }}) as details,
        source_file,
        arrival_date
    from notification_assets
),

unioned as (
    select * from dam_actions
    union all
    select * from asset_actions
)

select * from unioned

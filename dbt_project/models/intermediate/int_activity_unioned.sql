{#-
    Every action once: DAM events as they come, notifications one row per asset. Keyed by
    the delivered record each action comes from (record_id: the event, or the notification;
    found by its hash): a run recomputes the records its arrival window touches
    (macros/incremental.sql), so a record first delivered on another day, or backfilled out
    of order, keeps its first delivery. A late event lands on its own event day. Both feeds
    are read for the same hashes, so that an event and a notification sharing one are
    replaced together.
-#}
{%- set delivered_in_window = activity_delivered_in_window() %}
{{ config(
    materialized=arrival_window_materialization(),
    incremental_strategy='delete+insert',
    unique_key='record_hash',
    pre_hook="{{ assert_key_hashes_current('record_id') }}",
    post_hook="{{ delete_keys_gone_from_window('record_id', window_keys(ref('stg_dam__events'), 'event_id') ~ ' union all ' ~ window_keys(ref('stg_dam__notifications'), 'notification_id')) }}",
) }}
-- The days this run changes, read before it replaces them.
-- depends_on: {{ ref('int_activity_days_touched') }}

with events as (
    select * from {{ ref('stg_dam__events') }}
    where {{ in_touched_rows(
        ref('stg_dam__events'), 'record_hash', upstream_window_keys=delivered_in_window
    ) }}
),

notification_assets as (
    select * from {{ ref('stg_dam__notification_assets') }}
    where {{ in_touched_rows(
        ref('stg_dam__notification_assets'), 'record_hash', upstream_window_keys=delivered_in_window
    ) }}
),

dam_actions as (
    select
        event_id as activity_id,
        event_id as record_id,
        record_hash,
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
        notification_id as record_id,
        record_hash,
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

-- Collection and portal events in event-time order, with the assets each names. Keyed by
-- the event (found by its hash): a run recomputes the events its arrival window touches
-- (macros/incremental.sql). container_hash, the hash of the container's key, lets the
-- container-keyed models find a run's touched containers without hashing every event's.
{{ config(
    materialized=arrival_window_materialization(),
    incremental_strategy='delete+insert',
    unique_key='record_hash',
    pre_hook="{{ assert_key_hashes_current('activity_id') }}",
    post_hook="{{ delete_keys_gone_from_window('activity_id', window_keys(ref('int_activity_unioned'), 'activity_id')) }}",
) }}
-- The containers this run changes, read before it replaces their events.
-- depends_on: {{ ref('int_containers_touched') }}

with events as (
    select * from {{ ref('int_activity_unioned') }}
    where
        {{ is_container_event() }}
        and {{ in_touched_rows(ref('int_activity_unioned'), 'record_hash') }}
),

final as (
    select
        activity_id,
        record_hash,
        cloud_name,
        {{ container_type() }} as container_type,
        target_id as container_id,
        {{ key_hash('cloud_name, ' ~ container_type() ~ ', target_id') }} as container_hash,
        {{ dbt.split_part('action', "'.'", 2) }} as change,
        occurred_at,
        activity_date,
        view_id,
        details,
        arrival_date
    from events
)

select * from final

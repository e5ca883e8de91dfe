-- One row per asset a notification names: the uploaded or renamed asset itself, or each
-- entry of `resources` (a list, or a map keyed by public_id). A table keyed by the
-- notification (by its key's hash): a run recomputes the notifications its arrival window
-- touches (macros/incremental.sql).
{{ config(
    materialized=arrival_window_materialization(),
    incremental_strategy='delete+insert',
    unique_key='record_hash',
    pre_hook="{{ assert_key_hashes_current('notification_id') }}",
    post_hook="{{ delete_keys_gone_from_window('notification_id', window_keys(ref('stg_dam__notifications'), 'notification_id')) }}",
) }}
{%- set touched = in_touched_rows(ref('stg_dam__notifications'), 'record_hash') %}
{%- set carried = [
    'notification_id', 'record_hash', 'cloud_name', 'notification_type', 'event_at', 'event_date',
    'action_source', 'triggered_by_id', 'arrival_date', 'source_file',
] | join(', ') %}

-- The notifications are read twice, each straight from their table (DuckDB would copy a
-- CTE used twice, payloads and all).
with entries as (
    -- Each entry of `resources`; a notification without any keeps one row, with none.
    select
        *,
        {{ unnest_list_outer(json_elements('payload', '$.resources')) }} as resource_json
    from {{ ref('stg_dam__notifications') }}
    where {{ touched }}
),

assets as (
    -- The entries, and a notification that names no asset at all: still one action, with
    -- no asset (its one row has no entry).
    select
        {{ carried }},
        {{ json_text('resource_json', '$.asset_id') }} as asset_id,
        {{ json_text('resource_json', '$.public_id') }} as public_id,
        {{ json_text('resource_json', '$.resource_type') }} as resource_type
    from entries
    where resource_json is not null or asset_id is null
    union all
    select
        {{ carried }},
        asset_id,
        public_id,
        resource_type
    from {{ ref('stg_dam__notifications') }}
    where asset_id is not null and {{ touched }}
),

final as (
    select
        {{ dbt.hash("notification_id || ':' || coalesce(asset_id, public_id, '')") }}
            as notification_asset_id,
        notification_id,
        record_hash,
        cloud_name,
        notification_type,
        event_at,
        event_date,
        action_source,
        triggered_by_id,
        asset_id,
        public_id,
        resource_type,
        arrival_date,
        source_file
    from assets
)

select distinct * from final

{#-
    A table, not a view: each consumer and test would otherwise rank the whole raw history
    again. A run recomputes the events its arrival window touches (macros/incremental.sql),
    found in raw by key_hash, the hash of event_id that the ingest stores, and replaces them
    by record_hash, the same hash: both lookups read 8 bytes a row, not the key string.
-#}
{{ config(
    materialized=arrival_window_materialization(),
    incremental_strategy='delete+insert',
    unique_key='record_hash',
    pre_hook=[
        "{{ assert_key_hashes_current('event_id') }}",
        "{{ assert_raw_key_hashes_current(source('dam', 'dam_events'), 'event_id') }}",
    ],
    post_hook="{{ delete_keys_gone_from_window('event_id', window_keys(source('dam', 'dam_events'), 'event_id')) }}",
) }}
{%- set payload_fields = {
    'actor_type': '$.actor.type',
    'actor_id': '$.actor.id',
    'target_type': '$.target.type',
    'target_id': '$.target.id',
    'details': '$.details',
    'view_id': '$.details.view_id',
} %}

with source as (
    select * from {{ source('dam', 'dam_events') }}
    where {{ in_touched_rows(
        source('dam', 'dam_events'), 'event_id', stored_hash='key_hash'
    ) }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by event_id order by arrival_date, source_file, line_number
        ) as delivery_rank,
        count(*) over (partition by event_id) as deliveries
    from source
),

parsed as (
    -- The first deliveries, each payload parsed once for all its fields.
    {{ select_json_fields('ranked', 'payload', payload_fields, where='delivery_rank = 1') }}
),

final as (
    select
        event_id,
        {{ key_hash('event_id') }} as record_hash,
        occurred_at,
        cast(occurred_at as date) as event_date,
        nullif(cloud_name, '') as cloud_name,
        actor_type,
        actor_id,
        action,
        target_type,
        target_id,
        details,
        view_id,
        deliveries,
        arrival_date,
        arrival_date > cast(occurred_at as date) as arrived_late,
        source_file,
        line_number
    from parsed
)

select * from final

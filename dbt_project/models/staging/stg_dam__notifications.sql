{#-
    A table, not a view: each consumer and test would otherwise rank the whole raw history
    again. A run recomputes the notifications its arrival window touches
    (macros/incremental.sql).
-#}
{{ config(
    materialized=arrival_window_materialization(),
    incremental_strategy='delete+insert',
    unique_key='notification_id',
    pre_hook=[
        "{{ assert_key_hashes_current('notification_id') }}",
        "{{ assert_raw_key_hashes_current(source('dam', 'notifications'), 'cloud_name, payload_hash') }}",
    ],
    post_hook="{{ delete_keys_gone_from_window('cloud_name, payload_hash', window_keys(source('dam', 'notifications'), 'cloud_name, payload_hash')) }}",
) }}
{%- set payload_fields = {
    'triggered_by_source': '$.notification_context.triggered_by.source',
    'triggered_by_id': '$.notification_context.triggered_by.id',
    'asset_id': '$.asset_id',
    'public_id': '$.public_id',
    'resource_type': '$.resource_type',
    'bytes': '$.bytes',
    'asset_format': '$.format',
} %}

with source as (
    select * from {{ source('dam', 'notifications') }}
    where {{ in_touched_rows(
        source('dam', 'notifications'), 'cloud_name, payload_hash', stored_hash='key_hash'
    ) }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by cloud_name, payload_hash order by arrival_date, source_file, line_number
        ) as delivery_rank,
        count(*) over (partition by cloud_name, payload_hash) as deliveries
    from source
),

parsed as (
    -- The first deliveries, each payload parsed once for all its fields.
    {{ select_json_fields('ranked', 'payload', payload_fields, where='delivery_rank = 1') }}
),

catalogue as (
    select action
    from {{ ref('action_catalogue') }}
    where feed = 'notifications'
),

identified as (
    select
        {{ dbt.hash("cloud_name || ':' || payload_hash") }} as notification_id,
        *
    from parsed
),

final as (
    select
        identified.notification_id,
        {{ key_hash('identified.notification_id') }} as record_hash,
        identified.cloud_name,
        identified.payload_hash,
        coalesce(catalogue.action, 'other') as notification_type,
        identified.notification_type as delivered_notification_type,
        identified.event_at,
        cast(identified.event_at as date) as event_date,
        identified.triggered_by_source,
        identified.triggered_by_id,
        case when identified.triggered_by_source = 'ui' then 'user' else 'api' end as action_source,
        identified.asset_id,
        {{ key_hash('identified.cloud_name, identified.asset_id') }} as asset_hash,
        identified.public_id,
        identified.resource_type,
        cast(identified.bytes as bigint) as bytes,
        identified.asset_format,
        identified.payload,
        identified.deliveries,
        identified.arrival_date,
        identified.arrival_date > cast(identified.event_at as date) as arrived_late,
        identified.source_file,
        identified.line_number
    from identified
    left join catalogue on identified.notification_type = catalogue.action
)

select * from final

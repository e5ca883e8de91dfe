{#-
    A table, not a view: each consumer and test would otherwise rank the whole raw history
    again. A run recomputes the notifications its arrival window touches
    (macros/incremental.sql).
-#}
{{ config(
    materialized=arrival_window_materialization(),
    incremental_strategy='delete+insert',
    unique_key='notification_id',
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
    where {{ in_touched_rows(source('dam', 'notifications'), 'cloud_name, payload_hash') }}
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

final as (
    select
        {{ dbt.hash("parsed.cloud_name || ':' || parsed.payload_hash") }} as notification_id,
        parsed.cloud_name,
        parsed.payload_hash,
        coalesce(catalogue.action, 'other') as notification_type,
        parsed.notification_type as delivered_notification_type,
        parsed.event_at,
        cast(parsed.event_at as date) as event_date,
        parsed.triggered_by_source,
        parsed.triggered_by_id,
        case when parsed.triggered_by_source = 'ui' then 'user' else 'api' end as action_source,
        parsed.asset_id,
        parsed.public_id,
        parsed.resource_type,
        cast(parsed.bytes as bigint) as bytes,
        parsed.asset_format,
        parsed.payload,
        parsed.deliveries,
        parsed.arrival_date,
        parsed.arrival_date > cast(parsed.event_at as date) as arrived_late,
        parsed.source_file,
        parsed.line_number
    from parsed
    left join catalogue on parsed.notification_type = catalogue.action
)

select * from final

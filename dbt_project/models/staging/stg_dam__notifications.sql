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
        count(*) over (partition by cloud_name, payload_hash) as deliveries,
        {{ json_text('payload', '$.notification_context.triggered_by.source') }}
            as triggered_by_source
    from source
),

catalogue as (
    select action
    from {{ ref('action_catalogue') }}
    where feed = 'notifications'
),

final as (
    select
        {{ dbt.hash("ranked.cloud_name || ':' || ranked.payload_hash") }} as notification_id,
        ranked.cloud_name,
        ranked.payload_hash,
        coalesce(catalogue.action, 'other') as notification_type,
        ranked.notification_type as delivered_notification_type,
        ranked.event_at,
        cast(ranked.event_at as date) as event_date,
        ranked.triggered_by_source,
        {{ json_text('ranked.payload', '$.notification_context.triggered_by.id') }}
            as triggered_by_id,
        case when ranked.triggered_by_source = 'ui' then 'user' else 'api' end as action_source,
        {{ json_text('ranked.payload', '$.asset_id') }} as asset_id,
        {{ json_text('ranked.payload', '$.public_id') }} as public_id,
        {{ json_text('ranked.payload', '$.resource_type') }} as resource_type,
        cast({{ json_text('ranked.payload', '$.bytes') }} as bigint) as bytes,
        {{ json_text('ranked.payload', '$.format') }} as asset_format,
        ranked.payload,
        ranked.deliveries,
        ranked.arrival_date,
        ranked.arrival_date > cast(ranked.event_at as date) as arrived_late,
        ranked.source_file,
        ranked.line_number
    from ranked
    left join catalogue on ranked.notification_type = catalogue.action
    where ranked.delivery_rank = 1
)

select * from final

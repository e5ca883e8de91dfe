{#-
    A table, not a view: each consumer and test would otherwise rank the whole raw history
    again. A run recomputes the events its arrival window touches (macros/incremental.sql).
-#}
{{ config(
    materialized=arrival_window_materialization(),
    incremental_strategy='delete+insert',
    unique_key='event_id',
    post_hook="{{ delete_keys_gone_from_window('event_id', window_keys(source('dam', 'dam_events'), 'event_id')) }}",
) }}

with source as (
    select * from {{ source('dam', 'dam_events') }}
    where {{ in_touched_rows(source('dam', 'dam_events'), 'event_id') }}
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

final as (
    select
        event_id,
        occurred_at,
        cast(occurred_at as date) as event_date,
        nullif(cloud_name, '') as cloud_name,
        {{ json_text('payload', '$.actor.type') }} as actor_type,
        {{ json_text('payload', '$.actor.id') }} as actor_id,
        action,
        {{ json_text('payload', '$.target.type') }} as target_type,
        {{ json_text('payload', '$.target.id') }} as target_id,
        {{ json_text('payload', '$.details') }} as details,
        {{ json_text('payload', '$.details.view_id') }} as view_id,
        deliveries,
        arrival_date,
        arrival_date > cast(occurred_at as date) as arrived_late,
        source_file,
        line_number
    from ranked
    where delivery_rank = 1
)

select * from final

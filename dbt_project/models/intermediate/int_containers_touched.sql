{#-
    The collections and portals this run changes in int_container_events, so that the
    container state replays those only: the containers of the stored events that model is
    about to replace, and of the events it will write. It runs before int_container_events
    (which depends on it) and reads that table's stored rows (source `stored`). The records
    touched are the ones int_container_events recomputes (macros/incremental.sql): those
    delivered in the window, and those it stored from the window. Built whole, or with
    nothing stored yet, every container is touched. Like int_activity_days_touched, it
    describes the latest run and lives apart from the layers.
-#}
{{ config(schema='run_state') }}
{%- set stored = existing_relation(source('stored', 'int_container_events')) %}
{%- set by_window = recomputes_window(stored) %}

with
{%- if by_window %}
touched_records as (
    {{ window_keys(ref('int_activity_unioned'), 'record_hash') }}
    union all
    {{ window_keys(stored, 'record_hash') }}
),
{%- endif %}

activity as (
    select * from {{ ref('int_activity_unioned') }}
    {%- if by_window %}
    -- By rowid: the actions of the few records touched are read, not of every record.
    where rowid in (
        select rowid from {{ ref('int_activity_unioned') }}
        where record_hash in (select record_hash from touched_records)
    )
    {%- endif %}
),

containers as (
    select
        cloud_name,
        {{ container_type() }} as container_type,
        target_id as container_id
    from activity
    where
        {{ is_container_event() }}
    {%- if by_window %}
    union all
    select
        cloud_name,
        container_type,
        container_id
    from {{ stored }}
    where record_hash in (select record_hash from touched_records)
    {%- endif %}
),

final as (
    select distinct * from containers
)

select * from final

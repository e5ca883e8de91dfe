{#-
    The activity days this run changes in int_activity_unioned, so that the day-grained
    marts recompute those days only: the days of the stored rows that model is about to
    replace, and the days of the rows it will write. It runs before int_activity_unioned
    (which depends on it) and reads that table's stored rows (source `stored`). The records
    touched are the ones int_activity_unioned recomputes (macros/incremental.sql): those
    delivered in the window, and those it stored from the window. Built whole, or with
    nothing stored yet, every activity day is touched. Its rows describe the latest run,
    not the history, so it lives apart from the layers.
-#}
{{ config(schema='run_state') }}
{%- set stored = existing_relation(source('stored', 'int_activity_unioned')) %}
{%- set by_window = recomputes_window(stored) %}

with
{%- if by_window %}
touched_records as (
    {{ activity_delivered_in_window() }}
    union all
    {{ window_keys(stored, 'record_hash') }}
),
{%- endif %}

days as (
    select event_date as activity_date from {{ ref('stg_dam__events') }}
    {%- if by_window %} where record_hash in (select record_hash from touched_records){% endif %}
    union all
    select event_date from {{ ref('stg_dam__notification_assets') }}
    {%- if by_window %} where record_hash in (select record_hash from touched_records){% endif %}
    {%- if by_window %}
    union all
    select activity_date from {{ stored }}
    where record_hash in (select record_hash from touched_records)
    {%- endif %}
),

final as (
    select distinct activity_date from days
)

select * from final

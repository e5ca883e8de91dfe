{#- One row per day from start to end (both included), as column `calendar_date`. -#}
{% macro calendar_days(start_expression, end_expression) -%}
    {{ return(adapter.dispatch('calendar_days', 'dam_usage')(start_expression, end_expression)) }}
{%- endmacro %}

{% macro default__calendar_days(start_expression, end_expression) -%}
    select cast(unnest(generate_series(
        cast({{ start_expression }} as date), cast({{ end_expression }} as date), interval 1 day
    )) as date) as calendar_date
{%- endmacro %}

{% macro spark__calendar_days(start_expression, end_expression) -%}
    select explode(sequence(
        cast({{ start_expression }} as date), cast({{ end_expression }} as date), interval 1 day
    )) as calendar_date
{%- endmacro %}

{#- A bound of this run's arrival window (name: min or max). Dagster passes the window in the
    environment (DAM_MIN_ARRIVAL_DATE, DAM_MAX_ARRIVAL_DATE), read only when a node runs:
    as --vars it would change dbt's variables on every run, and dbt then parses the whole
    project again instead of reusing its last parse. Without them, the variables hold the
    window (`dbt build --vars '{"min_arrival_date": ...}'`; by default every day). -#}
{% macro arrival_window_bound(name) -%}
    {%- set from_vars = var(name ~ '_arrival_date') -%}
    {{- return(env_var('DAM_' ~ (name | upper) ~ '_ARRIVAL_DATE', from_vars) if execute else from_vars) -}}
{%- endmacro %}

{#- The arrival-day window of this run, half-open: [min_arrival_date, max_arrival_date). -#}
{% macro in_arrival_window(column) -%}
    {{ column }} >= cast('{{ arrival_window_bound("min") }}' as date)
    and {{ column }} < cast('{{ arrival_window_bound("max") }}' as date)
{%- endmacro %}

{#- Rows whose arrival days [first_arrival_date, last_arrival_date] meet this run's window. -#}
{% macro arrival_span_in_window() -%}
    first_arrival_date < cast('{{ arrival_window_bound("max") }}' as date)
    and last_arrival_date >= cast('{{ arrival_window_bound("min") }}' as date)
{%- endmacro %}

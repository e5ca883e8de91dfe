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

{#- The arrival-day window of this run, half-open: [min_arrival_date, max_arrival_date). -#}
{% macro in_arrival_window(column) -%}
    {{ column }} >= cast('{{ var("min_arrival_date") }}' as date)
    and {{ column }} < cast('{{ var("max_arrival_date") }}' as date)
{%- endmacro %}

{#- Rows whose arrival days [first_arrival_date, last_arrival_date] meet this run's window. -#}
{% macro arrival_span_in_window() -%}
    first_arrival_date < cast('{{ var("max_arrival_date") }}' as date)
    and last_arrival_date >= cast('{{ var("min_arrival_date") }}' as date)
{%- endmacro %}

{#- How a model loaded by arrival day keeps its rows. DuckDB deletes the window's rows and
    appends them again (see int_activity_unioned); Spark's plain Parquet tables cannot
    delete rows, so there the model is rebuilt whole on every run. -#}
{% macro arrival_window_materialization() -%}
    {{ return(adapter.dispatch('arrival_window_materialization', 'dam_usage')()) }}
{%- endmacro %}

{% macro default__arrival_window_materialization() -%}
    {{ return('incremental') }}
{%- endmacro %}

{% macro spark__arrival_window_materialization() -%}
    {{ return('table') }}
{%- endmacro %}

{#- The rows of this run's arrival window, or every row when the model is built whole. -#}
{% macro in_loaded_window(column) -%}
    {%- if is_incremental() -%}{{ in_arrival_window(column) }}{%- else -%}true{%- endif -%}
{%- endmacro %}

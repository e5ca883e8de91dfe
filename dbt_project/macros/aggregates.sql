{#- A group's values of a text column, sorted and joined by a delimiter. dbt's listagg
    takes the order on DuckDB, but dbt-spark ignores it. -#}
{% macro sorted_listagg(measure, delimiter_text) -%}
    {{ return(adapter.dispatch('sorted_listagg', 'dam_usage')(measure, delimiter_text)) }}
{%- endmacro %}

{% macro default__sorted_listagg(measure, delimiter_text) -%}
    {{ dbt.listagg(measure, delimiter_text, "order by " ~ measure) }}
{%- endmacro %}

{% macro spark__sorted_listagg(measure, delimiter_text) -%}
    array_join(array_sort(collect_list({{ measure }})), {{ delimiter_text }})
{%- endmacro %}

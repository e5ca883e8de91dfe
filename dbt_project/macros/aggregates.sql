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

{#- The count of one metric from a long table of (metric, value) rows, as a BIGINT column
    (DuckDB sums integers to HUGEINT, which BI drivers map badly). -#}
{% macro metric_count(metric, value_column='subjects') -%}
    cast(sum(case when metric = '{{ metric }}' then {{ value_column }} else 0 end)
        as {{ dbt.type_bigint() }})
{%- endmacro %}

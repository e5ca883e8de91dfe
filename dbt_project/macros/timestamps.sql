{#- An ISO 8601 text as a UTC timestamp: an offset is applied, a time without one is UTC. -#}
{% macro utc_timestamp(text_expression) -%}
    {{ return(adapter.dispatch('utc_timestamp', 'dam_usage')(text_expression)) }}
{%- endmacro %}

{% macro default__utc_timestamp(text_expression) -%}
    cast(cast({{ text_expression }} as timestamp with time zone) as timestamp)
{%- endmacro %}

{#- Spark's timestamp is an instant, shown in the session time zone, which is UTC. -#}
{% macro spark__utc_timestamp(text_expression) -%}
    cast({{ text_expression }} as timestamp)
{%- endmacro %}

{#- The activity rows that are collection and portal events (indented for a `where` of a
    CTE), and the type of container each names. -#}
{% macro is_container_event() -%}
    feed = 'dam_events'
        and (action like 'collection.%' or action like 'portal.%')
        and target_id is not null
{%- endmacro %}

{% macro container_type() -%}
    {{ dbt.split_part('action', "'.'", 1) }}
{%- endmacro %}

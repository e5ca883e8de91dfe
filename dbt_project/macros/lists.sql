{#- One row per element of a list, in the select list of a query (null or empty: no row). -#}
{% macro unnest_list(list_expression) -%}
    {{ return(adapter.dispatch('unnest_list', 'dam_usage')(list_expression)) }}
{%- endmacro %}

{% macro default__unnest_list(list_expression) -%}
    unnest({{ list_expression }})
{%- endmacro %}

{% macro spark__unnest_list(list_expression) -%}
    explode({{ list_expression }})
{%- endmacro %}

{#- As unnest_list, but a null or empty list gives one row with null. -#}
{% macro unnest_list_outer(list_expression) -%}
    {{ return(adapter.dispatch('unnest_list_outer', 'dam_usage')(list_expression)) }}
{%- endmacro %}

{% macro default__unnest_list_outer(list_expression) -%}
    unnest(coalesce(nullif({{ list_expression }}, []), [null]))
{%- endmacro %}

{% macro spark__unnest_list_outer(list_expression) -%}
    explode_outer({{ list_expression }})
{%- endmacro %}

{#- The n-th item (from 1) of a list. -#}
{% macro list_item(list_expression, position) -%}
    {{ return(adapter.dispatch('list_item', 'dam_usage')(list_expression, position)) }}
{%- endmacro %}

{% macro default__list_item(list_expression, position) -%}
    {{ list_expression }}[{{ position }}]
{%- endmacro %}

{% macro spark__list_item(list_expression, position) -%}
    element_at({{ list_expression }}, {{ position }})
{%- endmacro %}

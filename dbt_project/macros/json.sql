{#- Engine-specific JSON access, one macro per concern; models call these and stay portable. -#}

{#- The text at a JSON path ($.a.b) of a JSON string column; null when absent. -#}
{% macro json_text(column, path) -%}
    {{ return(adapter.dispatch('json_text', 'dam_usage')(column, path)) }}
{%- endmacro %}

{% macro default__json_text(column, path) -%}
    json_extract_string({{ column }}, '{{ path }}')
{%- endmacro %}

{% macro spark__json_text(column, path) -%}
    get_json_object({{ column }}, '{{ path }}')
{%- endmacro %}

{#- The elements of a JSON list (or the values of a JSON object) at a path, as a list of
    JSON texts (a string element keeps its quotes), ready for unnest_list. -#}
{% macro json_elements(column, path) -%}
    {{ return(adapter.dispatch('json_elements', 'dam_usage')(column, path)) }}
{%- endmacro %}

{% macro default__json_elements(column, path) -%}
    case json_type({{ column }}, '{{ path }}')
        when 'ARRAY' then json_extract({{ column }}, '{{ path }}[*]')::varchar[]
        when 'OBJECT' then json_extract({{ column }}, '{{ path }}.*')::varchar[]
    end
{%- endmacro %}

{% macro spark__json_elements(column, path) -%}
    {%- set value = "variant_get(parse_json(" ~ column ~ "), '" ~ path ~ "')" -%}
    case
        when startswith(schema_of_variant({{ value }}), 'ARRAY')
            then transform(cast({{ value }} as array<variant>), element -> to_json(element))
        when startswith(schema_of_variant({{ value }}), 'OBJECT')
            then transform(
                map_values(cast({{ value }} as map<string, variant>)), element -> to_json(element)
            )
    end
{%- endmacro %}

{#- The keys of the JSON object at a path, as a list of strings. -#}
{% macro json_keys_at(column, path) -%}
    {{ return(adapter.dispatch('json_keys_at', 'dam_usage')(column, path)) }}
{%- endmacro %}

{% macro default__json_keys_at(column, path) -%}
    json_keys({{ column }}, '{{ path }}')
{%- endmacro %}

{% macro spark__json_keys_at(column, path) -%}
    json_object_keys(get_json_object({{ column }}, '{{ path }}'))
{%- endmacro %}

{#- The JSON value under a key given by a SQL expression (not a literal path). -#}
{% macro json_member(column, key_expression) -%}
    {{ return(adapter.dispatch('json_member', 'dam_usage')(column, key_expression)) }}
{%- endmacro %}

{% macro default__json_member(column, key_expression) -%}
    json_extract({{ column }}, '$."' || {{ key_expression }} || '"')::varchar
{%- endmacro %}

{% macro spark__json_member(column, key_expression) -%}
    from_json({{ column }}, 'map<string, string>')[{{ key_expression }}]
{%- endmacro %}

{#- The rows of `relation` (a CTE) matching `where`, with the texts of a JSON string column
    at several paths from one parse: `fields` maps each new column to its path. -#}
{% macro select_json_fields(relation, column, fields, where='true') -%}
    select
        *,
        {%- for name in fields %}
            {{ list_item('json_texts', loop.index) }} as {{ name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from (
        select
            *,
            {{ json_texts(column, fields.values() | list) }} as json_texts
        from {{ relation }}
        where {{ where }}
    ) as parsed_once
{%- endmacro %}

{% macro json_texts(column, paths) -%}
    {{ return(adapter.dispatch('json_texts', 'dam_usage')(column, paths)) }}
{%- endmacro %}

{% macro default__json_texts(column, paths) -%}
    json_extract_string({{ column }}, [
        {%- for path in paths %}'{{ path }}'{% if not loop.last %}, {% endif %}{% endfor -%}
    ])
{%- endmacro %}

{% macro spark__json_texts(column, paths) -%}
    array(
        {%- for path in paths -%}
            get_json_object({{ column }}, '{{ path }}'){% if not loop.last %}, {% endif %}
        {%- endfor -%}
    )
{%- endmacro %}

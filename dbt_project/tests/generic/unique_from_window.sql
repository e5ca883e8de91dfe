{#- Fails with every value of column_name that occurs more than once among the rows of the
    run's arrival window (any of arrival_columns in it) and every stored row sharing their
    value, so a window's row that repeats an older one fails too. An increment checks what
    it wrote without grouping the whole history; a run whose window holds every row (a
    first build) or that rebuilt the table (a full refresh) checks the whole table.
    narrowed_by names a column on which rows sharing a value of column_name always agree
    too (the hash of the record they come from): the stored rows are found by it, which
    is cheaper to read. -#}
{% test unique_from_window(model, column_name, arrival_columns=['arrival_date'], narrowed_by=none) %}
{%- set from_window -%}
    ({% for column in arrival_columns %}({{ in_arrival_window(column) }}){% if not loop.last %} or {% endif %}{% endfor %})
{%- endset -%}
{%- set probe = narrowed_by or column_name -%}
{%- set checks_window = execute and not flags.FULL_REFRESH and run_query(
    'select 1 from ' ~ model ~ ' where not coalesce(' ~ from_window ~ ', false) limit 1'
).rows | length > 0 -%}
{%- set sharing_a_window_key -%}
    {{ probe }} in (select {{ probe }} from {{ model }} where {{ from_window }})
{%- endset -%}
{{ repeated_combinations(model, [column_name], sharing_a_window_key if checks_window else none) }}
{% endtest %}

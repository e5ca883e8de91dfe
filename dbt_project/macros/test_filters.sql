{#- dbt's `where` config of a data test, with {min_arrival_date} and {max_arrival_date}
    standing for this run's window (arrival_window_bound). dbt renders a test's config when
    it parses the project, before any run's window is known; the placeholders are filled in
    when the test runs. -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- set where = where
            | replace('{min_arrival_date}', arrival_window_bound('min'))
            | replace('{max_arrival_date}', arrival_window_bound('max')) -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}

{#- The body of the project's uniqueness tests: every combination of `columns` (a list)
    that occurs more than once among the rows of `relation` that `where` keeps. -#}
{% macro repeated_combinations(relation, columns, where=none) -%}
select {{ columns | join(', ') }}, count(*) as occurrences
from {{ relation }}
{% if where -%}
where {{ where }}
{% endif -%}
group by {{ columns | join(', ') }}
having count(*) > 1
{%- endmacro %}

{#- Fails with every combination of the given columns that occurs more than once. -#}
{% test unique_combination(model, columns) %}
{{ repeated_combinations(model, columns) }}
{% endtest %}

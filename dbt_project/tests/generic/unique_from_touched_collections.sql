{#- Fails with every combination of the given columns that occurs more than once among the
    rows of the collections in the run's container list (int_containers_touched): the only
    rows a collection-keyed mart replaces, so an increment checks what it wrote without
    grouping the whole mart. A run that builds the list whole (a first build, a full
    refresh) names every collection; a full refresh of the mart alone checks all of it. -#}
{% test unique_from_touched_collections(model, columns) %}
{{ repeated_combinations(
    model,
    columns,
    where=none if flags.FULL_REFRESH else key_in(
        'cloud_name, collection_id',
        touched_keys(
            ref('int_containers_touched'),
            'cloud_name, container_id',
            "touched.container_type = 'collection'",
        ),
    ),
) }}
{% endtest %}

{#-
    When each collection was published, as day intervals: published at the end of day D
    when published_from <= D and (published_to is null or published_to > D). The base of
    the "all published collections" download. Keyed by collection: a run recomputes the
    collections whose events it changes (int_containers_touched; macros/incremental.sql).
-#}
{{ config(
    materialized=arrival_window_materialization(),
    incremental_strategy='append',
    pre_hook="{{ delete_touched_collections() }}",
) }}
-- depends_on: {{ ref('int_containers_touched') }}

with intervals as (
    select * from {{ ref('int_container_state_intervals') }}
    where {{ in_touched_collections(
        ref('int_container_state_intervals'), "metric = 'published_containers'"
    ) }}
),

creations as (
    select * from {{ ref('int_container_events') }}
    where {{ in_touched_collections(ref('int_container_events'), "change = 'created'") }}
),

names as (
    select
        cloud_name,
        container_id as collection_id,
        max({{ json_text('details', '$.name') }}) as collection_name
    from creations
    group by cloud_name, container_id
),

final as (
    select
        intervals.cloud_name,
        intervals.subject_id as collection_id,
        names.collection_name,
        intervals.from_date as published_from,
        intervals.to_date as published_to
    from intervals
    left join names
        on
            intervals.cloud_name = names.cloud_name
            and intervals.subject_id = names.collection_id
)

select * from final

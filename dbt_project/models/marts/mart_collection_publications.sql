-- When each collection was published, as day intervals: published at the end of day D
-- when published_from <= D and (published_to is null or published_to > D). The base of
-- the "all published collections" download.
with intervals as (
    select * from {{ ref('int_container_state_intervals') }}
    where container_type = 'collection' and metric = 'published_containers'
),

names as (
    select
        target_id as collection_id,
        cloud_name,
        max({{ json_text('details', '$.name') }}) as collection_name
    from {{ ref('int_activity_unioned') }}
    where action = 'collection.created'
    group by target_id, cloud_name
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

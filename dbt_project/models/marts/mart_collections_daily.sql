-- Collections at the end of each day, per product environment.
with counts as (
    select * from {{ ref('int_container_daily_counts') }}
    where container_type = 'collection'
),

final as (
    select
        calendar_date,
        cloud_name,
        {{ metric_count('containers') }} as collections,
        {{ metric_count('assets_in_containers') }} as assets_in_collections,
        {{ metric_count('published_containers') }} as published_collections,
        {{ metric_count('assets_in_published') }} as assets_in_published_collections
    from counts
    group by calendar_date, cloud_name
)

select * from final

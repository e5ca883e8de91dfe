-- Collections at the end of each day, per product environment.
with counts as (
    select * from {{ ref('int_container_daily_counts') }}
    where container_type = 'collection'
),

final as (
    select
        calendar_date,
        cloud_name,
        sum(case when metric = 'containers' then subjects else 0 end) as collections,
        sum(case when metric = 'assets_in_containers' then subjects else 0 end)
            as assets_in_collections,
        sum(case when metric = 'published_containers' then subjects else 0 end)
            as published_collections,
        sum(case when metric = 'assets_in_published' then subjects else 0 end)
            as assets_in_published_collections
    from counts
    group by calendar_date, cloud_name
)

select * from final

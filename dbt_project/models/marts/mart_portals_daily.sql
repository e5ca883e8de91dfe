-- Portals at the end of each day, per product environment: live ones and their assets.
with counts as (
    select * from {{ ref('int_container_daily_counts') }}
    where container_type = 'portal'
),

final as (
    select
        calendar_date,
        cloud_name,
        sum(case when metric = 'containers' then subjects else 0 end) as portals,
        sum(case when metric = 'published_containers' then subjects else 0 end) as live_portals,
        sum(case when metric = 'assets_in_published' then subjects else 0 end)
            as assets_in_live_portals
    from counts
    group by calendar_date, cloud_name
)

select * from final

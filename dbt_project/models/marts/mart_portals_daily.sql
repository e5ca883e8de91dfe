-- Portals at the end of each day, per product environment: live ones and their assets.
with counts as (
    select * from {{ ref('int_container_daily_counts') }}
    where container_type = 'portal'
),

final as (
    select
        calendar_date,
        cloud_name,
        {{ metric_count('containers') }} as portals,
        {{ metric_count('published_containers') }} as live_portals,
        {{ metric_count('assets_in_published') }} as assets_in_live_portals
    from counts
    group by calendar_date, cloud_name
)

select * from final

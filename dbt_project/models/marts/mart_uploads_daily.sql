-- Uploads per day, product environment, upload source (api / user) and asset type, with
-- a zero for every combination without uploads, and the past 7 days as of the end of
-- each day: on day D, the days D - 6 to D.
with uploads as (
    select
        *,
        case when actor_type = 'user' then 'user' else 'api' end as upload_source
    from {{ ref('int_activity_unioned') }}
    where action = 'upload'
),

counted as (
    select
        activity_date,
        cloud_name,
        upload_source,
        asset_type,
        count(*) as uploads
    from uploads
    group by activity_date, cloud_name, upload_source, asset_type
),

asset_types as (
    select asset_type from {{ ref('asset_types') }}
    union
    select asset_type from counted
    where asset_type is not null
),

sources as (
    select listed.upload_source from (values ('api'), ('user')) as listed (upload_source)
),

grid as (
    select
        calendar.calendar_date,
        environments.cloud_name,
        sources.upload_source,
        types.asset_type
    from {{ ref('int_calendar') }} as calendar
    cross join {{ ref('int_environments') }} as environments
    cross join sources
    cross join asset_types as types
),

final as (
    select
        grid.calendar_date,
        grid.cloud_name,
        grid.upload_source,
        grid.asset_type,
        coalesce(counted.uploads, 0) as uploads,
        cast(sum(coalesce(counted.uploads, 0)) over (
            partition by grid.cloud_name, grid.upload_source, grid.asset_type
            order by grid.calendar_date
            rows between 6 preceding and current row
        ) as {{ dbt.type_bigint() }}) as uploads_past_7_days
    from grid
    left join counted
        on
            grid.calendar_date = counted.activity_date
            and grid.cloud_name = counted.cloud_name
            and grid.upload_source = counted.upload_source
            and grid.asset_type = counted.asset_type
)

select * from final

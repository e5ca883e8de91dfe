-- Assets stored at the end of each day, per product environment and asset type.
with assets as (
    select * from {{ ref('dim_assets') }}
),

deltas as (
    select
        cloud_name,
        asset_type,
        uploaded_date as calendar_date,
        1 as assets,
        bytes
    from assets
    union all
    select
        cloud_name,
        asset_type,
        deleted_date as calendar_date,
        -1 as assets,
        -bytes as bytes
    from assets
    where deleted_date is not null
),

daily_deltas as (
    select
        cloud_name,
        asset_type,
        calendar_date,
        sum(assets) as assets,
        sum(bytes) as bytes
    from deltas
    group by cloud_name, asset_type, calendar_date
),

grid as (
    select
        calendar.calendar_date,
        environments.cloud_name,
        types.asset_type
    from {{ ref('int_calendar') }} as calendar
    cross join {{ ref('int_environments') }} as environments
    cross join {{ ref('asset_types') }} as types
),

final as (
    select
        grid.calendar_date,
        grid.cloud_name,
        grid.asset_type,
        cast(sum(coalesce(daily_deltas.assets, 0)) over running as {{ dbt.type_bigint() }}) as asset_count,
        cast(sum(coalesce(daily_deltas.bytes, 0)) over running as {{ dbt.type_bigint() }}) as total_bytes
    from grid
    left join daily_deltas
        on
            grid.calendar_date = daily_deltas.calendar_date
            and grid.cloud_name = daily_deltas.cloud_name
            and grid.asset_type = daily_deltas.asset_type
    window running as (
        partition by grid.cloud_name, grid.asset_type
        order by grid.calendar_date
        rows between unbounded preceding and current row
    )
)

select * from final

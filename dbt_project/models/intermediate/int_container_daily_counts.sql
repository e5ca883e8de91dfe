{#-
    Daily counts of the container state, per product environment, container type and
    metric, for every day of the calendar: the subjects whose island holds that day (an
    asset in two collections counts once).
-#}
with islands as (
    select * from {{ ref('int_container_subject_islands') }}
),

deltas as (
    select
        cloud_name,
        container_type,
        metric,
        from_date as calendar_date,
        1 as delta
    from islands
    union all
    select
        cloud_name,
        container_type,
        metric,
        to_date as calendar_date,
        -1 as delta
    from islands
    where to_date is not null
),

daily_deltas as (
    select
        cloud_name,
        container_type,
        metric,
        calendar_date,
        sum(delta) as delta
    from deltas
    group by cloud_name, container_type, metric, calendar_date
),

container_types as (
    select listed.container_type
    from (values ('collection'), ('portal')) as listed (container_type)
),

metrics as (
    select listed.metric
    from (
        values
        ('containers'), ('published_containers'), ('assets_in_containers'), ('assets_in_published')
    ) as listed (metric)
),

grid as (
    select
        calendar.calendar_date,
        environments.cloud_name,
        container_types.container_type,
        metrics.metric
    from {{ ref('int_calendar') }} as calendar
    cross join {{ ref('int_environments') }} as environments
    cross join container_types
    cross join metrics
),

final as (
    select
        grid.calendar_date,
        grid.cloud_name,
        grid.container_type,
        grid.metric,
        sum(coalesce(daily_deltas.delta, 0)) over (
            partition by grid.cloud_name, grid.container_type, grid.metric
            order by grid.calendar_date
            rows between unbounded preceding and current row
        ) as subjects
    from grid
    left join daily_deltas
        on
            grid.calendar_date = daily_deltas.calendar_date
            and grid.cloud_name = daily_deltas.cloud_name
            and grid.container_type = daily_deltas.container_type
            and grid.metric = daily_deltas.metric
)

select * from final

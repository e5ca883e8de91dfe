{#-
    Daily counts of the container state intervals, per product environment, container
    type and metric, for every day of the calendar. A subject (a container or an asset)
    with overlapping intervals (an asset in two collections) counts once: intervals are
    merged into islands before counting.
-#}
with intervals as (
    -- Distinct, so that (from_date, to_date) orders a subject's intervals totally and the
    -- two windows below see them in the same order.
    select distinct
        cloud_name,
        container_type,
        metric,
        subject_id,
        from_date,
        coalesce(to_date, cast('9999-12-31' as date)) as to_date
    from {{ ref('int_container_state_intervals') }}
),

reaches as (
    select
        *,
        max(to_date) over (
            partition by cloud_name, container_type, metric, subject_id
            order by from_date, to_date
            rows between unbounded preceding and 1 preceding
        ) as reach
    from intervals
),

islands as (
    select
        *,
        sum(case when reach is null or from_date > reach then 1 else 0 end) over (
            partition by cloud_name, container_type, metric, subject_id
            order by from_date, to_date
            rows between unbounded preceding and current row
        ) as island
    from reaches
),

merged as (
    select
        cloud_name,
        container_type,
        metric,
        min(from_date) as from_date,
        max(to_date) as to_date
    from islands
    group by cloud_name, container_type, metric, subject_id, island
),

deltas as (
    select
        cloud_name,
        container_type,
        metric,
        from_date as calendar_date,
        1 as delta
    from merged
    union all
    select
        cloud_name,
        container_type,
        metric,
        to_date as calendar_date,
        -1 as delta
    from merged
    where to_date < cast('9999-12-31' as date)
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

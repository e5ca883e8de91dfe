-- Every day from the first to the last day the warehouse knows anything about.
with bounds as (
    select
        min(day_seen) as first_day,
        max(day_seen) as last_day
    from (
        select activity_date as day_seen from {{ ref('int_activity_unioned') }}
        union all
        select snapshot_date from {{ ref('stg_dam__users') }}
        union all
        select usage_date from {{ ref('stg_dam__usage') }}
    ) as seen
),

days as (
    {{ calendar_days('(select first_day from bounds)', '(select last_day from bounds)') }}
)

select calendar_date from days

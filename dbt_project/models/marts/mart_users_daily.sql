-- Users per role at the end of each day (account level): the active users of the latest
-- users snapshot on or before that day. Unknown roles keep their own name.
with users as (
    select * from {{ ref('int_user_snapshots') }}
),

snapshot_days as (
    select distinct snapshot_date from users
),

calendar_snapshots as (
    select
        calendar.calendar_date,
        max(snapshot_days.snapshot_date) as snapshot_date
    from {{ ref('int_calendar') }} as calendar
    inner join snapshot_days on calendar.calendar_date >= snapshot_days.snapshot_date
    group by calendar.calendar_date
),

roles as (
    select role from {{ ref('roles') }}
    union
    select user_role from users
),

counted as (
    select
        calendar_snapshots.calendar_date,
        users.user_role,
        count(*) as users
    from calendar_snapshots
    inner join users on calendar_snapshots.snapshot_date = users.snapshot_date
    where users.is_active
    group by calendar_snapshots.calendar_date, users.user_role
),

final as (
    select
        calendar_snapshots.calendar_date,
        roles.role as user_role,
        coalesce(counted.users, 0) as users
    from calendar_snapshots
    cross join roles
    left join counted
        on
            calendar_snapshots.calendar_date = counted.calendar_date
            and roles.role = counted.user_role
)

select * from final

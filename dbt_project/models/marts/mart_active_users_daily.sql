{#-
    Active users at the end of each day D: a user's actions in the past 7 and 30 days as of
    the end of D (D - 6 to D, and D - 29 to D) and their share of all actions in the same
    scope and window (users, API and system alike). The scope is the product environment,
    or '(account)' for account-level actions. Only users with an action in the past 30
    days have a row; the "all users" download adds the inactive ones (see the README).
-#}
with calendar as (
    select calendar_date from {{ ref('int_calendar') }}
),

scope_daily as (
    select * from {{ ref('mart_scope_actions_daily') }}
),

user_daily as (
    select * from {{ ref('mart_user_actions_daily') }}
),

scopes as (
    select distinct activity_scope from scope_daily
),

pairs as (
    select distinct
        activity_scope,
        user_id
    from user_daily
),

scope_windows as (
    select
        scopes.activity_scope,
        calendar.calendar_date,
        sum(coalesce(scope_daily.actions, 0)) over (
            partition by scopes.activity_scope order by calendar.calendar_date
            rows between 6 preceding and current row
        ) as scope_actions_7d,
        sum(coalesce(scope_daily.actions, 0)) over (
            partition by scopes.activity_scope order by calendar.calendar_date
            rows between 29 preceding and current row
        ) as scope_actions_30d
    from scopes
    cross join calendar
    left join scope_daily
        on
            scopes.activity_scope = scope_daily.activity_scope
            and calendar.calendar_date = scope_daily.activity_date
),

user_windows as (
    select
        pairs.activity_scope,
        pairs.user_id,
        calendar.calendar_date,
        sum(coalesce(user_daily.actions, 0)) over (
            partition by pairs.activity_scope, pairs.user_id order by calendar.calendar_date
            rows between 6 preceding and current row
        ) as actions_7d,
        sum(coalesce(user_daily.actions, 0)) over (
            partition by pairs.activity_scope, pairs.user_id order by calendar.calendar_date
            rows between 29 preceding and current row
        ) as actions_30d
    from pairs
    cross join calendar
    left join user_daily
        on
            pairs.activity_scope = user_daily.activity_scope
            and pairs.user_id = user_daily.user_id
            and calendar.calendar_date = user_daily.activity_date
),

final as (
    select
        user_windows.calendar_date,
        user_windows.activity_scope,
        user_windows.user_id,
        users.email,
        users.user_role,
        users.user_groups,
        users.last_login_at,
        users.created_at,
        cast(coalesce(user_windows.actions_7d, 0) as {{ dbt.type_bigint() }}) as actions_7d,
        cast(coalesce(user_windows.actions_30d, 0) as {{ dbt.type_bigint() }}) as actions_30d,
        cast(coalesce(user_windows.actions_7d, 0) as double)
        / nullif(scope_windows.scope_actions_7d, 0) as share_7d,
        cast(coalesce(user_windows.actions_30d, 0) as double)
        / nullif(scope_windows.scope_actions_30d, 0) as share_30d
    from user_windows
    inner join scope_windows
        on
            user_windows.activity_scope = scope_windows.activity_scope
            and user_windows.calendar_date = scope_windows.calendar_date
    left join {{ ref('dim_users') }} as users on user_windows.user_id = users.user_id
    where user_windows.actions_30d > 0
)

select * from final

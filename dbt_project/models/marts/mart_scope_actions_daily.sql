-- All actions per day and scope (users, API and system alike): the denominator of the
-- share of activity.
-- A run recomputes the activity days it changed (macros/incremental.sql).
{{ config(
    materialized=arrival_window_materialization(),
    incremental_strategy='append',
    pre_hook="{{ delete_touched_activity_days('activity_date') }}",
) }}
-- depends_on: {{ ref('int_activity_days_touched') }}

with activity as (
    select * from {{ ref('int_activity_unioned') }}
    where {{ in_touched_activity_days('activity_date') }}
),

final as (
    select
        activity_date,
        coalesce(cloud_name, '(account)') as activity_scope,
        count(*) as actions,
        count(case when actor_type = 'user' then 1 end) as user_actions
    from activity
    group by activity_date, coalesce(cloud_name, '(account)')
)

select * from final

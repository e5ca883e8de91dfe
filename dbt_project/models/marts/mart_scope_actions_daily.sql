-- All actions per day and scope (users, API and system alike): the denominator of the
-- share of activity.
with activity as (
    select * from {{ ref('int_activity_unioned') }}
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

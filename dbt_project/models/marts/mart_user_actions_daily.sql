-- Actions per user per day and scope (product environment, or '(account)' for
-- account-level actions): the base of active users and the "all users" download.
-- A run recomputes the activity days it changed (macros/incremental.sql).
{{ config(
    materialized=arrival_window_materialization(),
    incremental_strategy='append',
    pre_hook="{{ delete_touched_activity_days('activity_date') }}",
) }}
-- depends_on: {{ ref('int_activity_days_touched') }}

with activity as (
    select * from {{ ref('int_activity_unioned') }}
    where
        actor_type = 'user'
        and actor_id is not null
        and {{ in_touched_activity_days('activity_date') }}
),

final as (
    select
        activity_date,
        coalesce(cloud_name, '(account)') as activity_scope,
        actor_id as user_id,
        count(*) as actions
    from activity
    group by activity_date, coalesce(cloud_name, '(account)'), actor_id
)

select * from final

-- The activity fact table: one row per action, with its category and, for users, the
-- actor's e-mail as the latest users snapshot knows it.
{{ config(materialized='view') }}

with activity as (
    select * from {{ ref('int_activity_unioned') }}
),

catalogue as (
    select * from {{ ref('action_catalogue') }}
),

users as (
    select * from {{ ref('dim_users') }}
),

final as (
    select
        activity.activity_id,
        activity.occurred_at,
        activity.activity_date,
        activity.cloud_name,
        activity.actor_type,
        activity.actor_id,
        case when activity.actor_type = 'user' then activity.actor_id end as actor_user_id,
        users.email as actor_email,
        activity.actor_type = 'user' as is_user_action,
        activity.action,
        coalesce(catalogue.category, 'other') as category,
        activity.target_type,
        activity.target_id,
        activity.asset_type,
        activity.view_id,
        activity.details,
        activity.feed,
        activity.source_file,
        activity.arrival_date
    from activity
    left join catalogue on activity.action = catalogue.action
    left join users
        on activity.actor_type = 'user' and activity.actor_id = users.user_id
)

select * from final

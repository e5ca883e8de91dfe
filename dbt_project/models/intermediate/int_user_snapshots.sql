-- Every user of every users snapshot, and what the account's rules let each one do. The
-- one place that decides them: an active user is enabled and not pending; the usage
-- dashboard is for active master admins; activity reports for active master admins and
-- admins. A view: a projection of the staging table, read by the users dimension and mart.
{{ config(materialized='view') }}

with users as (
    select * from {{ ref('stg_dam__users') }}
),

final as (
    select
        snapshot_date,
        user_id,
        email,
        user_name,
        user_role,
        is_enabled,
        is_pending,
        created_at,
        last_login_at,
        is_enabled and not is_pending as is_active,
        is_enabled and not is_pending and user_role = 'master_admin' as can_view_dashboard,
        is_enabled and not is_pending and user_role in ('master_admin', 'admin')
            as can_request_reports
    from users
)

select * from final

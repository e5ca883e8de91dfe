-- Users of the latest users snapshot, with their groups and what they may do
-- (int_user_snapshots decides it).
with users as (
    select * from {{ ref('int_user_snapshots') }}
    where snapshot_date = (
        select max(latest.snapshot_date) from {{ ref('int_user_snapshots') }} as latest
    )
),

members as (
    select * from {{ ref('stg_dam__user_group_members') }}
    where snapshot_date = (select max(users.snapshot_date) from users)
),

groups as (
    select
        user_id,
        {{ sorted_listagg('user_group_name', "', '") }} as user_groups
    from members
    group by user_id
),

final as (
    select
        users.user_id,
        users.email,
        users.user_name,
        users.user_role,
        groups.user_groups,
        users.is_enabled,
        users.is_pending,
        users.created_at,
        users.last_login_at,
        users.is_active,
        users.can_view_dashboard,
        users.can_request_reports,
        users.snapshot_date
    from users
    left join groups on users.user_id = groups.user_id
)

select * from final

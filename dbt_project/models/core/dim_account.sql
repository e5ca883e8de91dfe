-- The account as its latest snapshot describes it: plan, and whether activity reports are
-- available (not on the free plan; on the others with the activity_reports feature).
with accounts as (
    select * from {{ ref('stg_dam__accounts') }}
    where snapshot_date = (select max(latest.snapshot_date) from {{ ref('stg_dam__accounts') }} as latest)
),

plans as (
    select * from {{ ref('plans') }}
),

final as (
    select
        accounts.account_id,
        accounts.plan,
        accounts.activity_reports_enabled,
        coalesce(plans.activity_reports_available, accounts.plan <> 'free') as plan_allows_reports,
        accounts.snapshot_date
    from accounts
    left join plans on accounts.plan = plans.plan
)

select * from final

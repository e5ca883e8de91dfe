-- Product environments of the latest account snapshot; tracking decides what activity
-- reports include.
with environments as (
    select * from {{ ref('stg_dam__product_environments') }}
    where snapshot_date = (
        select max(latest.snapshot_date) from {{ ref('stg_dam__product_environments') }} as latest
    )
),

final as (
    select
        cloud_name,
        product_environment_id,
        product_environment_name,
        is_enabled,
        tracking_enabled,
        created_at,
        snapshot_date
    from environments
)

select * from final

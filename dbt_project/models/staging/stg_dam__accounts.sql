with source as (
    select * from {{ source('dam', 'account') }}
),

final as (
    select
        arrival_date as snapshot_date,
        account_id,
        lower(plan) as plan,
        coalesce(
            cast({{ json_text('payload', '$.features.activity_reports') }} as boolean), false
        ) as activity_reports_enabled,
        source_file
    from source
)

select * from final

with source as (
    select * from {{ source('dam', 'account') }}
),

listed as (
    select
        arrival_date as snapshot_date,
        account_id,
        {{ unnest_list(json_elements('payload', '$.product_environments')) }} as environment
    from source
),

final as (
    select
        snapshot_date,
        account_id,
        {{ json_text('environment', '$.cloud_name') }} as cloud_name,
        {{ json_text('environment', '$.id') }} as product_environment_id,
        {{ json_text('environment', '$.name') }} as product_environment_name,
        coalesce(cast({{ json_text('environment', '$.enabled') }} as boolean), true) as is_enabled,
        coalesce(
            cast({{ json_text('environment', '$.tracking_enabled') }} as boolean), false
        ) as tracking_enabled,
        {{ utc_timestamp(json_text('environment', '$.created_at')) }} as created_at
    from listed
)

select * from final

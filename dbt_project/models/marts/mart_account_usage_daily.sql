-- Account usage per product environment and day, with the change since the previous report.
with usage as (
    select * from {{ ref('fct_account_usage') }}
),

final as (
    select
        usage_date,
        cloud_name,
        plan,
        transformations_usage,
        transformations_limit,
        transformations_used_percent,
        objects_usage,
        storage_usage,
        storage_limit,
        storage_used_percent,
        bandwidth_usage,
        bandwidth_limit,
        bandwidth_used_percent,
        credits_usage,
        credits_limit,
        credits_used_percent,
        requests,
        resources,
        derived_resources,
        transformations_usage - lag(transformations_usage) over by_day as transformations_change,
        objects_usage - lag(objects_usage) over by_day as objects_change,
        storage_usage - lag(storage_usage) over by_day as storage_change,
        bandwidth_usage - lag(bandwidth_usage) over by_day as bandwidth_change,
        credits_usage - lag(credits_usage) over by_day as credits_change
    from usage
    window by_day as (partition by cloud_name order by usage_date)
)

select * from final

-- The account usage reports: one per product environment and day, its standard metrics
-- as columns. A view: the usage marts read the reports through the core layer.
{{ config(materialized='view') }}

with usage as (
    select * from {{ ref('stg_dam__usage') }}
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
        derived_resources
    from usage
)

select * from final

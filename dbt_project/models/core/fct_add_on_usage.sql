-- Each registered add-on's usage and limit in each usage report (product environment and
-- day). A view: the add-on mart reads the reports through the core layer.
{{ config(materialized='view') }}

with add_ons as (
    select * from {{ ref('stg_dam__usage_add_ons') }}
),

final as (
    select
        usage_date,
        cloud_name,
        add_on,
        usage_amount,
        usage_limit
    from add_ons
)

select * from final

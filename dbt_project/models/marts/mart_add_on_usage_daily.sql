-- Each registered add-on's usage against its limit, per product environment and day.
with add_ons as (
    select * from {{ ref('fct_add_on_usage') }}
),

final as (
    select
        usage_date,
        cloud_name,
        add_on,
        usage_amount,
        usage_limit,
        100.0 * usage_amount / nullif(usage_limit, 0) as used_percent,
        usage_amount - lag(usage_amount) over (
            partition by cloud_name, add_on order by usage_date
        ) as usage_change
    from add_ons
)

select * from final

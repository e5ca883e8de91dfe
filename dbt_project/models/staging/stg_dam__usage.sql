{%- set metered = ['transformations', 'bandwidth', 'storage'] -%}
with source as (
    select * from {{ source('dam', 'usage') }}
),

final as (
    select
        arrival_date as usage_date,
        cloud_name,
        lower({{ json_text('payload', '$.plan') }}) as plan,
        cast({{ json_text('payload', '$.last_updated') }} as date) as last_updated,
        {% for metric in metered -%}
            cast({{ json_text('payload', '$.' ~ metric ~ '.usage') }} as double) as {{ metric }}_usage,
            cast({{ json_text('payload', '$.' ~ metric ~ '.limit') }} as double) as {{ metric }}_limit,
            cast({{ json_text('payload', '$.' ~ metric ~ '.used_percent') }} as double)
                as {{ metric }}_used_percent,
            cast({{ json_text('payload', '$.' ~ metric ~ '.credits_usage') }} as double)
                as {{ metric }}_credits,
        {% endfor -%}
        cast({{ json_text('payload', '$.objects.usage') }} as bigint) as objects_usage,
        cast({{ json_text('payload', '$.credits.usage') }} as double) as credits_usage,
        cast({{ json_text('payload', '$.credits.limit') }} as double) as credits_limit,
        cast({{ json_text('payload', '$.credits.used_percent') }} as double) as credits_used_percent,
        cast({{ json_text('payload', '$.requests') }} as bigint) as requests,
        cast({{ json_text('payload', '$.resources') }} as bigint) as resources,
        cast({{ json_text('payload', '$.derived_resources') }} as bigint) as derived_resources,
        payload,
        source_file
    from source
)

select * from final

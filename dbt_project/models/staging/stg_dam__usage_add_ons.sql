-- One row per registered add-on per usage report: every top-level key of the report that
-- is not a standard metric and holds a {usage, limit} object.
{%- set standard = [
    'plan', 'last_updated', 'transformations', 'objects', 'bandwidth', 'storage', 'credits',
    'requests', 'resources', 'derived_resources', 'media_limits'
] %}
with source as (
    select * from {{ source('dam', 'usage') }}
),

keyed as (
    select
        arrival_date as usage_date,
        cloud_name,
        payload,
        {{ unnest_list(json_keys_at('payload', '$')) }} as add_on
    from source
),

members as (
    select
        usage_date,
        cloud_name,
        add_on,
        {{ json_member('payload', 'add_on') }} as add_on_json
    from keyed
    where add_on not in ('{{ standard | join("', '") }}')
),

final as (
    select
        usage_date,
        cloud_name,
        add_on,
        cast({{ json_text('add_on_json', '$.usage') }} as double) as usage_amount,
        cast({{ json_text('add_on_json', '$.limit') }} as double) as usage_limit
    from members
    where {{ json_text('add_on_json', '$.usage') }} is not null
)

select * from final

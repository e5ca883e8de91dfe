with source as (
    select * from {{ source('dam', 'users') }}
),

groups as (
    select
        arrival_date as snapshot_date,
        {{ unnest_list(json_elements('payload', '$.user_groups')) }} as group_json
    from source
),

members as (
    select
        snapshot_date,
        {{ json_text('group_json', '$.id') }} as user_group_id,
        {{ json_text('group_json', '$.name') }} as user_group_name,
        {{ unnest_list(json_elements('group_json', '$.users')) }} as member_json
    from groups
),

final as (
    select distinct
        snapshot_date,
        user_group_id,
        user_group_name,
        {{ json_text('member_json', '$.id') }} as user_id
    from members
)

select * from final

{#-
    A table, not a view: every snapshot's document would otherwise be parsed again by each
    consumer. A run replaces the snapshots of its arrival window.
-#}
{{ config(
    materialized=arrival_window_materialization(),
    incremental_strategy='append',
    pre_hook="{{ delete_arrival_window('snapshot_date') }}",
) }}

with source as (
    select * from {{ source('dam', 'users') }}
    where {{ in_loaded_window('arrival_date') }}
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

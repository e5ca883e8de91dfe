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

listed as (
    select
        arrival_date as snapshot_date,
        {{ unnest_list(json_elements('payload', '$.users')) }} as user_json
    from source
),

final as (
    select
        snapshot_date,
        {{ json_text('user_json', '$.id') }} as user_id,
        {{ json_text('user_json', '$.name') }} as user_name,
        {{ json_text('user_json', '$.email') }} as email,
        {{ json_text('user_json', '$.role') }} as user_role,
        coalesce(cast({{ json_text('user_json', '$.enabled') }} as boolean), false) as is_enabled,
        coalesce(cast({{ json_text('user_json', '$.pending') }} as boolean), false) as is_pending,
        {{ utc_timestamp(json_text('user_json', '$.created_at')) }} as created_at,
        {{ utc_timestamp(json_text('user_json', '$.updated_at')) }} as updated_at,
        {{ utc_timestamp(json_text('user_json', '$.last_login')) }} as last_login_at
    from listed
)

select * from final

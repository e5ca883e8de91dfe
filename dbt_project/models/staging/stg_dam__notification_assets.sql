-- One row per asset a notification names: the uploaded or renamed asset itself, or each
-- entry of `resources` (a list, or a map keyed by public_id).
with notifications as (
    select * from {{ ref('stg_dam__notifications') }}
),

listed as (
    select
        notification_id,
        {{ unnest_list(json_elements('payload', '$.resources')) }} as resource_json
    from notifications
),

from_resources as (
    select
        notification_id,
        {{ json_text('resource_json', '$.asset_id') }} as asset_id,
        {{ json_text('resource_json', '$.public_id') }} as public_id,
        {{ json_text('resource_json', '$.resource_type') }} as resource_type
    from listed
),

from_top_level as (
    select
        notification_id,
        asset_id,
        public_id,
        resource_type
    from notifications
    where asset_id is not null
),

assets as (
    select * from from_resources
    union all
    select * from from_top_level
),

final as (
    -- A notification that names no asset is still one action, with no asset.
    select
        {{ dbt.hash("notifications.notification_id || ':' || coalesce(assets.asset_id, assets.public_id, '')") }}
            as notification_asset_id,
        notifications.notification_id,
        notifications.cloud_name,
        notifications.notification_type,
        notifications.event_at,
        notifications.event_date,
        notifications.action_source,
        notifications.triggered_by_id,
        assets.asset_id,
        assets.public_id,
        assets.resource_type,
        notifications.arrival_date,
        notifications.source_file
    from notifications
    left join assets on notifications.notification_id = assets.notification_id
)

select distinct * from final

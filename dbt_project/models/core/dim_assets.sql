-- Assets as the notifications tell them: keyed by product environment and asset_id, with
-- type and size from the (first) upload, and the first deletion after it.
with asset_actions as (
    select * from {{ ref('int_activity_unioned') }}
    where action in ('upload', 'delete') and target_id is not null
),

notifications as (
    select * from {{ ref('stg_dam__notifications') }}
    where notification_type = 'upload'
),

uploads as (
    select
        cloud_name,
        asset_id,
        public_id,
        resource_type as asset_type,
        bytes,
        event_at as uploaded_at,
        row_number() over (partition by cloud_name, asset_id order by event_at, notification_id)
            as upload_rank
    from notifications
),

first_uploads as (
    select * from uploads
    where upload_rank = 1
),

deletions as (
    select
        first_uploads.cloud_name,
        first_uploads.asset_id,
        min(asset_actions.occurred_at) as deleted_at
    from first_uploads
    inner join asset_actions
        on
            first_uploads.cloud_name = asset_actions.cloud_name
            and first_uploads.asset_id = asset_actions.target_id
            and asset_actions.action = 'delete'
            and first_uploads.uploaded_at <= asset_actions.occurred_at
    group by first_uploads.cloud_name, first_uploads.asset_id
),

final as (
    select
        {{ dbt.hash("first_uploads.cloud_name || ':' || first_uploads.asset_id") }} as asset_key,
        first_uploads.cloud_name,
        first_uploads.asset_id,
        first_uploads.public_id,
        first_uploads.asset_type,
        first_uploads.bytes,
        first_uploads.uploaded_at,
        cast(first_uploads.uploaded_at as date) as uploaded_date,
        deletions.deleted_at,
        cast(deletions.deleted_at as date) as deleted_date
    from first_uploads
    left join deletions
        on
            first_uploads.cloud_name = deletions.cloud_name
            and first_uploads.asset_id = deletions.asset_id
)

select * from final

{#-
    Assets as the notifications tell them: keyed by product environment and asset_id, with
    type and size from the (first) upload, and the first deletion after it. A run
    recomputes the assets its arrival window touches (macros/incremental.sql): those with
    an upload or a deletion delivered in the window, and those whose stored upload or
    deletion came from it. arrival_date is the stored upload's arrival day. Their uploads
    are found by the stored hash of the asset's key (asset_hash), their deletions among
    the deletions alone, and their stored rows are replaced by that hash too, so that the
    replacement reads 8 bytes a row: every asset sharing a touched asset's hash is
    recomputed along with it.
-#}
{%- set uploads_window = window_keys(
    ref('stg_dam__notifications'), 'cloud_name, asset_id', "notification_type = 'upload'"
) %}
{%- set deletions_window = window_keys(
    ref('int_activity_unioned'), 'cloud_name, target_id', "action = 'delete'"
) %}
{%- set stored_deletions_window = window_keys(
    this, 'cloud_name, asset_id', arrival_column='deletion_arrival_date'
) %}
{%- set touched_in_window = uploads_window ~ ' union all ' ~ deletions_window
    ~ ' union all ' ~ stored_deletions_window %}
{{ config(
    materialized=arrival_window_materialization(),
    incremental_strategy='delete+insert',
    unique_key='asset_hash',
    post_hook="{{ delete_keys_gone_from_window('cloud_name, asset_id', window_keys(ref('stg_dam__notifications'), 'cloud_name, asset_id', \"notification_type = 'upload'\")) }}",
) }}

with asset_actions as (
    select * from {{ ref('int_activity_unioned') }}
    where {{ in_touched_rows(
        ref('int_activity_unioned'),
        'cloud_name, target_id',
        this_columns='cloud_name, asset_id',
        upstream_window_keys=touched_in_window,
        where="action = 'delete' and target_id is not null",
    ) }}
),

notifications as (
    select * from {{ ref('stg_dam__notifications') }}
    where {{ in_touched_rows(
        ref('stg_dam__notifications'),
        'cloud_name, asset_id',
        upstream_window_keys=touched_in_window,
        where="notification_type = 'upload'",
        stored_hash='asset_hash',
    ) }}
),

uploads as (
    select
        cloud_name,
        asset_id,
        asset_hash,
        public_id,
        resource_type as asset_type,
        bytes,
        event_at as uploaded_at,
        arrival_date,
        row_number() over (partition by cloud_name, asset_id order by event_at, notification_id)
            as upload_rank
    from notifications
),

first_uploads as (
    select * from uploads
    where upload_rank = 1
),

asset_deletions as (
    select
        first_uploads.cloud_name,
        first_uploads.asset_id,
        asset_actions.occurred_at as deleted_at,
        asset_actions.arrival_date as deletion_arrival_date,
        row_number() over (
            partition by first_uploads.cloud_name, first_uploads.asset_id
            order by asset_actions.occurred_at, asset_actions.arrival_date
        ) as deletion_rank
    from first_uploads
    inner join asset_actions
        on
            first_uploads.cloud_name = asset_actions.cloud_name
            and first_uploads.asset_id = asset_actions.target_id
            and first_uploads.uploaded_at <= asset_actions.occurred_at
),

deletions as (
    select * from asset_deletions
    where deletion_rank = 1
),

final as (
    select
        {{ dbt.hash("first_uploads.cloud_name || ':' || first_uploads.asset_id") }} as asset_key,
        first_uploads.cloud_name,
        first_uploads.asset_id,
        first_uploads.asset_hash,
        first_uploads.public_id,
        first_uploads.asset_type,
        first_uploads.bytes,
        first_uploads.uploaded_at,
        cast(first_uploads.uploaded_at as date) as uploaded_date,
        deletions.deleted_at,
        cast(deletions.deleted_at as date) as deleted_date,
        first_uploads.arrival_date,
        deletions.deletion_arrival_date
    from first_uploads
    left join deletions
        on
            first_uploads.cloud_name = deletions.cloud_name
            and first_uploads.asset_id = deletions.asset_id
)

select * from final

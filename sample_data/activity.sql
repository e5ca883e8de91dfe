-- Sample activity of a DAM account, generated in DuckDB from the session variables
-- seed, start_epoch, days, per_day, environments, actors, late_share,
-- redelivery_share and malformed_share, and the small tables environments(env,
-- cloud_name) and actors(slot, user_id). Every choice is a hash of (seed, row,
-- purpose), so one seed always yields the same rows.

create or replace macro rnd(i, k) as
    (hash(getvariable('seed'), i, k) % 1000003) / 1000003.0;

create or replace macro pick(i, k, n) as
    (hash(getvariable('seed'), i, k) % greatest(n, 1))::bigint;

create or replace macro iso_ms(epoch_seconds) as
    strftime(make_timestamp((epoch_seconds * 1000000)::bigint), '%Y-%m-%dT%H:%M:%S.%gZ');

create or replace macro iso_s(epoch_seconds) as
    strftime(make_timestamp((epoch_seconds * 1000000)::bigint), '%Y-%m-%dT%H:%M:%SZ');

create or replace macro asset_id(env, seq) as
    md5(concat(getvariable('seed'), ':', env, ':asset:', seq));

create or replace macro asset_type(env, seq) as
    ['image', 'image', 'image', 'image', 'image', 'image', 'video', 'video', 'raw', 'image']
    [(hash(getvariable('seed'), env, seq, 'type') % 10)::int + 1];

create or replace macro asset_folder(env, seq) as
    ['products', 'campaigns/2024', 'brand', 'events', 'social'][(hash(env, seq) % 5)::int + 1];

create or replace macro public_id(env, seq) as
    concat(asset_folder(env, seq), '/', asset_type(env, seq), '_', seq);

create or replace macro asset_ref(env, seq) as {
    'asset_id': asset_id(env, seq),
    'public_id': public_id(env, seq),
    'resource_type': asset_type(env, seq),
    'type': 'upload'
};

create or replace macro collection_id(env, seq) as
    concat('col_', left(md5(concat(getvariable('seed'), ':', env, ':collection:', seq)), 16));

create or replace macro portal_id(env, seq) as
    concat('ptl_', left(md5(concat(getvariable('seed'), ':', env, ':portal:', seq)), 16));

create or replace macro api_key(env, slot) as
    left(md5(concat(getvariable('seed'), ':api_key:', env * 3 + slot)), 15);

-- One row per generated action, with the running counts that let later actions
-- refer only to assets, collections and portals that already exist.
create or replace table activity as
with slots as (
    select
        i,
        i // getvariable('per_day') as day,
        i % getvariable('per_day') as pos,
        rnd(i, 0) as r_family,
        rnd(i, 1) as r_kind
    from range(getvariable('days') * getvariable('per_day')) as t (i)
),

kinded as (
    select
        i,
        day,
        pos,
        case
            when day = 0 and pos < 6 * getvariable('environments')
                then (pos % getvariable('environments'))::int
            else least(
                getvariable('environments') - 1,
                floor(getvariable('environments') * pow(rnd(i, 3), 1.4))
            )::int
        end as env,
        case
            when day = 0 and pos < 6 * getvariable('environments')
                then [
                    'upload', 'upload', 'collection.created',
                    'portal.created', 'upload', 'collection.created'
                ][(pos // getvariable('environments'))::int + 1]
            when r_family < 0.45 then case
                when r_kind < 0.55 then 'upload'
                when r_kind < 0.65 then 'delete'
                when r_kind < 0.70 then 'rename'
                when r_kind < 0.80 then 'resource_tags_changed'
                when r_kind < 0.85 then 'resource_context_changed'
                when r_kind < 0.93 then 'resource_metadata_changed'
                when r_kind < 0.97 then 'resource_display_name_changed'
                when r_kind < 0.99 then 'move'
                else 'restore'
            end
            else case
                when r_kind < 0.18 then 'user.logged_in'
                when r_kind < 0.33 then 'collection.opened'
                when r_kind < 0.42 then 'collection.assets_added'
                when r_kind < 0.44 then 'collection.assets_removed'
                when r_kind < 0.47 then 'collection.created'
                when r_kind < 0.49 then 'collection.published'
                when r_kind < 0.495 then 'collection.unpublished'
                when r_kind < 0.50 then 'collection.deleted'
                when r_kind < 0.51 then 'portal.created'
                when r_kind < 0.52 then 'portal.published'
                when r_kind < 0.523 then 'portal.unpublished'
                when r_kind < 0.525 then 'portal.deleted'
                when r_kind < 0.545 then 'portal.assets_added'
                when r_kind < 0.55 then 'portal.assets_removed'
                when r_kind < 0.68 then 'asset.downloaded'
                when r_kind < 0.72 then 'asset.shared'
                when r_kind < 0.95 then 'search.performed'
                when r_kind < 0.96 then 'user.updated'
                when r_kind < 0.97 then 'user_group.member_added'
                when r_kind < 0.975 then 'user_group.member_removed'
                when r_kind < 0.98 then 'api_key.created'
                when r_kind < 0.985 then 'product_environment.updated'
                when r_kind < 0.99 then 'api_key.revoked'
                else 'workflow.triggered'
            end
        end as kind
    from slots
),

counted as (
    select
        *,
        sum((kind = 'upload')::int) over running - (kind = 'upload')::int as uploads_before,
        sum((kind = 'collection.created')::int) over running
        - (kind = 'collection.created')::int as collections_before,
        sum((kind = 'portal.created')::int) over running
        - (kind = 'portal.created')::int as portals_before
    from kinded
    window running as (partition by env order by i)
)

select
    *,
    getvariable('start_epoch') + day * 86400
    + (pos * 86400) // getvariable('per_day')
    + pick(i, 2, 86400 // getvariable('per_day')) as epoch,
    pick(i, 4, getvariable('actors')) as actor_slot,
    least(
        getvariable('days') - 1,
        day + case when rnd(i, 20) < getvariable('late_share') then 1 + pick(i, 21, 3) else 0 end
    ) as arrival_day,
    rnd(i, 22) < getvariable('redelivery_share') as redelivered,
    not contains(kind, '.') as is_notification
from counted
order by arrival_day, i;

-- A notification as the webhook delivers it.
create or replace view notification_lines as
with typed as (
    select
        a.*,
        e.cloud_name,
        asset_id(a.env, a.uploads_before) as new_asset_id,
        asset_type(a.env, a.uploads_before) as new_asset_type,
        pick(a.i, 5, a.uploads_before) as target_seq,
        iso_s(a.epoch) as at_s,
        case
            when rnd(a.i, 6) < 0.40 then {'source': 'ui', 'id': u.user_id}
            when rnd(a.i, 6) < 0.85 then {'source': 'api', 'id': api_key(a.env, pick(a.i, 7, 3))}
        end as triggered_by
    from activity as a
    inner join environments as e on a.env = e.env
    inner join actors as u on a.actor_slot = u.slot
    where a.is_notification
),

shaped as (
    select
        *,
        case kind
            when 'upload' then to_json({
                'notification_type': 'upload',
                'timestamp': at_s,
                'request_id': left(md5(concat('request', i)), 32),
                'asset_id': new_asset_id,
                'public_id': public_id(env, uploads_before),
                'version': epoch::bigint,
                'format': case new_asset_type
                    when 'image' then ['jpg', 'png', 'webp'][(hash(i) % 3)::int + 1]
                    when 'video' then ['mp4', 'mov'][(hash(i) % 2)::int + 1]
                    else ['pdf', 'zip', 'csv'][(hash(i) % 3)::int + 1]
                end,
                'resource_type': new_asset_type,
                'created_at': at_s,
                'bytes': case new_asset_type
                    when 'image' then 20000 + hash(i, 'bytes') % 6000000
                    when 'video' then 1000000 + hash(i, 'bytes') % 250000000
                    else 1000 + hash(i, 'bytes') % 3000000
                end,
                'type': 'upload',
                'etag': left(md5(concat('etag', i)), 32),
                'asset_folder': asset_folder(env, uploads_before),
                'display_name': concat(new_asset_type, '_', uploads_before)
            })
            when 'delete' then to_json({
                'notification_type': 'delete',
                'resources': list_transform(
                    range(1 + pick(i, 8, 2)),
                    lambda k: asset_ref(env, pick(i, 30 + k, uploads_before))
                )
            })
            when 'rename' then to_json({
                'notification_type': 'rename',
                'asset_id': asset_id(env, target_seq),
                'resource_type': asset_type(env, target_seq),
                'type': 'upload',
                'from_public_id': public_id(env, target_seq),
                'to_public_id': concat(public_id(env, target_seq), '_renamed_', i)
            })
            when 'move' then to_json({
                'notification_type': 'move',
                'asset_id': asset_id(env, target_seq),
                'from_asset_folder': asset_folder(env, target_seq),
                'to_asset_folder': 'archive'
            })
            when 'resource_metadata_changed' then to_json({
                'notification_type': kind,
                'source': 'ui',
                'resources': map(
                    [public_id(env, target_seq)],
                    [{
                        'asset_id': asset_id(env, target_seq),
                        'resource_type': asset_type(env, target_seq),
                        'type': 'upload',
                        'updated': ['caption', 'license']
                    }]
                )
            })
            else to_json({
                'notification_type': kind,
                'source': 'ui',
                'resources': [{
                    'asset_id': asset_id(env, target_seq),
                    'public_id': public_id(env, target_seq),
                    'resource_type': asset_type(env, target_seq),
                    'type': 'upload',
                    'added': [concat('tag_', hash(i) % 40)],
                    'removed': []::varchar []
                }]
            })
        end as body
    from typed
)

select
    i,
    env,
    arrival_day,
    redelivered,
    day,
    json_merge_patch(
        body,
        case
            when triggered_by is null then to_json({'timestamp': at_s})
            else to_json({
                'timestamp': at_s,
                'notification_context': {
                    'triggered_at': iso_ms(epoch + 0.25), 'triggered_by': triggered_by
                }
            })
        end
    )::varchar as line
from shaped;

-- A DAM audit event; an opened collection is usually closed a little later.
create or replace view dam_event_lines as
with dam as (
    select a.*, e.cloud_name, u.user_id
    from activity as a
    inner join environments as e on a.env = e.env
    inner join actors as u on a.actor_slot = u.slot
    where not a.is_notification
),

with_closes as (
    select *, 0 as step, epoch as at_epoch from dam
    union all
    select *, 1 as step, epoch + 30 + pick(i, 9, 1800) as at_epoch
    from dam
    where kind = 'collection.opened' and rnd(i, 10) < 0.85
),

shaped as (
    select
        *,
        case
            when step = 1 then 'collection.closed'
            else kind
        end as action,
        kind in (
            'user.logged_in', 'user.updated',
            'user_group.member_added', 'user_group.member_removed',
            'api_key.created', 'api_key.revoked', 'product_environment.updated'
        ) as account_level,
        pick(i, 11, collections_before) as collection_seq,
        pick(i, 12, portals_before) as portal_seq,
        case
            when kind in ('search.performed', 'asset.downloaded', 'collection.assets_added')
                and rnd(i, 13) < 0.2 then 'api_key'
            when kind = 'portal.unpublished' and rnd(i, 13) < 0.5 then 'system'
            else 'user'
        end as actor_type
    from with_closes
)

select
    i,
    env,
    arrival_day,
    redelivered,
    day,
    step,
    to_json({
        'id': concat('evt_', left(md5(concat(getvariable('seed'), ':event:', i, ':', step)), 24)),
        'occurred_at': iso_ms(at_epoch),
        'cloud_name': case when not account_level then cloud_name end,
        'actor': {
            'type': actor_type,
            'id': case actor_type
                when 'user' then user_id
                when 'api_key' then api_key(env, 0)
                else 'scheduler'
            end
        },
        'action': action,
        'target': case
            when kind = 'collection.created' then
                {'type': 'collection', 'id': collection_id(env, collections_before)}
            when kind like 'collection.%' then
                {'type': 'collection', 'id': collection_id(env, collection_seq)}
            when kind = 'portal.created' then
                {'type': 'portal', 'id': portal_id(env, portals_before)}
            when kind like 'portal.%' then {'type': 'portal', 'id': portal_id(env, portal_seq)}
            when kind in ('user.logged_in', 'user.updated') then
                {'type': 'user', 'id': user_id}
            when kind like 'user_group.%' then
                {'type': 'user_group', 'id': concat('grp_', hash(i) % 4)}
            when kind like 'api_key.%' then {'type': 'api_key', 'id': api_key(env, 2)}
            when kind = 'product_environment.updated' then
                {'type': 'product_environment', 'id': cloud_name}
            when kind = 'search.performed' then {'type': 'search', 'id': null}
            else {'type': 'asset', 'id': asset_id(env, pick(i, 14, uploads_before))}
        end,
        'details': case
            when kind = 'collection.opened' then
                to_json({'view_id': left(md5(concat('view', i)), 16)})
            when kind in (
                'collection.assets_added', 'collection.assets_removed',
                'portal.assets_added', 'portal.assets_removed'
            ) then to_json({
                'asset_ids': list_transform(
                    range(1 + pick(i, 15, 4)),
                    lambda k: asset_id(env, pick(i, 40 + k, uploads_before))
                )
            })
            when kind = 'collection.created' then
                to_json({'name': concat('Collection ', collections_before)})
            when kind = 'portal.created' then
                to_json({'name': concat('Portal ', portals_before)})
            when kind = 'search.performed' then
                to_json({'query': ['logo', 'summer campaign', 'hero banner', 'product shot'][
                    (hash(i) % 4)::int + 1
                ]})
            when kind = 'user.logged_in' then
                to_json({'method': ['password', 'sso'][(hash(i) % 2)::int + 1]})
            when kind = 'user_group.member_added' then to_json({'user_id': user_id})
            else to_json({})
        end
    })::varchar as line
from shaped;

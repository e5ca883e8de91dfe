-- The marts computed in plain DuckDB, from the warehouse's raw tables and reference data
-- (attached read-only as `warehouse`), with none of the layers, views, tests or
-- incremental bookkeeping of the dbt project: the baseline of the full build's model time.
-- `python -m bench.baselines marts` runs it and checks every table equals its mart.

-- Staging: the first delivery of each record, its JSON fields extracted once.
create temp table events as
select
    event_id,
    occurred_at,
    cast(occurred_at as date) as activity_date,
    nullif(cloud_name, '') as cloud_name,
    json_extract_string(payload, '$.actor.type') as actor_type,
    json_extract_string(payload, '$.actor.id') as actor_id,
    action,
    json_extract_string(payload, '$.target.type') as target_type,
    json_extract_string(payload, '$.target.id') as target_id,
    json_extract_string(payload, '$.details') as details,
    json_extract_string(payload, '$.details.view_id') as view_id,
    source_file,
    arrival_date
from warehouse.raw.dam_events
qualify row_number() over (
    partition by event_id order by arrival_date, source_file, line_number
) = 1;

create temp table notifications as
select
    md5(n.cloud_name || ':' || n.payload_hash) as notification_id,
    n.cloud_name,
    coalesce(c.action, 'other') as notification_type,
    n.event_at,
    cast(n.event_at as date) as event_date,
    case
        when json_extract_string(n.payload, '$.notification_context.triggered_by.source') = 'ui'
            then 'user'
        else 'api'
    end as actor_type,
    json_extract_string(n.payload, '$.notification_context.triggered_by.id') as actor_id,
    json_extract_string(n.payload, '$.asset_id') as asset_id,
    json_extract_string(n.payload, '$.public_id') as public_id,
    json_extract_string(n.payload, '$.resource_type') as resource_type,
    cast(json_extract_string(n.payload, '$.bytes') as bigint) as bytes,
    case json_type(n.payload, '$.resources')
        when 'ARRAY' then json_extract(n.payload, '$.resources[*]')::varchar[]
        when 'OBJECT' then json_extract(n.payload, '$.resources.*')::varchar[]
    end as resources,
    n.source_file,
    n.arrival_date
from warehouse.raw.notifications as n
left join (
    select action from warehouse.reference.action_catalogue where feed = 'notifications'
) as c on n.notification_type = c.action
qualify row_number() over (
    partition by n.cloud_name, n.payload_hash order by n.arrival_date, n.source_file, n.line_number
) = 1;

-- Every action once: events as they are, notifications one row per asset they name.
create temp table activity as
with named as (
    select
        notification_id,
        json_extract_string(resource, '$.asset_id') as asset_id,
        json_extract_string(resource, '$.public_id') as public_id,
        json_extract_string(resource, '$.resource_type') as resource_type
    from (select notification_id, unnest(resources) as resource from notifications)
    union all
    select notification_id, asset_id, public_id, resource_type
    from notifications
    where asset_id is not null
),

per_asset as (
    select distinct
        md5(n.notification_id || ':' || coalesce(a.asset_id, a.public_id, '')) as activity_id,
        n.event_at,
        n.event_date,
        n.cloud_name,
        n.actor_type,
        n.actor_id,
        n.notification_type,
        a.asset_id,
        a.resource_type,
        n.source_file,
        n.arrival_date
    from notifications as n
    left join named as a on n.notification_id = a.notification_id
)

select
    event_id as activity_id, 'dam_events' as feed, occurred_at, activity_date, cloud_name,
    actor_type, actor_id, action, target_type, target_id, null::varchar as asset_type,
    view_id, details, source_file, arrival_date
from events
union all
select
    activity_id, 'notifications', event_at, event_date, cloud_name, actor_type, actor_id,
    notification_type, case when asset_id is not null then 'asset' end, asset_id,
    resource_type, null, null, source_file, arrival_date
from per_asset;

create temp table users as
with listed as (
    select arrival_date as snapshot_date, unnest(json_extract(payload, '$.users[*]')::varchar[]) as u
    from warehouse.raw.users
)

select
    snapshot_date,
    json_extract_string(u, '$.id') as user_id,
    json_extract_string(u, '$.email') as email,
    json_extract_string(u, '$.role') as user_role,
    coalesce(cast(json_extract_string(u, '$.enabled') as boolean), false) as is_enabled,
    coalesce(cast(json_extract_string(u, '$.pending') as boolean), false) as is_pending,
    cast(json_extract_string(u, '$.created_at') as timestamptz)::timestamp as created_at,
    cast(json_extract_string(u, '$.last_login') as timestamptz)::timestamp as last_login_at
from listed;

create temp table latest_users as
with latest as (select max(snapshot_date) as snapshot_date from users),

groups as (
    select unnest(json_extract(payload, '$.user_groups[*]')::varchar[]) as g
    from warehouse.raw.users
    where arrival_date = (select snapshot_date from latest)
),

members as (
    select distinct
        json_extract_string(g, '$.name') as user_group_name,
        json_extract_string(unnest(json_extract(g, '$.users[*]')::varchar[]), '$.id') as user_id
    from groups
)

select
    users.user_id, users.email, users.user_role,
    (
        select string_agg(m.user_group_name, ', ' order by m.user_group_name)
        from members as m where m.user_id = users.user_id
    ) as user_groups,
    users.last_login_at, users.created_at
from users
where users.snapshot_date = (select snapshot_date from latest);

create temp table usage as
select
    arrival_date as usage_date,
    cloud_name,
    lower(json_extract_string(payload, '$.plan')) as plan,
    payload
from warehouse.raw.usage;

create temp table calendar as
select cast(unnest(generate_series(min(d), max(d), interval 1 day)) as date) as calendar_date
from (
    select activity_date as d from activity
    union all select snapshot_date from users
    union all select usage_date from usage
);

create temp table environments as
select json_extract_string(e, '$.cloud_name') as cloud_name
from (
    select unnest(json_extract(payload, '$.product_environments[*]')::varchar[]) as e
    from warehouse.raw.account
)
union
select cloud_name from activity where cloud_name is not null
union
select cloud_name from usage;

-- Daily metrics.
create table mart_account_usage_daily as
with typed as (
    select
        usage_date, cloud_name, plan,
        cast(payload ->> '$.transformations.usage' as double) as transformations_usage,
        cast(payload ->> '$.transformations.limit' as double) as transformations_limit,
        cast(payload ->> '$.transformations.used_percent' as double) as transformations_used_percent,
        cast(payload ->> '$.objects.usage' as bigint) as objects_usage,
        cast(payload ->> '$.storage.usage' as double) as storage_usage,
        cast(payload ->> '$.storage.limit' as double) as storage_limit,
        cast(payload ->> '$.storage.used_percent' as double) as storage_used_percent,
        cast(payload ->> '$.bandwidth.usage' as double) as bandwidth_usage,
        cast(payload ->> '$.bandwidth.limit' as double) as bandwidth_limit,
        cast(payload ->> '$.bandwidth.used_percent' as double) as bandwidth_used_percent,
        cast(payload ->> '$.credits.usage' as double) as credits_usage,
        cast(payload ->> '$.credits.limit' as double) as credits_limit,
        cast(payload ->> '$.credits.used_percent' as double) as credits_used_percent,
        cast(payload ->> '$.requests' as bigint) as requests,
        cast(payload ->> '$.resources' as bigint) as resources,
        cast(payload ->> '$.derived_resources' as bigint) as derived_resources
    from usage
)

select
    *,
    transformations_usage - lag(transformations_usage) over w as transformations_change,
    objects_usage - lag(objects_usage) over w as objects_change,
    storage_usage - lag(storage_usage) over w as storage_change,
    bandwidth_usage - lag(bandwidth_usage) over w as bandwidth_change,
    credits_usage - lag(credits_usage) over w as credits_change
from typed
window w as (partition by cloud_name order by usage_date);

create table mart_add_on_usage_daily as
with keyed as (
    select usage_date, cloud_name, payload, unnest(json_keys(payload)) as add_on from usage
),

members as (
    select usage_date, cloud_name, add_on, json_extract(payload, '$."' || add_on || '"')::varchar as v
    from keyed
    where add_on not in (
        'plan', 'last_updated', 'transformations', 'objects', 'bandwidth', 'storage', 'credits',
        'requests', 'resources', 'derived_resources', 'media_limits'
    )
)

select
    usage_date,
    cloud_name,
    add_on,
    cast(v ->> '$.usage' as double) as usage_amount,
    cast(v ->> '$.limit' as double) as usage_limit,
    100.0 * cast(v ->> '$.usage' as double) / nullif(cast(v ->> '$.limit' as double), 0) as used_percent,
    cast(v ->> '$.usage' as double)
    - lag(cast(v ->> '$.usage' as double)) over (partition by cloud_name, add_on order by usage_date)
        as usage_change
from members
where (v ->> '$.usage') is not null;

create table mart_uploads_daily as
with counted as (
    select
        activity_date, cloud_name,
        case when actor_type = 'user' then 'user' else 'api' end as upload_source,
        asset_type, count(*) as uploads
    from activity
    where action = 'upload'
    group by all
),

grid as (
    select *
    from calendar
    cross join environments
    cross join (values ('api'), ('user')) as s (upload_source)
    cross join (
        select asset_type from warehouse.reference.asset_types
        union select asset_type from counted where asset_type is not null
    )
)

select
    g.calendar_date, g.cloud_name, g.upload_source, g.asset_type,
    coalesce(c.uploads, 0) as uploads,
    sum(coalesce(c.uploads, 0)) over (
        partition by g.cloud_name, g.upload_source, g.asset_type order by g.calendar_date
        rows between 6 preceding and current row
    )::bigint as uploads_past_7_days
from grid as g
left join counted as c
    on g.calendar_date = c.activity_date and g.cloud_name = c.cloud_name
    and g.upload_source = c.upload_source and g.asset_type = c.asset_type;

create table mart_assets_daily as
with first_uploads as (
    select cloud_name, asset_id, resource_type as asset_type, bytes, event_at as uploaded_at
    from notifications
    where notification_type = 'upload'
    qualify row_number() over (partition by cloud_name, asset_id order by event_at, notification_id) = 1
),

assets as (
    select
        u.cloud_name, u.asset_type, u.bytes, u.uploaded_at::date as uploaded_date,
        (
            select min(a.occurred_at) from activity as a
            where a.action = 'delete' and a.cloud_name = u.cloud_name
            and a.target_id = u.asset_id and a.occurred_at >= u.uploaded_at
        )::date as deleted_date
    from first_uploads as u
),

deltas as (
    select cloud_name, asset_type, calendar_date, sum(n) as assets, sum(b) as bytes
    from (
        select cloud_name, asset_type, uploaded_date as calendar_date, 1 as n, bytes as b from assets
        union all
        select cloud_name, asset_type, deleted_date, -1, -bytes from assets where deleted_date is not null
    )
    group by all
)

select
    g.calendar_date, g.cloud_name, g.asset_type,
    sum(coalesce(d.assets, 0)) over w as asset_count,
    sum(coalesce(d.bytes, 0)) over w as total_bytes
from (
    select * from calendar cross join environments
    cross join (select asset_type from warehouse.reference.asset_types)
) as g
left join deltas as d
    on g.calendar_date = d.calendar_date and g.cloud_name = d.cloud_name and g.asset_type = d.asset_type
window w as (
    partition by g.cloud_name, g.asset_type order by g.calendar_date
    rows between unbounded preceding and current row
);

create table mart_users_daily as
with snapshots as (
    select c.calendar_date, max(s.snapshot_date) as snapshot_date
    from calendar as c inner join (select distinct snapshot_date from users) as s
        on c.calendar_date >= s.snapshot_date
    group by c.calendar_date
),

counted as (
    select s.calendar_date, u.user_role, count(*) as users
    from snapshots as s inner join users as u on s.snapshot_date = u.snapshot_date
    where u.is_enabled and not u.is_pending
    group by all
)

select s.calendar_date, r.role as user_role, coalesce(c.users, 0) as users
from snapshots as s
cross join (select role from warehouse.reference.roles union select user_role from users) as r
left join counted as c on s.calendar_date = c.calendar_date and r.role = c.user_role;

-- Activity per scope and per user, and the active users built on them.
create table mart_scope_actions_daily as
select
    activity_date,
    coalesce(cloud_name, '(account)') as activity_scope,
    count(*) as actions,
    count(*) filter (where actor_type = 'user') as user_actions
from activity
group by all;

create table mart_user_actions_daily as
select activity_date, coalesce(cloud_name, '(account)') as activity_scope, actor_id as user_id,
    count(*) as actions
from activity
where actor_type = 'user' and actor_id is not null
group by all;

create table mart_active_users_daily as
with days as (
    select calendar_date from calendar
),

scope_windows as (
    select
        s.activity_scope, c.calendar_date,
        sum(coalesce(d.actions, 0)) over (w rows between 6 preceding and current row) as actions_7d,
        sum(coalesce(d.actions, 0)) over (w rows between 29 preceding and current row) as actions_30d
    from (select distinct activity_scope from mart_scope_actions_daily) as s
    cross join days as c
    left join mart_scope_actions_daily as d
        on s.activity_scope = d.activity_scope and c.calendar_date = d.activity_date
    window w as (partition by s.activity_scope order by c.calendar_date)
),

user_windows as (
    select
        p.activity_scope, p.user_id, c.calendar_date,
        sum(coalesce(d.actions, 0)) over (w rows between 6 preceding and current row) as actions_7d,
        sum(coalesce(d.actions, 0)) over (w rows between 29 preceding and current row) as actions_30d
    from (select distinct activity_scope, user_id from mart_user_actions_daily) as p
    cross join days as c
    left join mart_user_actions_daily as d
        on p.activity_scope = d.activity_scope and p.user_id = d.user_id
        and c.calendar_date = d.activity_date
    window w as (partition by p.activity_scope, p.user_id order by c.calendar_date)
)

select
    u.calendar_date, u.activity_scope, u.user_id,
    users.email, users.user_role, users.user_groups, users.last_login_at, users.created_at,
    coalesce(u.actions_7d, 0)::bigint as actions_7d,
    coalesce(u.actions_30d, 0)::bigint as actions_30d,
    coalesce(u.actions_7d, 0) * 1.0 / nullif(s.actions_7d, 0) as share_7d,
    coalesce(u.actions_30d, 0) * 1.0 / nullif(s.actions_30d, 0) as share_30d
from user_windows as u
inner join scope_windows as s on u.activity_scope = s.activity_scope and u.calendar_date = s.calendar_date
left join latest_users as users on u.user_id = users.user_id
where u.actions_30d > 0;

create table mart_collection_views_daily as
select view_date, cloud_name, collection_id, count(*) as views
from (
    select cloud_name, target_id as collection_id, min(activity_date) as view_date
    from activity
    where action = 'collection.opened'
    group by cloud_name, target_id, coalesce(view_id, activity_id)
)
group by all;

-- Collections and portals: state intervals [from, to) per subject, merged per subject and
-- counted per day.
create temp table container_events as
select
    activity_id, cloud_name,
    split_part(action, '.', 1) as container_type,
    target_id as container_id,
    split_part(action, '.', 2) as change,
    occurred_at, activity_date, details
from activity
where feed = 'dam_events' and (action like 'collection.%' or action like 'portal.%')
and target_id is not null;

create temp table container_intervals as
with alive as (
    select
        cloud_name, container_type, container_id,
        min(occurred_at) filter (where change = 'created') as created_at,
        min(activity_date) filter (where change = 'created') as created_date,
        min(activity_date) filter (where change = 'deleted') as deleted_date
    from container_events
    group by all
    having created_date is not null and (deleted_date is null or deleted_date > created_date)
),

published as (
    select
        a.cloud_name, a.container_type, a.container_id,
        greatest(e.activity_date, a.created_date) as from_date,
        least(e.next_date, a.deleted_date) as to_date
    from (
        select *, lead(activity_date) over (
            partition by cloud_name, container_type, container_id order by occurred_at, activity_id
        ) as next_date
        from container_events
        where change in ('published', 'unpublished')
    ) as e
    inner join alive as a using (cloud_name, container_type, container_id)
    where e.change = 'published' and e.occurred_at >= a.created_at
),

member_changes as (
    select
        cloud_name, container_type, container_id, change, occurred_at, activity_id,
        activity_date, json_extract_string(unnest(
            case json_type(details, '$.asset_ids')
                when 'ARRAY' then json_extract(details, '$.asset_ids[*]')::varchar[]
                when 'OBJECT' then json_extract(details, '$.asset_ids.*')::varchar[]
            end
        ), '$') as asset_id
    from container_events
    where change in ('assets_added', 'assets_removed')
),

memberships as (
    select
        a.cloud_name, a.container_type, a.container_id, m.asset_id,
        greatest(m.activity_date, a.created_date) as from_date,
        least(m.next_date, a.deleted_date) as to_date
    from (
        select *, lead(activity_date) over (
            partition by cloud_name, container_type, container_id, asset_id
            order by occurred_at, activity_id
        ) as next_date
        from member_changes
    ) as m
    inner join alive as a using (cloud_name, container_type, container_id)
    where m.change = 'assets_added' and m.occurred_at >= a.created_at
)

select * from (
    select cloud_name, container_type, 'containers' as metric, container_id as subject_id,
        created_date as from_date, deleted_date as to_date
    from alive
    union all
    select cloud_name, container_type, 'published_containers', container_id, from_date, to_date
    from published
    union all
    select cloud_name, container_type, 'assets_in_containers', asset_id, from_date, to_date
    from memberships
    union all
    select m.cloud_name, m.container_type, 'assets_in_published', m.asset_id,
        greatest(m.from_date, p.from_date), least(m.to_date, p.to_date)
    from memberships as m
    inner join published as p using (cloud_name, container_type, container_id)
)
where to_date is null or to_date > from_date;

create temp table container_counts as
with intervals as (
    select distinct
        cloud_name, container_type, metric, subject_id, from_date,
        coalesce(to_date, date '9999-12-31') as to_date
    from container_intervals
),

islands as (
    select *, sum(case when reach is null or from_date > reach then 1 else 0 end) over (
        partition by cloud_name, container_type, metric, subject_id order by from_date, to_date
        rows between unbounded preceding and current row
    ) as island
    from (
        select *, max(to_date) over (
            partition by cloud_name, container_type, metric, subject_id order by from_date, to_date
            rows between unbounded preceding and 1 preceding
        ) as reach
        from intervals
    )
),

merged as (
    select cloud_name, container_type, metric, min(from_date) as from_date, max(to_date) as to_date
    from islands
    group by cloud_name, container_type, metric, subject_id, island
),

deltas as (
    select cloud_name, container_type, metric, calendar_date, sum(delta) as delta
    from (
        select cloud_name, container_type, metric, from_date as calendar_date, 1 as delta from merged
        union all
        select cloud_name, container_type, metric, to_date, -1 from merged
        where to_date < date '9999-12-31'
    )
    group by all
)

select
    g.calendar_date, g.cloud_name, g.container_type, g.metric,
    sum(coalesce(d.delta, 0)) over (
        partition by g.cloud_name, g.container_type, g.metric order by g.calendar_date
        rows between unbounded preceding and current row
    ) as subjects
from (
    select * from calendar cross join environments
    cross join (values ('collection'), ('portal')) as t (container_type)
    cross join (
        values ('containers'), ('published_containers'), ('assets_in_containers'),
        ('assets_in_published')
    ) as m (metric)
) as g
left join deltas as d using (calendar_date, cloud_name, container_type, metric);

create table mart_collections_daily as
select
    calendar_date, cloud_name,
    sum(subjects) filter (where metric = 'containers') as collections,
    sum(subjects) filter (where metric = 'assets_in_containers') as assets_in_collections,
    sum(subjects) filter (where metric = 'published_containers') as published_collections,
    sum(subjects) filter (where metric = 'assets_in_published') as assets_in_published_collections
from container_counts
where container_type = 'collection'
group by all;

create table mart_portals_daily as
select
    calendar_date, cloud_name,
    sum(subjects) filter (where metric = 'containers') as portals,
    sum(subjects) filter (where metric = 'published_containers') as live_portals,
    sum(subjects) filter (where metric = 'assets_in_published') as assets_in_live_portals
from container_counts
where container_type = 'portal'
group by all;

create table mart_collection_publications as
select
    i.cloud_name, i.subject_id as collection_id, n.collection_name,
    i.from_date as published_from, i.to_date as published_to
from container_intervals as i
left join (
    select cloud_name, target_id, max(details ->> '$.name') as collection_name
    from activity
    where action = 'collection.created'
    group by all
) as n on i.cloud_name = n.cloud_name and i.subject_id = n.target_id
where i.container_type = 'collection' and i.metric = 'published_containers';

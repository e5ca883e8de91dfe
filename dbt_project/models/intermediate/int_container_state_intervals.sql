{#-
    The state of collections and portals as day intervals [from_date, to_date): a subject
    counts on day D when from_date <= D < to_date (to_date null = still so). Day
    granularity gives the state at the end of each day; least() skips nulls, so an open
    end (null) yields to a known one. Metrics:
      containers              a collection / portal exists (created, not yet deleted)
      published_containers    it exists and its latest published/unpublished is published
      assets_in_containers    an asset is in some existing container (subject = asset)
      assets_in_published     an asset is in some published container (subject = asset)
    Keyed by container: a run replays the containers whose events it changes
    (int_containers_touched; macros/incremental.sql). first_arrival_date and
    last_arrival_date span the arrival days of the container's events; invocation_id names
    the dbt run that replayed it. container_hash and subject_hash, the hashes of the
    container's and the subject's keys, let a run find its touched containers and subjects
    without hashing every interval's keys.
-#}
{%- set container = 'cloud_name, container_type, container_id' %}
{{ config(
    materialized=arrival_window_materialization(),
    incremental_strategy='append',
    pre_hook="{{ delete_touched_entities('cloud_name, container_type, container_id', ref('int_containers_touched'), stored_hash='container_hash') }}",
) }}
-- depends_on: {{ ref('int_containers_touched') }}

with container_events as (
    select * from {{ ref('int_container_events') }}
    where {{ in_touched_entities(
        ref('int_container_events'),
        container,
        ref('int_containers_touched'),
        stored_hash='container_hash',
    ) }}
),

lifetimes as (
    select
        cloud_name,
        container_type,
        container_id,
        min(case when change = 'created' then occurred_at end) as created_at,
        min(case when change = 'created' then activity_date end) as created_date,
        min(case when change = 'deleted' then activity_date end) as deleted_date,
        min(arrival_date) as first_arrival_date,
        max(arrival_date) as last_arrival_date
    from container_events
    group by cloud_name, container_type, container_id
),

alive as (
    select * from lifetimes
    where
        created_date is not null
        and (deleted_date is null or deleted_date > created_date)
),

publication_changes as (
    select
        *,
        lead(activity_date) over (
            partition by cloud_name, container_type, container_id
            order by occurred_at, activity_id
        ) as next_change_date
    from container_events
    where change in ('published', 'unpublished')
),

published as (
    select
        alive.cloud_name,
        alive.container_type,
        alive.container_id,
        greatest(changes.activity_date, alive.created_date) as from_date,
        least(changes.next_change_date, alive.deleted_date) as to_date,
        alive.first_arrival_date,
        alive.last_arrival_date
    from publication_changes as changes
    inner join alive
        on
            changes.cloud_name = alive.cloud_name
            and changes.container_type = alive.container_type
            and changes.container_id = alive.container_id
    where changes.change = 'published' and changes.occurred_at >= alive.created_at
),

membership_changes as (
    select
        *,
        {{ unnest_list(json_elements('details', '$.asset_ids')) }} as asset_json
    from container_events
    where change in ('assets_added', 'assets_removed')
),

membership_changes_typed as (
    select
        cloud_name,
        container_type,
        container_id,
        change,
        occurred_at,
        activity_id,
        activity_date,
        {{ json_text('asset_json', '$') }} as asset_id
    from membership_changes
),

membership_sequences as (
    select
        *,
        lead(activity_date) over (
            partition by cloud_name, container_type, container_id, asset_id
            order by occurred_at, activity_id
        ) as next_change_date
    from membership_changes_typed
),

memberships as (
    select
        members.cloud_name,
        members.container_type,
        members.container_id,
        members.asset_id,
        greatest(members.activity_date, alive.created_date) as from_date,
        least(members.next_change_date, alive.deleted_date) as to_date,
        alive.first_arrival_date,
        alive.last_arrival_date
    from membership_sequences as members
    inner join alive
        on
            members.cloud_name = alive.cloud_name
            and members.container_type = alive.container_type
            and members.container_id = alive.container_id
    where members.change = 'assets_added' and members.occurred_at >= alive.created_at
),

published_memberships as (
    select
        memberships.cloud_name,
        memberships.container_type,
        memberships.container_id,
        memberships.asset_id,
        greatest(memberships.from_date, published.from_date) as from_date,
        least(memberships.to_date, published.to_date) as to_date,
        memberships.first_arrival_date,
        memberships.last_arrival_date
    from memberships
    inner join published
        on
            memberships.cloud_name = published.cloud_name
            and memberships.container_type = published.container_type
            and memberships.container_id = published.container_id
),

unioned as (
    select
        {{ container }},
        'containers' as metric,
        container_id as subject_id,
        created_date as from_date,
        deleted_date as to_date,
        first_arrival_date,
        last_arrival_date
    from alive
    union all
    select
        {{ container }},
        'published_containers' as metric,
        container_id as subject_id,
        from_date,
        to_date,
        first_arrival_date,
        last_arrival_date
    from published
    union all
    select
        {{ container }},
        'assets_in_containers' as metric,
        asset_id as subject_id,
        from_date,
        to_date,
        first_arrival_date,
        last_arrival_date
    from memberships
    union all
    select
        {{ container }},
        'assets_in_published' as metric,
        asset_id as subject_id,
        from_date,
        to_date,
        first_arrival_date,
        last_arrival_date
    from published_memberships
)

select
    *,
    {{ key_hash(container) }} as container_hash,
    {{ key_hash('cloud_name, container_type, metric, subject_id') }} as subject_hash,
    '{{ invocation_id }}' as invocation_id
from unioned
where to_date is null or to_date > from_date

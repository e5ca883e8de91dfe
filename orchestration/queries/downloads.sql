-- Table macros of the published marts: the dashboard's top-10 lists and full downloads
-- for any window. Dates are inclusive: first_day <= day <= last_day. Every metric is per
-- product environment: `environment` names one, and by default each gets its own list.

-- The collections viewed most in the window, top_n per product environment, most views
-- first, then by id.
create or replace macro top_collections(
    first_day, last_day, environment := null, top_n := 10
) as table
with viewed as (
    select cloud_name, collection_id, cast(sum(views) as bigint) as views
    from mart_collection_views_daily
    where view_date between first_day and last_day
        and (environment is null or cloud_name = environment)
    group by cloud_name, collection_id
)
select
    cloud_name,
    cast(row_number() over (partition by cloud_name order by views desc, collection_id)
        as bigint) as position,
    collection_id,
    views
from viewed
qualify position <= top_n
order by cloud_name, position;

-- Every collection published at the end of last_day, with its views in the window,
-- zero-view ones included; per product environment, most views first, then by id.
create or replace macro published_collections_by_views(
    first_day, last_day, environment := null
) as table
select
    publications.cloud_name,
    publications.collection_id,
    publications.collection_name,
    cast(coalesce(sum(views.views), 0) as bigint) as views
from mart_collection_publications as publications
left join mart_collection_views_daily as views
    on publications.cloud_name = views.cloud_name
    and publications.collection_id = views.collection_id
    and views.view_date between first_day and last_day
where publications.published_from <= last_day
    and (publications.published_to is null or publications.published_to > last_day)
    and (environment is null or publications.cloud_name = environment)
group by publications.cloud_name, publications.collection_id, publications.collection_name
order by publications.cloud_name, views desc, publications.collection_id;

-- Every user of the latest snapshot (disabled and pending flagged) and every other actor
-- seen in the scope, with actions in the window_days complete days before as_of_date
-- (as_of_date - window_days <= day < as_of_date), ordered by actions then e-mail; tied
-- users share a rank.
create or replace macro users_by_activity(scope, as_of_date, window_days := 30) as table
with actions as (
    select user_id, sum(actions) as actions
    from mart_user_actions_daily
    where activity_scope = scope
        and activity_date >= as_of_date - cast(window_days as integer)
        and activity_date < as_of_date
    group by user_id
),
scope_total as (
    select sum(actions) as actions
    from mart_scope_actions_daily
    where activity_scope = scope
        and activity_date >= as_of_date - cast(window_days as integer)
        and activity_date < as_of_date
),
everyone as (
    select user_id from dim_users
    union
    select user_id from mart_user_actions_daily where activity_scope = scope
)
select
    cast(rank() over (order by coalesce(actions.actions, 0) desc) as bigint) as rank,
    everyone.user_id,
    users.email,
    users.user_role,
    users.user_groups,
    users.last_login_at,
    users.created_at,
    coalesce(users.is_enabled, false) as is_enabled,
    coalesce(users.is_pending, false) as is_pending,
    users.user_id is null as missing_from_snapshot,
    cast(coalesce(actions.actions, 0) as bigint) as actions,
    cast(coalesce(actions.actions, 0) as double)
        / nullif((select scope_total.actions from scope_total), 0) as share_of_activity
from everyone
left join dim_users as users on everyone.user_id = users.user_id
left join actions on everyone.user_id = actions.user_id
order by actions desc, users.email nulls last, everyone.user_id;

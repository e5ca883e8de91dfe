-- The rows of an activity report: every account-level action, and every action on a
-- product environment that is tracking-enabled in the latest account snapshot, on the days
-- strictly between {start} and {end} (dates the report writer fills in), in time order.
select
    cast(activity.occurred_at as timestamp) as occurred_at,
    coalesce(activity.cloud_name, '(account)') as product_environment,
    coalesce(activity.actor_email, activity.actor_id, activity.actor_type) as actor,
    activity.action,
    activity.category,
    activity.target_type,
    activity.target_id,
    activity.asset_type,
    activity.details
from core.fct_dam_activity as activity
left join core.dim_product_environments as environments
    on activity.cloud_name = environments.cloud_name
where activity.activity_date > date '{start}'
    and activity.activity_date < date '{end}'
    and (activity.cloud_name is null or environments.tracking_enabled)
order by activity.occurred_at, activity.activity_id

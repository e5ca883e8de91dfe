-- Every product environment the warehouse has seen, in snapshots or in activity.
with seen as (
    select cloud_name from {{ ref('stg_dam__product_environments') }}
    union
    select cloud_name from {{ ref('int_activity_unioned') }}
    where cloud_name is not null
    union
    select cloud_name from {{ ref('stg_dam__usage') }}
)

select cloud_name from seen

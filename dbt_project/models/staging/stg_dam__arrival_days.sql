-- The arrival days the raw layer holds, one row per feed and day: what a build is made of.
with arrivals as (
    select distinct
        'account' as feed,
        arrival_date
    from {{ source('dam', 'account') }}
    union all
    select distinct
        'users' as feed,
        arrival_date
    from {{ source('dam', 'users') }}
    union all
    select distinct
        'usage' as feed,
        arrival_date
    from {{ source('dam', 'usage') }}
    union all
    select distinct
        'notifications' as feed,
        arrival_date
    from {{ source('dam', 'notifications') }}
    union all
    select distinct
        'dam_events' as feed,
        arrival_date
    from {{ source('dam', 'dam_events') }}
),

final as (
    select * from arrivals
)

select * from final

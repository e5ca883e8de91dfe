{#-
    Each subject's state intervals merged into islands: a subject (a container, or an
    asset that may be in several containers at once) counts once a day however many of
    its intervals hold. first_arrival_date and last_arrival_date span the arrival days of
    every container the subject's intervals come from.

    Keyed by subject: a run recomputes, over all of their intervals, the subjects
      - of the intervals its container replay wrote (their invocation_id is this run's),
      - stored from containers whose events' arrival days span its window (a day loaded
        again may have taken an interval away),
      - named by the containers with an event delivered in its window (the container, and
        the assets its additions list), since a replay may have left one with none.
    A touched subject with no interval left gets one row without dates, which replaces
    its islands and which the post-hook then removes. The touched subjects' intervals are
    found by the hash of the subject's key (subject_hash), and their stored islands are
    replaced by it: every subject sharing a touched subject's hash is recomputed with it.
-#}
{%- set subject = 'cloud_name, container_type, metric, subject_id' %}
{%- set open_end = "cast('9999-12-31' as date)" %}
{#- A subject's intervals in the order the windows below walk them. #}
{%- set in_subject_order = 'partition by ' ~ subject ~ ' order by from_date, to_date' %}
{{ config(
    materialized=arrival_window_materialization(),
    incremental_strategy='delete+insert',
    unique_key='subject_hash',
    post_hook="{% if is_incremental() %}delete from {{ this }} where from_date is null{% endif %}",
) }}
-- depends_on: {{ ref('int_container_events') }}

with
{% if is_incremental() %}
window_containers as (
    {{ window_keys(ref('int_container_events'), 'cloud_name, container_type, container_id') }}
),

window_additions as (
    select
        cloud_name,
        container_type,
        {{ unnest_list(json_elements('details', '$.asset_ids')) }} as asset_json
    from {{ ref('int_container_events') }}
    where rowid in (
        select rowid from {{ ref('int_container_events') }}
        where
            change = 'assets_added'
            and {{ key_in(
                'cloud_name, container_type, container_id',
                'select * from window_containers',
                'container_hash',
            ) }}
    )
),

touched_subjects as (
    select {{ subject }} from {{ ref('int_container_state_intervals') }}
    where invocation_id = '{{ invocation_id }}'
    union
    select {{ subject }} from {{ this }}
    where {{ arrival_span_in_window() }}
    union
    select
        window_containers.cloud_name,
        window_containers.container_type,
        metrics.metric,
        window_containers.container_id as subject_id
    from window_containers
    cross join (values ('containers'), ('published_containers')) as metrics (metric)
    union
    select
        window_additions.cloud_name,
        window_additions.container_type,
        metrics.metric,
        {{ json_text('window_additions.asset_json', '$') }} as subject_id
    from window_additions
    cross join (values ('assets_in_containers'), ('assets_in_published')) as metrics (metric)
),
{% endif %}

subject_intervals as (
    select * from {{ ref('int_container_state_intervals') }}
    {% if is_incremental() -%}
        where {{ key_in(subject, 'select * from touched_subjects', 'subject_hash') }}
    {%- endif %}
),

-- Distinct intervals, so that (from_date, to_date) orders a subject's intervals totally and
-- the windows below see them in the same order; each keeps the arrival days it comes from.
intervals as (
    select
        {{ subject }},
        from_date,
        coalesce(to_date, {{ open_end }}) as to_date,
        min(first_arrival_date) as first_arrival_date,
        max(last_arrival_date) as last_arrival_date
    from subject_intervals
    group by {{ subject }}, from_date, coalesce(to_date, {{ open_end }})
),

reaches as (
    select
        {{ subject }},
        from_date,
        to_date,
        max(to_date) over (
            {{ in_subject_order }}
            rows between unbounded preceding and 1 preceding
        ) as reach,
        -- The reach's window, with the whole partition as frame: one sort serves all three.
        min(first_arrival_date) over (
            {{ in_subject_order }}
            rows between unbounded preceding and unbounded following
        ) as first_arrival_date,
        max(last_arrival_date) over (
            {{ in_subject_order }}
            rows between unbounded preceding and unbounded following
        ) as last_arrival_date
    from intervals
),

numbered as (
    select
        *,
        sum(case when reach is null or from_date > reach then 1 else 0 end) over (
            {{ in_subject_order }}
            rows between unbounded preceding and current row
        ) as island
    from reaches
),

islands as (
    select
        {{ subject }},
        min(from_date) as from_date,
        max(to_date) as to_date,
        first_arrival_date,
        last_arrival_date
    from numbered
    group by {{ subject }}, island, first_arrival_date, last_arrival_date
),

subject_islands as (
    select
        {{ subject }},
        from_date,
        nullif(to_date, {{ open_end }}) as to_date,
        first_arrival_date,
        last_arrival_date
    from islands
    {% if is_incremental() %}
    union all
    select
        touched_subjects.*,
        cast(null as date) as from_date,
        cast(null as date) as to_date,
        cast(null as date) as first_arrival_date,
        cast(null as date) as last_arrival_date
    from touched_subjects
    where not exists (
        select 1 from intervals
        where {{ same_keys(subject, 'intervals', 'touched_subjects') }}
    )
    {% endif %}
),

final as (
    select
        *,
        {{ key_hash(subject) }} as subject_hash
    from subject_islands
)

select * from final

{#- How a model loaded by arrival day keeps its rows. DuckDB replaces what a run's arrival
    window touches (the macros below); Spark's plain Parquet tables cannot delete rows, so
    there the model is rebuilt whole on every run. -#}
{% macro arrival_window_materialization() -%}
    {{ return(adapter.dispatch('arrival_window_materialization', 'dam_usage')()) }}
{%- endmacro %}

{% macro default__arrival_window_materialization() -%}
    {{ return('incremental') }}
{%- endmacro %}

{% macro spark__arrival_window_materialization() -%}
    {{ return('table') }}
{%- endmacro %}

{#- Models whose rows belong to an arrival day (a snapshot): a run deletes its window's rows
    (pre-hook) and appends what its window now holds (in_loaded_window). -#}
{% macro delete_arrival_window(column) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ in_arrival_window(column) }}
    {%- endif -%}
{%- endmacro %}

{#- The rows of this run's arrival window, or every row when the model is built whole. -#}
{% macro in_loaded_window(column) -%}
    {%- if is_incremental() -%}{{ in_arrival_window(column) }}{%- else -%}true{%- endif -%}
{%- endmacro %}

{#- Models keyed by a delivered record (dbt's delete+insert on that key): a run recomputes
    every key its window touches, over all of the key's deliveries. A key is touched when
    the upstream holds it from the window, or when this model stored it from the window
    (a reloaded day may have lost it, or a backfilled earlier day taken it over). The cost
    follows the window, not the history. -#}
{% macro window_keys(relation, columns, where=none, arrival_column='arrival_date') -%}
    select {{ columns }} from {{ relation }}
    where {{ in_arrival_window(arrival_column) }}{% if where %} and {{ where }}{% endif %}
{%- endmacro %}

{#- The 64-bit hash of a record's key (record_hash), stored beside it: a keyed model finds
    and replaces its records by it, reading 8 bytes a row instead of every key string of
    the table. Each run reads and writes whole buckets of records sharing a hash, so a
    collision costs one more record recomputed, never a wrong row. DuckDB's hash() is fast
    but not promised stable between versions: the keyed models check it first
    (assert_key_hashes_current). On Spark, which rebuilds the tables whole, it is only
    carried along. -#}
{% macro key_hash(column) -%}
    {{ return(adapter.dispatch('key_hash', 'dam_usage')(column)) }}
{%- endmacro %}

{% macro default__key_hash(column) -%}
    hash({{ column }})
{%- endmacro %}

{% macro spark__key_hash(column) -%}
    xxhash64({{ column }})
{%- endmacro %}

{#- Pre-hook of a model keyed by record_hash: stops a run whose DuckDB hashes keys otherwise
    than the one that stored them, which would find no stored record again. -#}
{% macro assert_key_hashes_current(column) -%}
    {%- if is_incremental() -%}
        {{ stop_on_stale_hashes(
            this, 'record_hash', column, 'rebuild it with --full-refresh'
        ) }}
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of a staging model that finds its deliveries in raw by the stored key_hash:
    stops a run whose DuckDB hashes keys otherwise than the ingest that stored them, which
    would miss the touched records' deliveries. The ingest hashes such a table again on its
    next load, so loading any day puts it right. -#}
{% macro assert_raw_key_hashes_current(relation, columns) -%}
    {%- if is_incremental() -%}
        {{ stop_on_stale_hashes(
            relation,
            'key_hash',
            columns,
            'load a day (dam-usage run) so that the ingest hashes it again',
        ) }}
    {%- endif -%}
{%- endmacro %}

{#- Fails when one stored row's `hash_column` is not the running DuckDB's hash of its key
    (`columns`), saying what puts `relation` right (one row tells: a DuckDB version hashes
    every key alike). -#}
{% macro stop_on_stale_hashes(relation, hash_column, columns, remedy) -%}
    select error('{{ relation }} holds key hashes of another DuckDB version: {{ remedy }}')
    from (select {{ hash_column }}, {{ columns }} from {{ relation }} limit 1) as stored
    where stored.{{ hash_column }} is distinct from {{ key_hash(columns) }}
{%- endmacro %}

{% macro in_touched_keys(columns, upstream_window_keys, this_columns=none, stored_hash=none) -%}
    {%- if is_incremental() -%}
        {{ key_in(
            columns,
            upstream_window_keys ~ ' union all ' ~ window_keys(this, this_columns or columns),
            stored_hash,
        ) }}
    {%- else -%}true{%- endif -%}
{%- endmacro %}

{#- Whether a row's key (`columns`) is among `keys`, a query of as many columns in the same
    order. The key's hash is compared, not its strings: DuckDB then probes 8 bytes a row of
    a large table, where a join on several key strings takes seconds at tens of millions
    of rows. A key sharing a touched key's hash is taken along (recomputed, or deleted and
    rebuilt, like the touched one), so a collision costs work, never a wrong row, as long
    as a model selects and deletes by the same hash; a null compares equal to a null. A
    key that is a hash already (record_hash) is compared as it is; `stored_hash` names a
    column that holds the row's key hash already (the raw tables' key_hash), so that not
    even the key's strings are read. The touched keys' hashes are made distinct: DuckDB
    then expects few of them and builds its hash table on them, where it would otherwise
    expect a share of each table the keys come from and build it on the large table.
    -#}
{% macro key_in(columns, keys, stored_hash=none) -%}
    {%- set names = columns.split(',') | map('trim') | list -%}
    {%- if names == ['record_hash'] -%}
        record_hash in ({{ keys }})
    {%- else -%}
        {%- set positions = [] -%}
        {%- for name in names -%}{%- do positions.append('key_' ~ loop.index) -%}{%- endfor -%}
        {{ stored_hash or key_hash(names | join(', ')) }} in (
            select distinct {{ key_hash(positions | join(', ')) }}
            from ({{ keys }}) as keys ({{ positions | join(', ') }})
        )
    {%- endif -%}
{%- endmacro %}

{#- Post-hook of a keyed model: a key stored from the window that no day delivers any more
    (delete+insert replaced every key still delivered). -#}
{% macro delete_keys_gone_from_window(columns, upstream_window_keys) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ in_arrival_window('arrival_date') }} and ({{ columns }}) not in ({{ upstream_window_keys }})
    {%- endif -%}
{%- endmacro %}

{#- The rows of relation (those matching `where`) whose keys are touched (by default: its
    own keys delivered in the window), found by rowid: DuckDB then reads the wide columns
    (payloads) of the rows it keeps only, not of every row the key filter drops. Every
    filter belongs inside, so that DuckDB builds its hash table on the few rowids. -#}
{% macro in_touched_rows(
    relation, columns, this_columns=none, upstream_window_keys=none, where=none, stored_hash=none
) -%}
    {%- if is_incremental() -%}
        rowid in (
            select rowid from {{ relation }}
            where {% if where %}{{ where }} and {% endif %}{{ in_touched_keys(
                columns,
                upstream_window_keys or window_keys(relation, columns),
                this_columns,
                stored_hash,
            ) }}
        )
    {%- else -%}{{ where or 'true' }}{%- endif -%}
{%- endmacro %}

{#- Models keyed by an entity that many records build up (a container from its events): a
    run replaces the entities named in `touched`, a model of the run_state schema that
    lists them before the upstream changes (int_containers_touched): the pre-hook deletes
    them, and the model builds them again from all of their records. Where the list names
    the key columns otherwise, `touched_columns` gives them in the same order; `where`
    keeps some rows of the list (alias `touched`); `stored_hash` names a column holding
    the hash of each row's key, as in key_in. -#}
{% macro delete_touched_entities(
    columns, touched, touched_columns=none, where=none, stored_hash=none
) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ key_in(
            columns, touched_keys(touched, touched_columns or columns, where), stored_hash
        ) }}
    {%- endif -%}
{%- endmacro %}

{#- The keys of the entities a run_state list names. -#}
{% macro touched_keys(touched, columns, where=none) -%}
    select {{ columns }} from {{ touched }} as touched{% if where %} where {{ where }}{% endif %}
{%- endmacro %}

{#- A filter given as `where` is applied inside the lookup, so that DuckDB reads the other
    columns of the touched rows only, not of every row the filter keeps. -#}
{% macro in_touched_entities(relation, columns, touched, where=none, stored_hash=none) -%}
    {%- if is_incremental() -%}
        rowid in (
            select rowid from {{ relation }}
            where {% if where %}{{ where }} and {% endif -%}
                {{ key_in(columns, touched_keys(touched, columns), stored_hash) }}
        )
    {%- else -%}{{ where or 'true' }}{%- endif -%}
{%- endmacro %}

{#- Marts keyed by collection (cloud_name, collection_id) replace the collections among the
    containers a run changes, and build them again from all of their rows in a
    container-keyed model (`relation`: the events, or the state, both of which store each
    row's container_hash). Such a mart names its dependency in a comment:
    `-- depends_on: {{ ref('int_containers_touched') }}`. -#}
{% macro in_touched_collections(relation, where) -%}
    {{ in_touched_entities(
        relation,
        'cloud_name, container_type, container_id',
        ref('int_containers_touched'),
        where="container_type = 'collection' and " ~ where,
        stored_hash='container_hash',
    ) }}
{%- endmacro %}

{% macro delete_touched_collections() -%}
    {{ delete_touched_entities(
        'cloud_name, collection_id',
        ref('int_containers_touched'),
        touched_columns='cloud_name, container_id',
        where="touched.container_type = 'collection'",
    ) }}
{%- endmacro %}

{#- The run_state models list what a run changes in a keyed model before it runs, reading
    its stored rows: `stored`, a table of the source `stored` (a ref would be a cycle).
    The relation, or none before the model's first build. -#}
{% macro existing_relation(stored) -%}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {{ return(adapter.get_relation(
        database=stored.database, schema=stored.schema, identifier=stored.identifier
    )) }}
{%- endmacro %}

{#- Whether this run recomputes a window of `stored` (or builds it whole, when it is not
    there yet, on a full refresh, or on a target that rebuilds every table). -#}
{% macro recomputes_window(stored) -%}
    {{ return(
        stored is not none and not flags.FULL_REFRESH
        and arrival_window_materialization() == 'incremental'
    ) }}
{%- endmacro %}

{#- Key columns equal, a null (an account-level record's environment) equal to a null. -#}
{% macro same_keys(columns, left, right) -%}
    {%- for column in columns.split(',') | map('trim') -%}
        {{ left }}.{{ column }} is not distinct from {{ right }}.{{ column }}
        {%- if not loop.last %} and {% endif -%}
    {%- endfor -%}
{%- endmacro %}

{#- The record hashes of the activity delivered in this run's window, from both feeds:
    what int_activity_unioned recomputes, beside what it stored from the window. -#}
{% macro activity_delivered_in_window() -%}
    {{ window_keys(ref('stg_dam__events'), 'record_hash') }}
    union all
    {{ window_keys(ref('stg_dam__notification_assets'), 'record_hash') }}
{%- endmacro %}

{#- Day-grained marts of int_activity_unioned: a run deletes the activity days it changed
    (pre-hook) and appends them recomputed from the activity of those days alone. A day
    left with no activity keeps no row. Such a model names its dependency in a comment:
    `-- depends_on: {{ ref('int_activity_days_touched') }}`. -#}
{% macro delete_touched_activity_days(column) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ in_touched_activity_days(column) }}
    {%- endif -%}
{%- endmacro %}

{% macro in_touched_activity_days(column) -%}
    {%- if is_incremental() -%}
        {{ column }} in (select activity_date from {{ ref('int_activity_days_touched') }})
    {%- else -%}true{%- endif -%}
{%- endmacro %}

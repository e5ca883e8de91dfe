"""The quarantine rules of orchestration/ingest/feeds.py, in Spark SQL.

The same checks, in the same order, with the same reasons, over Spark's VARIANT type
(`doc` is the parsed record): tests/orchestration/spark compares both loaders on every bad
record the DuckDB loader's tests know. A feed's `fields` are named expressions its checks
and columns share; its `columns` fill the raw table after arrival_date and source_file.
"""

from __future__ import annotations

from dataclasses import dataclass


def member(value: str, path: str) -> str:
    """The JSON value at a path (`$.a.b`) of a variant; SQL null when absent."""
    return f"variant_get({value}, '{path}')"


def kind(value: str) -> str:
    """The JSON type: OBJECT, ARRAY, STRING, BIGINT, DECIMAL, DOUBLE, BOOLEAN or NULL."""
    return (
        f"case when {value} is null then null when is_variant_null({value}) then 'NULL' "
        f"else regexp_extract(schema_of_variant({value}), '^[A-Z]+', 0) end"
    )


def json_text(value: str) -> str:
    """A JSON value as text, only when it is a JSON string."""
    return f"case when {kind(value)} = 'STRING' then variant_get({value}, '$', 'string') end"


def any_text(value: str) -> str:
    """Any JSON value as text (a string unquoted, anything else as JSON); null stays null."""
    return (
        f"case {kind(value)} when 'NULL' then null "
        f"when 'STRING' then variant_get({value}, '$', 'string') else to_json({value}) end"
    )


def utc_timestamp(text: str) -> str:
    return f"try_cast({text} as timestamp)"


def _empty_text(value: str) -> str:
    return f"coalesce(trim({json_text(value)}), '') = ''"


def _present(value: str) -> str:
    return f"({value} is not null and not is_variant_null({value}))"


def _count_with(elements: str, key: str) -> str:
    """How many elements of a variant list have a non-null value under `key`."""
    return f"size(filter({elements}, e -> {_present(member('e', '$.' + key))}))"


def _time_checks(value: str, label: str) -> tuple[tuple[str, str], ...]:
    moment = utc_timestamp(json_text(value))
    return (
        (f"{value} is null", f"'missing {label}'"),
        (f"{kind(value)} <> 'STRING'", f"'{label} is not a string: ' || to_json({value})"),
        (f"{moment} is null", f"'unparseable {label}: ' || {any_text(value)}"),
        (
            f"{moment} >= cast(date_add(arrival_date, 2) as timestamp)",
            f"'{label} after its arrival day: ' || {any_text(value)}",
        ),
        (f"{moment} < timestamp '1970-01-01'", f"'{label} before 1970: ' || {any_text(value)}"),
    )


@dataclass(frozen=True)
class SparkRules:
    ddl: str  # the raw table's columns, after arrival_date and source_file
    fields: tuple[tuple[str, str], ...]  # (name, expression), in order
    checks: tuple[tuple[str, str], ...]
    columns: tuple[str, ...]


ENVIRONMENTS = member("doc", "$.product_environments")
USERS = member("doc", "$.users")
RESOURCES = "resources_json"
RESOURCE_ELEMENTS = (
    f"case {kind(RESOURCES)} when 'ARRAY' then cast({RESOURCES} as array<variant>) "
    f"when 'OBJECT' then map_values(cast({RESOURCES} as map<string, variant>)) end"
)
TIMES = ("triggered_at_json", "timestamp_json", "created_at_json")

RULES: dict[str, SparkRules] = {
    "account": SparkRules(
        ddl="account_id string, plan string, payload string",
        fields=(),
        checks=(
            (_empty_text(member("doc", "$.account_id")), "'missing account_id'"),
            (_empty_text(member("doc", "$.plan")), "'missing plan'"),
            (
                f"{kind(ENVIRONMENTS)} is distinct from 'ARRAY'",
                "'product_environments is not a list'",
            ),
            (
                _count_with(f"cast({ENVIRONMENTS} as array<variant>)", "cloud_name")
                + f" <> size(cast({ENVIRONMENTS} as array<variant>))",
                "'a product environment has no cloud_name'",
            ),
        ),
        columns=(
            any_text(member("doc", "$.account_id")),
            any_text(member("doc", "$.plan")),
            "text",
        ),
    ),
    "users": SparkRules(
        ddl="user_count int, payload string",
        fields=(),
        checks=(
            (f"{kind(USERS)} is distinct from 'ARRAY'", "'users is not a list'"),
            (
                _count_with(f"cast({USERS} as array<variant>)", "id")
                + f" <> size(cast({USERS} as array<variant>))",
                "'a user has no id'",
            ),
            (
                f"{member('doc', '$.user_groups')} is not null"
                f" and {kind(member('doc', '$.user_groups'))} not in ('ARRAY', 'NULL')",
                "'user_groups is not a list'",
            ),
        ),
        columns=(f"size(cast({USERS} as array<variant>))", "text"),
    ),
    "usage": SparkRules(
        ddl="cloud_name string, payload string",
        fields=(),
        checks=(),
        columns=("cloud_name", "text"),
    ),
    "notifications": SparkRules(
        ddl=(
            "line_number bigint, cloud_name string, notification_type string, "
            "event_at timestamp, payload_hash string, payload string"
        ),
        fields=(
            ("notification_type_json", member("doc", "$.notification_type")),
            ("triggered_at_json", member("doc", "$.notification_context.triggered_at")),
            ("timestamp_json", member("doc", "$.timestamp")),
            ("created_at_json", member("doc", "$.created_at")),
            ("asset_id_json", member("doc", "$.asset_id")),
            ("resource_type_json", member("doc", "$.resource_type")),
            ("resources_json", member("doc", "$.resources")),
            (
                "event_time",
                f"case when {_present(TIMES[0])} then {TIMES[0]} "
                f"when {_present(TIMES[1])} then {TIMES[1]} else {TIMES[2]} end",
            ),
        ),
        checks=(
            (_empty_text("notification_type_json"), "'missing notification_type'"),
            *_time_checks("event_time", "event time"),
            (
                f"{any_text('notification_type_json')} = 'upload' and ("
                f"{_empty_text('asset_id_json')} or {_empty_text('resource_type_json')})",
                "'upload without asset_id or resource_type'",
            ),
            (
                f"{any_text('notification_type_json')} = 'delete' and ("
                f"coalesce(size({RESOURCE_ELEMENTS}), 0) = 0"
                f" or {_count_with(RESOURCE_ELEMENTS, 'asset_id')} <> size({RESOURCE_ELEMENTS}))",
                "'delete without resources[].asset_id'",
            ),
        ),
        columns=(
            "line_number",
            "cloud_name",
            any_text("notification_type_json"),
            utc_timestamp(json_text("event_time")),
            # The record's canonical JSON: a redelivery differing in spacing or key order
            # has the same hash.
            "md5(to_json(doc))",
            "text",
        ),
    ),
    "dam_events": SparkRules(
        ddl=(
            "line_number bigint, event_id string, occurred_at timestamp, action string, "
            "cloud_name string, payload_hash string, payload string"
        ),
        fields=(
            ("id_json", member("doc", "$.id")),
            ("occurred_at_json", member("doc", "$.occurred_at")),
            ("action_json", member("doc", "$.action")),
            ("cloud_name_json", member("doc", "$.cloud_name")),
        ),
        checks=(
            (
                f"coalesce(trim({any_text('id_json')}), '') = ''"
                f" or {kind('id_json')} not in ('STRING', 'BIGINT')",
                "'missing id'",
            ),
            *_time_checks("occurred_at_json", "occurred_at"),
            (_empty_text("action_json"), "'missing action'"),
        ),
        columns=(
            "line_number",
            any_text("id_json"),
            utc_timestamp(json_text("occurred_at_json")),
            any_text("action_json"),
            any_text("cloud_name_json"),
            "md5(to_json(doc))",
            "text",
        ),
    ),
}

QUARANTINE_DDL = (
    "source_file string, line_number bigint, reason string, raw_text string, feed string, "
    "arrival_date date"
)

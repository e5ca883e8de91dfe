"""The quarantine rules of orchestration/ingest/feeds.py, in Spark SQL.

The same checks, in the same order, with the same reasons, over Spark's VARIANT type
(`doc` is the parsed record): tests/orchestration/spark compares both loaders on every bad
record the DuckDB loader's tests know. The types at the door are not written here: both
loaders render them from ingest/type_rules.py. A feed's `fields` are named expressions its
checks and columns share; its `columns` fill the raw table after arrival_date and
source_file.
"""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.ingest import type_rules as kinds
from orchestration.ingest.type_rules import TYPE_RULES


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


# Types at the door, as orchestration/ingest/feeds.py checks them: each holds when a value
# a model reads has the wrong type; the reason names the field and quotes the value.
NUMBERS = "('BIGINT', 'DECIMAL', 'DOUBLE')"


def _shown(value: str) -> str:
    """A value as the reason quotes it: its JSON, or 'nothing' when absent or null."""
    return f"coalesce(left(case when {_present(value)} then to_json({value}) end, 100), 'nothing')"


def _type_check(test: str, field: str, expected: str, value: str) -> tuple[str, str]:
    return (test, f"'{field} must be {expected}, got ' || {_shown(value)}")


def _not_count(value: str) -> str:
    return (
        f"{_present(value)} and not ({kind(value)} = 'BIGINT' "
        f"and variant_get({value}, '$', 'bigint') >= 0)"
    )


def _not_number(value: str) -> str:
    return f"{_present(value)} and {kind(value)} not in {NUMBERS}"


def _not_kind(value: str, *kinds: str) -> str:
    listed = ", ".join(f"'{k}'" for k in kinds)
    return f"{_present(value)} and {kind(value)} not in ({listed})"


def _unparseable_time(value: str) -> str:
    moment = utc_timestamp(json_text(value))
    return f"{_present(value)} and ({kind(value)} <> 'STRING' or {moment} is null)"


def _non_empty_text_failing(value: str) -> str:
    return f"coalesce({kind(value)}, 'NULL') <> 'STRING' or trim({json_text(value)}) = ''"


def _each(elements: str, key: str, test, field: str, expected: str) -> tuple[str, str]:
    """Some element of a variant list fails `test` (a function of the SQL of its `key`)."""
    failing = f"filter({elements}, e -> {test(member('e', '$.' + key))})"
    first = member(f"try_element_at({failing}, 1)", "$." + key)
    return (f"size({failing}) > 0", f"'{field} must be {expected}, got ' || {_shown(first)}")


def _text_of(elements: str, key: str) -> str:
    return f"transform({elements}, e -> {any_text(member('e', '$.' + key))})"


def _not_date(value: str) -> str:
    return f"{_present(value)} and try_cast({any_text(value)} as date) is null"


TYPE_TESTS = {
    kinds.TEXT: lambda v: _not_kind(v, "STRING"),
    kinds.NUMBER: _not_number,
    kinds.COUNT: _not_count,
    kinds.BOOLEAN: lambda v: _not_kind(v, "BOOLEAN"),
    kinds.TEXT_OR_INTEGER: lambda v: _not_kind(v, "STRING", "BIGINT"),
    kinds.TIME: _unparseable_time,
    kinds.DATE: _not_date,
}


def type_checks(feed: str) -> tuple[tuple[str, str], ...]:
    """A feed's type rules (ingest/type_rules.py) in Spark SQL."""
    checks = []
    for rule in TYPE_RULES[feed]:
        test = TYPE_TESTS[rule.expected]
        if rule.list_and_key is None:
            value = member("doc", f"$.{rule.path}")
            checks.append(_type_check(test(value), rule.path, rule.expected, value))
        else:
            listed, key = rule.list_and_key
            elements = f"cast({member('doc', '$.' + listed)} as array<variant>)"
            checks.append(_each(elements, key, test, rule.path, rule.expected))
    return tuple(checks)


@dataclass(frozen=True)
class SparkRules:
    ddl: str  # the raw table's columns, after arrival_date and source_file
    fields: tuple[tuple[str, str], ...]  # (name, expression), in order
    checks: tuple[tuple[str, str], ...]  # the feed's own, before the types at the door
    columns: tuple[str, ...]


ENVIRONMENTS = member("doc", "$.product_environments")
USERS = member("doc", "$.users")
ENVIRONMENT_LIST = f"cast({ENVIRONMENTS} as array<variant>)"
USER_LIST = f"cast({USERS} as array<variant>)"
EMAILS = f"transform({USER_LIST}, e -> lower({json_text(member('e', '$.email'))}))"
# A usage report's keys that are not add-ons (as orchestration/ingest/feeds.py lists them),
# and those of them whose usage or limit is not a number.
USAGE_STANDARD_KEYS = (
    "array('plan', 'last_updated', 'transformations', 'objects', 'bandwidth', 'storage', "
    "'credits', 'requests', 'resources', 'derived_resources', 'media_limits')"
)
BAD_ADD_ONS = (
    "transform(filter(map_entries(try_cast(doc as map<string, variant>)), a -> "
    f"not array_contains({USAGE_STANDARD_KEYS}, a.key) and ("
    f"{_not_number(member('a.value', '$.usage'))} or {_not_number(member('a.value', '$.limit'))}"
    ")), a -> a.key)"
)
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
            _each(
                ENVIRONMENT_LIST,
                "cloud_name",
                _non_empty_text_failing,
                "product_environments[].cloud_name",
                "a non-empty string",
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
            _each(USER_LIST, "id", _non_empty_text_failing, "users[].id", "a non-empty string"),
            (
                f"size(array_distinct({_text_of(USER_LIST, 'id')})) <> size({USER_LIST})",
                "'users[].id: a user id is listed twice in the snapshot'",
            ),
            _each(USER_LIST, "role", _non_empty_text_failing, "users[].role", "a non-empty string"),
            (
                f"size(array_distinct(filter({EMAILS}, e -> e is not null))) "
                f"<> size(filter({EMAILS}, e -> e is not null))",
                "'users[].email: an e-mail is listed twice in the snapshot (compared "
                "case-insensitively)'",
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
        checks=(
            (
                f"size({BAD_ADD_ONS}) > 0",
                f"'add-on usage and limit must be numbers: ' || {BAD_ADD_ONS}[0]",
            ),
        ),
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

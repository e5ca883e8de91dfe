"""The record rules of ingest/record_rules.py in Spark SQL, over Spark's VARIANT type (`doc`
is the parsed record). tests/orchestration/spark compares both loaders on every bad record
the DuckDB loader's tests know. A feed's `fields` are named expressions its checks and
columns share; its `columns` fill the raw table after arrival_date and source_file.
"""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.ingest import record_rules as rules
from orchestration.ingest.record_rules import RULES, Check, TypeRule


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


# Types at the door: each holds when a value a model reads has the wrong type; the reason
# names the field and quotes the value.
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
    rules.TEXT: lambda v: _not_kind(v, "STRING"),
    rules.NON_EMPTY_TEXT: _non_empty_text_failing,
    rules.NUMBER: _not_number,
    rules.COUNT: _not_count,
    rules.BOOLEAN: lambda v: _not_kind(v, "BOOLEAN"),
    rules.TEXT_OR_INTEGER: lambda v: _not_kind(v, "STRING", "BIGINT"),
    rules.TIME: _unparseable_time,
    rules.DATE: _not_date,
}


def _list(value: str) -> str:
    return f"cast({value} as array<variant>)"


@dataclass(frozen=True)
class SparkFeed:
    ddl: str  # the raw table's columns, after arrival_date and source_file
    fields: tuple[tuple[str, str], ...]  # (name, expression), in order
    columns: tuple[str, ...]

    def value(self, path: str) -> str:
        """The JSON value at a path: the field that holds it or has that name, or the member."""
        extracted = member("doc", f"$.{path}")
        for name, expression in self.fields:
            if expression == extracted or name == path:
                return name
        return extracted


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

SPARK_FEEDS: dict[str, SparkFeed] = {
    "account": SparkFeed(
        ddl="account_id string, plan string, payload string",
        fields=(),
        columns=(
            any_text(member("doc", "$.account_id")),
            any_text(member("doc", "$.plan")),
            "text",
        ),
    ),
    "users": SparkFeed(
        ddl="user_count int, payload string",
        fields=(),
        columns=(f"size({_list(member('doc', '$.users'))})", "text"),
    ),
    "usage": SparkFeed(
        ddl="cloud_name string, payload string",
        fields=(),
        columns=("cloud_name", "text"),
    ),
    "notifications": SparkFeed(
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
    "dam_events": SparkFeed(
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


def _type_check_of(feed: SparkFeed, rule: TypeRule) -> tuple[str, str]:
    test = TYPE_TESTS[rule.expected]
    if rule.list_and_key is None:
        value = feed.value(rule.path)
        return _type_check(test(value), rule.path, rule.expected, value)
    listed, key = rule.list_and_key
    return _each(_list(feed.value(listed)), key, test, rule.path, rule.expected)


def _own_check(feed: SparkFeed, check: Check) -> tuple[str, str]:
    """One of the feed's own checks (record_rules.py) in Spark SQL, with its reason."""
    value = feed.value(check.path) if check.path else ""
    elements = _list(value)
    moment = utc_timestamp(json_text(value))
    kind_ = check.kind
    if kind_ == rules.MISSING_TEXT:
        return _empty_text(value), check.reason_sql()
    if kind_ == rules.MISSING_ID:
        return (
            f"coalesce(trim({any_text(value)}), '') = ''"
            f" or {kind(value)} not in ('STRING', 'BIGINT')",
            check.reason_sql(),
        )
    if kind_ == rules.NOT_A_LIST:
        return f"{kind(value)} is distinct from 'ARRAY'", check.reason_sql()
    if kind_ == rules.NEITHER_LIST_NOR_NULL:
        return (
            f"{value} is not null and {kind(value)} not in ('ARRAY', 'NULL')",
            check.reason_sql(),
        )
    if kind_ == rules.ELEMENT_WITHOUT:
        return (
            f"{_count_with(elements, check.key)} <> size({elements})",
            check.reason_sql(),
        )
    if kind_ == rules.REPEATED:
        return (
            f"size(array_distinct({_text_of(elements, check.key)})) <> size({elements})",
            check.reason_sql(),
        )
    if kind_ == rules.REPEATED_IGNORING_CASE:
        texts = f"transform({elements}, e -> lower({json_text(member('e', '$.' + check.key))}))"
        given = f"filter({texts}, e -> e is not null)"
        return f"size(array_distinct({given})) <> size({given})", check.reason_sql()
    if kind_ == rules.TIME_MISSING:
        return f"{value} is null", check.reason_sql()
    if kind_ == rules.TIME_NOT_TEXT:
        return f"{kind(value)} <> 'STRING'", check.reason_sql(f"to_json({value})")
    if kind_ == rules.TIME_UNPARSEABLE:
        return f"{moment} is null", check.reason_sql(any_text(value))
    if kind_ == rules.TIME_AFTER_ARRIVAL:
        return (
            f"{moment} >= cast(date_add(arrival_date, 2) as timestamp)",
            check.reason_sql(any_text(value)),
        )
    if kind_ == rules.TIME_BEFORE_1970:
        return f"{moment} < timestamp '1970-01-01'", check.reason_sql(any_text(value))
    notification_type = any_text(feed.value("notification_type"))
    if kind_ == rules.UPLOAD_WITHOUT_ASSET:
        return (
            f"{notification_type} = 'upload' and ("
            f"{_empty_text(feed.value('asset_id'))} or {_empty_text(feed.value('resource_type'))})",
            check.reason_sql(),
        )
    if kind_ == rules.DELETE_WITHOUT_ASSETS:
        return (
            f"{notification_type} = 'delete' and ("
            f"coalesce(size({RESOURCE_ELEMENTS}), 0) = 0"
            f" or {_count_with(RESOURCE_ELEMENTS, 'asset_id')} <> size({RESOURCE_ELEMENTS}))",
            check.reason_sql(),
        )
    if kind_ == rules.ADD_ON_NOT_NUMBERS:
        return f"size({BAD_ADD_ONS}) > 0", check.reason_sql(f"{BAD_ADD_ONS}[0]")
    raise ValueError(f"no Spark SQL for the check kind {kind_!r}")


def record_checks(feed: str) -> tuple[tuple[str, str], ...]:
    """A feed's rules (ingest/record_rules.py) as (condition, reason) in Spark SQL."""
    spark_feed = SPARK_FEEDS[feed]
    return tuple(
        _own_check(spark_feed, rule)
        if isinstance(rule, Check)
        else _type_check_of(spark_feed, rule)
        for rule in RULES[feed]
    )


QUARANTINE_DDL = (
    "source_file string, line_number bigint, reason string, raw_text string, feed string, "
    "arrival_date date"
)

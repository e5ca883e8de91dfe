"""The five landing-zone feeds: where their files are, which raw table they fill, and the
checks that decide, in SQL, whether a record is loaded or quarantined.

A feed's `members` are the JSON values its checks and columns read, extracted from each
record with one parse (every `doc -> path` would parse the whole record again); its
`fields` are named SQL expressions over the record (`doc`) and its members, each computed
once for the checks and the columns to share; its rules (ingest/record_rules.py, which the
Spark loader renders too) are tried in order and the first that a record breaks gives the
quarantine reason. Records that pass every check are inserted with the
feed's `columns`, which read members, fields and the line itself but not `doc`: the parsed
record is not kept once it is checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from orchestration.ingest import record_rules as rules
from orchestration.ingest.record_rules import RULES, Check, TypeRule

# A JSON value as text, only when it is a JSON string (so 12345 or true is not a timestamp).
JSON_TEXT = "case when json_type({0}) = 'VARCHAR' then ({0}) ->> '$' end"
# Timestamps without an offset are UTC; the session time zone is UTC.
UTC_TIMESTAMP = "try_cast({0} as timestamptz)::timestamp"


def _parsed_time(value: str, name: str) -> str:
    """A field holding a JSON time value as a UTC timestamp, parsed once for every check."""
    return f"{UTC_TIMESTAMP.format(JSON_TEXT.format(value))} as {name}"


def _present(values: str) -> str:
    """How many of a list of extracted values are not null."""
    return f"len(list_filter({values}, lambda x: x is not null))"


def _non_empty_text(field: str) -> str:
    return f"coalesce(trim({JSON_TEXT.format(field)}), '') = ''"


# Types at the door: each check holds when a value a model reads has the wrong type, so the
# record is quarantined with a reason naming the field instead of stopping a later build.
NUMBER_TYPES = "('UBIGINT', 'BIGINT', 'DOUBLE')"


def _given(value: str) -> str:
    """The value is present and not JSON null."""
    return f"coalesce(json_type({value}), 'NULL') <> 'NULL'"


def _not_count(value: str) -> str:
    """A count or size must be an integer >= 0 that fits a BIGINT."""
    return (
        f"{_given(value)} and not (json_type({value}) in ('UBIGINT', 'BIGINT') "
        f"and coalesce(try_cast({value} ->> '$' as bigint) >= 0, false))"
    )


def _not_number(value: str) -> str:
    return f"{_given(value)} and json_type({value}) not in {NUMBER_TYPES}"


def _not_text(value: str) -> str:
    return f"{_given(value)} and json_type({value}) <> 'VARCHAR'"


def _not_text_or_integer(value: str) -> str:
    return f"{_given(value)} and json_type({value}) not in ('VARCHAR', 'UBIGINT', 'BIGINT')"


def _type_check_sql(test: str, field: str, expected: str, value: str) -> tuple[str, str]:
    return (test, f"'{field} must be {expected}, got ' || left({value}::varchar, 100)")


def _each(values: str, test: str) -> str:
    """Some element of a list of extracted JSON values fails `test` (over `v`)."""
    return f"len(list_filter({values}, lambda v: {test})) > 0"


def _first(values: str, test: str) -> str:
    return f"list_filter({values}, lambda v: {test})[1]"


def _each_check(values: str, test: str, field: str, expected: str) -> tuple[str, str]:
    return (
        _each(values, test),
        f"'{field} must be {expected}, got ' || left({_first(values, test)}::varchar, 100)",
    )


def _unparseable_time(value: str) -> str:
    return (
        f"{_given(value)} and (json_type({value}) <> 'VARCHAR' "
        f"or try_cast({value} ->> '$' as timestamptz) is null)"
    )


USER_FIELDS = (
    "id",
    "name",
    "email",
    "role",
    "enabled",
    "pending",
    "created_at",
    "updated_at",
    "last_login",
)


def _each_user(name: str, test: str, expected: str) -> tuple[str, str]:
    """Some user of a snapshot (`u`, a struct of JSON values) fails `test`."""
    failing = f"list_filter(user_fields, lambda u: {test})"
    return (
        f"len({failing}) > 0",
        f"'users[].{name} must be {expected}, got ' "
        f"|| coalesce(left({failing}[1].{name}::varchar, 100), 'nothing')",
    )


def _not_boolean(value: str) -> str:
    return f"{_given(value)} and json_type({value}) <> 'BOOLEAN'"


def _not_date(value: str) -> str:
    return f"{_given(value)} and try_cast(({value}) ->> '$' as date) is null"


def _not_non_empty_text(value: str) -> str:
    return f"coalesce(json_type({value}), 'NULL') <> 'VARCHAR' or trim({value} ->> '$') = ''"


TYPE_TESTS = {
    rules.TEXT: _not_text,
    rules.NON_EMPTY_TEXT: _not_non_empty_text,
    rules.NUMBER: _not_number,
    rules.COUNT: _not_count,
    rules.BOOLEAN: _not_boolean,
    rules.TEXT_OR_INTEGER: _not_text_or_integer,
    rules.TIME: _unparseable_time,
    rules.DATE: _not_date,
}


def _type_check(feed: Feed, rule: TypeRule) -> tuple[str, str]:
    """A type rule in DuckDB's SQL; a snapshot's users are `user_fields`."""
    test = TYPE_TESTS[rule.expected]
    if rule.list_and_key is None:
        value = feed.value(rule.path)
        return _type_check_sql(test(value), rule.path, rule.expected, value)
    listed, key = rule.list_and_key
    if listed == "users":
        return _each_user(key, test(f"u.{key}"), rule.expected)
    elements = f"json_extract({feed.value(listed)}, '$[*].{key}')"
    return _each_check(elements, test("v"), rule.path, rule.expected)


def _key_texts(feed: Feed, listed: str, key: str) -> str:
    """The text of `key` in every element of a list, null where it has none."""
    if listed == "users":
        return f"list_transform(user_fields, lambda u: u.{key} ->> '$')"
    return f"json_extract_string({feed.value(listed)}, '$[*].{key}')"


def _own_check(feed: Feed, check: Check) -> tuple[str, str]:
    """One of the feed's own checks (record_rules.py) in DuckDB's SQL, with its reason."""
    value = feed.value(check.path) if check.path else ""
    texts = _key_texts(feed, check.path, check.key) if check.key else ""
    kind = check.kind
    parsed = feed.parsed_time(value) if kind in rules.TIME_KINDS else ""
    if kind == rules.MISSING_TEXT:
        return _non_empty_text(value), check.reason_sql()
    if kind == rules.MISSING_ID:
        return (
            f"coalesce(trim({value} ->> '$'), '') = ''"
            f" or json_type({value}) not in ('VARCHAR', 'BIGINT', 'UBIGINT')",
            check.reason_sql(),
        )
    if kind == rules.NOT_A_LIST:
        return f"json_type({value}) is distinct from 'ARRAY'", check.reason_sql()
    if kind == rules.NEITHER_LIST_NOR_NULL:
        return (
            f"{value} is not null and json_type({value}) not in ('ARRAY', 'NULL')",
            check.reason_sql(),
        )
    if kind == rules.ELEMENT_WITHOUT:
        return f"{_present(texts)} <> json_array_length({value})", check.reason_sql()
    if kind == rules.REPEATED:
        return f"len(list_distinct({texts})) <> json_array_length({value})", check.reason_sql()
    if kind == rules.REPEATED_IGNORING_CASE:
        return (
            f"len(list_distinct(list_transform({texts}, lambda t: lower(t)))) "
            f"<> len(list_filter({texts}, lambda t: t is not null))",
            check.reason_sql(),
        )
    if kind == rules.TIME_MISSING:
        return f"({value}) is null", check.reason_sql()
    if kind == rules.TIME_NOT_TEXT:
        return f"json_type({value}) <> 'VARCHAR'", check.reason_sql(f"({value})")
    shown = f"({value} ->> '$')"
    if kind == rules.TIME_UNPARSEABLE:
        return f"{parsed} is null", check.reason_sql(shown)
    if kind == rules.TIME_AFTER_ARRIVAL:
        return f"{parsed} >= arrival_date + interval 2 day", check.reason_sql(shown)
    if kind == rules.TIME_BEFORE_1970:
        return f"{parsed} < timestamp '1970-01-01'", check.reason_sql(shown)
    if kind == rules.UPLOAD_WITHOUT_ASSET:
        return (
            f"({feed.value('notification_type')} ->> '$') = 'upload' and ("
            f"{_non_empty_text(feed.value('asset_id'))} or "
            f"{_non_empty_text(feed.value('resource_type'))})",
            check.reason_sql(),
        )
    if kind == rules.DELETE_WITHOUT_ASSETS:
        return (
            f"({feed.value('notification_type')} ->> '$') = 'delete' and (coalesce("
            f"{DELETED_RESOURCES}, 0) = 0 or {_present(DELETED_ASSET_IDS)} <> {DELETED_RESOURCES})",
            check.reason_sql(),
        )
    if kind == rules.ADD_ON_NOT_NUMBERS:
        return f"len({BAD_ADD_ONS}) > 0", check.reason_sql(f"{BAD_ADD_ONS}[1]")
    raise ValueError(f"no DuckDB SQL for the check kind {kind!r}")


@dataclass(frozen=True)
class Feed:
    name: str
    description: str
    layout: str  # glob of one arrival day's files under landing/<name>/; "*/" = per environment
    per_line: bool  # JSON Lines (quarantine per line) or one JSON document per file
    ddl: str  # the raw table's columns, after arrival_date and source_file
    members: tuple[tuple[str, str], ...]  # (column, JSON path) read from `doc` in one parse
    fields: tuple[str, ...]
    columns: tuple[str, ...]
    # The raw columns that name a record of a per-line feed. The raw table stores their
    # hash as well (key_hash), by which staging finds every delivery of a record: a probe of
    # 8 bytes a row instead of the key's strings (dbt_project/macros/incremental.sql).
    key: tuple[str, ...] = ()

    @property
    def table(self) -> str:
        return f"raw.{self.name}"

    @property
    def all_checks(self) -> tuple[tuple[str, str], ...]:
        """The feed's rules (ingest/record_rules.py) as (condition, reason) in DuckDB's SQL."""
        return tuple(
            _own_check(self, rule) if isinstance(rule, Check) else _type_check(self, rule)
            for rule in RULES[self.name]
        )

    def value(self, path: str) -> str:
        """The JSON value at a path: the member read in the one parse, the field of that
        name, or extracted from the record."""
        members = {member_path: column for column, member_path in self.members}
        if f"$.{path}" in members:
            return members[f"$.{path}"]
        if any(field.endswith(f" as {path}") for field in self.fields):
            return path
        return f"json_extract(doc, '$.{path}')"

    def parsed_time(self, value: str) -> str:
        """The field holding a time value parsed (_parsed_time)."""
        parsing = f"{UTC_TIMESTAMP.format(JSON_TEXT.format(value))} as "
        (field,) = (f for f in self.fields if f.startswith(parsing))
        return field.removeprefix(parsing)

    @property
    def column_names(self) -> list[str]:
        """The names of the raw table's columns after arrival_date and source_file."""
        return [column.split()[0] for column in self.ddl.split(", ")]

    @property
    def key_hash(self) -> str:
        """The record key's hash over the raw table's columns."""
        return f"hash({', '.join(self.key)})"

    def cloud_name(self, landing: Path, path: Path) -> str | None:
        """The product environment a file belongs to, read from its folder, if any."""
        if self.layout.startswith("*/"):
            return path.relative_to(landing / self.name).parts[0]
        return None


NOTIFICATION_TIME = (
    "case"
    " when (triggered_at_json ->> '$') is not null then triggered_at_json"
    " when (timestamp_json ->> '$') is not null then timestamp_json"
    " else created_at_json end"
)
DELETED_ASSET_IDS = (
    "case json_type(resources_json)"
    " when 'ARRAY' then json_extract_string(resources_json, '$[*].asset_id')"
    " when 'OBJECT' then json_extract_string(resources_json, '$.*.asset_id') end"
)
DELETED_RESOURCES = (
    "case json_type(resources_json)"
    " when 'ARRAY' then json_array_length(resources_json)"
    " when 'OBJECT' then len(json_keys(resources_json)) end"
)

# A usage report's keys that are not add-ons (stg_dam__usage_add_ons.sql lists the same), and
# an add-on's member, for a key `k`.
USAGE_STANDARD_KEYS = (
    "['plan', 'last_updated', 'transformations', 'objects', 'bandwidth', 'storage', 'credits', "
    "'requests', 'resources', 'derived_resources', 'media_limits']"
)
ADD_ON_MEMBER = "json_extract(json_extract(doc, '$.\"' || k || '\"'), '$.{0}')"
# The add-ons whose usage or limit is not a number.
BAD_ADD_ONS = (
    f"list_filter(json_keys(doc), lambda k: not list_contains({USAGE_STANDARD_KEYS}, k) and "
    f"({_not_number(ADD_ON_MEMBER.format('usage'))} or "
    f"{_not_number(ADD_ON_MEMBER.format('limit'))}))"
)

# Each record as delivered. Zstandard writes JSON text in about half the time of DuckDB's
# default string compression, in about 40 % of the space; parsing it back costs about a
# fifth more (BENCHMARKS.md).
PAYLOAD_COLUMN = "payload varchar using compression zstd not null"
# The hash of the normalised record, which recognises a notification delivered again.
PAYLOAD_HASH = "md5(doc) as payload_hash"

FEEDS: tuple[Feed, ...] = (
    Feed(
        name="account",
        description="Daily snapshots of the account: plan, features and product environments.",
        layout="{day}.json",
        per_line=False,
        ddl="account_id varchar not null, plan varchar not null, " + PAYLOAD_COLUMN,
        members=(
            ("account_id_json", "$.account_id"),
            ("plan_json", "$.plan"),
            ("environments_json", "$.product_environments"),
            ("reports_feature_json", "$.features.activity_reports"),
        ),
        fields=(),
        columns=("account_id_json ->> '$'", "plan_json ->> '$'", "text"),
    ),
    Feed(
        name="users",
        description="Daily snapshots of the account's users and user groups.",
        layout="{day}.json",
        per_line=False,
        ddl="user_count integer not null, " + PAYLOAD_COLUMN,
        members=(("users_json", "$.users"), ("user_groups_json", "$.user_groups")),
        fields=(
            "json_array_length(users_json) as user_count",
            # Every user's fields a model reads, from one parse of the list.
            "case when json_type(users_json) = 'ARRAY' then from_json(users_json, '[{"
            + ", ".join(f'"{name}": "JSON"' for name in USER_FIELDS)
            + "}]') end as user_fields",
        ),
        columns=("user_count", "text"),
    ),
    Feed(
        name="usage",
        description="Daily account-usage reports, one per product environment.",
        layout="*/{day}.json",
        per_line=False,
        ddl="cloud_name varchar not null, " + PAYLOAD_COLUMN,
        members=(),
        fields=(),
        columns=("cloud_name", "text"),
    ),
    Feed(
        name="notifications",
        description="Asset notifications (webhook payloads) per product environment, as delivered.",
        layout="*/{day}/*.jsonl",
        per_line=True,
        ddl=(
            "line_number bigint not null, cloud_name varchar not null, "
            "notification_type varchar not null, event_at timestamp not null, "
            "payload_hash varchar not null, " + PAYLOAD_COLUMN
        ),
        members=(
            ("notification_type_json", "$.notification_type"),
            ("triggered_at_json", "$.notification_context.triggered_at"),
            ("timestamp_json", "$.timestamp"),
            ("created_at_json", "$.created_at"),
            ("asset_id_json", "$.asset_id"),
            ("resource_type_json", "$.resource_type"),
            ("resources_json", "$.resources"),
            ("bytes_json", "$.bytes"),
            ("public_id_json", "$.public_id"),
            ("format_json", "$.format"),
            ("source_json", "$.notification_context.triggered_by.source"),
            ("triggered_by_id_json", "$.notification_context.triggered_by.id"),
        ),
        fields=(
            f"{NOTIFICATION_TIME} as event_time",
            _parsed_time("event_time", "event_at"),
            PAYLOAD_HASH,
        ),
        columns=(
            "line_number",
            "cloud_name",
            "notification_type_json ->> '$'",
            "event_at",
            "payload_hash",
            "text",
        ),
        key=("cloud_name", "payload_hash"),
    ),
    Feed(
        name="dam_events",
        description="The DAM's audit trail: sign-ins, collections, portals, account management.",
        layout="{day}/*.jsonl",
        per_line=True,
        ddl=(
            "line_number bigint not null, event_id varchar not null, "
            "occurred_at timestamp not null, action varchar not null, cloud_name varchar, "
            "payload_hash varchar not null, " + PAYLOAD_COLUMN
        ),
        members=(
            ("id_json", "$.id"),
            ("occurred_at_json", "$.occurred_at"),
            ("action_json", "$.action"),
            ("cloud_name_json", "$.cloud_name"),
            ("actor_type_json", "$.actor.type"),
            ("actor_id_json", "$.actor.id"),
            ("target_type_json", "$.target.type"),
            ("target_id_json", "$.target.id"),
        ),
        fields=(_parsed_time("occurred_at_json", "occurred_at"), PAYLOAD_HASH),
        columns=(
            "line_number",
            "id_json ->> '$'",
            "occurred_at",
            "action_json ->> '$'",
            "cloud_name_json ->> '$'",
            "payload_hash",
            "text",
        ),
        key=("event_id",),
    ),
)

FEEDS_BY_NAME = {feed.name: feed for feed in FEEDS}

QUARANTINE_DDL = """
create table if not exists raw.quarantine (
    feed varchar not null,
    arrival_date date not null,
    source_file varchar not null,
    line_number bigint,
    reason varchar not null,
    raw_text varchar
)
"""

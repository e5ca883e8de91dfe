"""The five landing-zone feeds: where their files are, which raw table they fill, and the
checks that decide, in SQL, whether a record is loaded or quarantined.

A feed's `members` are the JSON values its checks and columns read, extracted from each
record with one parse (every `doc -> path` would parse the whole record again); its
`fields` are named SQL expressions over the record (`doc`) and its members, each computed
once for the checks and the columns to share; its `checks` are tried in order and the first
that holds gives the quarantine reason. Records that pass every check are inserted with the
feed's `columns`, which read members, fields and the line itself but not `doc`: the parsed
record is not kept once it is checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

# A JSON value as text, only when it is a JSON string (so 12345 or true is not a timestamp).
JSON_TEXT = "case when json_type({0}) = 'VARCHAR' then ({0}) ->> '$' end"
# Timestamps without an offset are UTC; the session time zone is UTC.
UTC_TIMESTAMP = "try_cast({0} as timestamptz)::timestamp"


def _parsed_time(value: str, name: str) -> str:
    """A field holding a JSON time value as a UTC timestamp, parsed once for every check."""
    return f"{UTC_TIMESTAMP.format(JSON_TEXT.format(value))} as {name}"


def _time_checks(value: str, parsed: str, label: str) -> tuple[tuple[str, str], ...]:
    return (
        (f"({value}) is null", f"'missing {label}'"),
        (f"json_type({value}) <> 'VARCHAR'", f"'{label} is not a string: ' || ({value})"),
        (f"{parsed} is null", f"'unparseable {label}: ' || ({value} ->> '$')"),
        # A record cannot happen after it arrived (a day of clock skew allowed), nor before
        # 1970; such times are corrupt, and would stretch every daily mart across centuries.
        (
            f"{parsed} >= arrival_date + interval 2 day",
            f"'{label} after its arrival day: ' || ({value} ->> '$')",
        ),
        (f"{parsed} < timestamp '1970-01-01'", f"'{label} before 1970: ' || ({value} ->> '$')"),
    )


def _present(values: str) -> str:
    """How many of a list of extracted values are not null."""
    return f"len(list_filter({values}, lambda x: x is not null))"


def _non_empty_text(field: str) -> str:
    return f"coalesce(trim({JSON_TEXT.format(field)}), '') = ''"


@dataclass(frozen=True)
class Feed:
    name: str
    description: str
    layout: str  # glob of one arrival day's files under landing/<name>/; "*/" = per environment
    per_line: bool  # JSON Lines (quarantine per line) or one JSON document per file
    ddl: str  # the raw table's columns, after arrival_date and source_file
    members: tuple[tuple[str, str], ...]  # (column, JSON path) read from `doc` in one parse
    fields: tuple[str, ...]
    checks: tuple[tuple[str, str], ...]
    columns: tuple[str, ...]
    # The raw columns that name a record of a per-line feed. The raw table stores their
    # hash as well (key_hash), by which staging finds every delivery of a record: a probe of
    # 8 bytes a row instead of the key's strings (dbt_project/macros/incremental.sql).
    key: tuple[str, ...] = ()

    @property
    def table(self) -> str:
        return f"raw.{self.name}"

    @property
    def column_names(self) -> list[str]:
        """The names of the raw table's columns after arrival_date and source_file."""
        return [column.split()[0] for column in self.ddl.split(", ")]

    @property
    def key_hash(self) -> str:
        """The record key's hash over the raw table's columns."""
        return f"hash({', '.join(self.key)})"

    def files(self, landing: Path, day: date) -> list[Path]:
        """The landing files of one arrival day, in a stable order."""
        return sorted((landing / self.name).glob(self.layout.format(day=day.isoformat())))

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
        ),
        fields=(),
        checks=(
            (_non_empty_text("account_id_json"), "'missing account_id'"),
            (_non_empty_text("plan_json"), "'missing plan'"),
            (
                "json_type(environments_json) is distinct from 'ARRAY'",
                "'product_environments is not a list'",
            ),
            (
                _present("json_extract_string(environments_json, '$[*].cloud_name')")
                + " <> json_array_length(environments_json)",
                "'a product environment has no cloud_name'",
            ),
        ),
        columns=("account_id_json ->> '$'", "plan_json ->> '$'", "text"),
    ),
    Feed(
        name="users",
        description="Daily snapshots of the account's users and user groups.",
        layout="{day}.json",
        per_line=False,
        ddl="user_count integer not null, " + PAYLOAD_COLUMN,
        members=(("users_json", "$.users"), ("user_groups_json", "$.user_groups")),
        fields=("json_array_length(users_json) as user_count",),
        checks=(
            ("json_type(users_json) is distinct from 'ARRAY'", "'users is not a list'"),
            (
                _present("json_extract_string(users_json, '$[*].id')") + " <> user_count",
                "'a user has no id'",
            ),
            (
                "user_groups_json is not null"
                " and json_type(user_groups_json) not in ('ARRAY', 'NULL')",
                "'user_groups is not a list'",
            ),
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
        checks=(),
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
        ),
        fields=(
            f"{NOTIFICATION_TIME} as event_time",
            _parsed_time("event_time", "event_at"),
            PAYLOAD_HASH,
        ),
        checks=(
            (_non_empty_text("notification_type_json"), "'missing notification_type'"),
            *_time_checks("event_time", "event_at", "event time"),
            (
                "(notification_type_json ->> '$') = 'upload' and ("
                + _non_empty_text("asset_id_json")
                + " or "
                + _non_empty_text("resource_type_json")
                + ")",
                "'upload without asset_id or resource_type'",
            ),
            (
                "(notification_type_json ->> '$') = 'delete' and (coalesce("
                + DELETED_RESOURCES
                + ", 0) = 0 or "
                + _present(DELETED_ASSET_IDS)
                + " <> "
                + DELETED_RESOURCES
                + ")",
                "'delete without resources[].asset_id'",
            ),
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
        ),
        fields=(_parsed_time("occurred_at_json", "occurred_at"), PAYLOAD_HASH),
        checks=(
            (
                "coalesce(trim(id_json ->> '$'), '') = ''"
                " or json_type(id_json) not in ('VARCHAR', 'BIGINT', 'UBIGINT')",
                "'missing id'",
            ),
            *_time_checks("occurred_at_json", "occurred_at", "occurred_at"),
            (_non_empty_text("action_json"), "'missing action'"),
        ),
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

"""The rules a landing-zone record must keep to be loaded, once for both engines.

The DuckDB loader (ingest/feeds.py) and the Spark loader (spark/feeds.py) render each
feed's RULES in their own SQL, in this order; the first rule a record breaks gives its
quarantine reason. A rule is either a check of the feed's own (`Check`: a kind both
engines render, and the reason's text) or a type at the door (`TypeRule`: a value a model
reads and the JSON type it must have, with the reason "<field> must be <expected>, got
<value>").

A path is below the record (`actor.id`); `list[].field` is that field of every element of a
list (`users[].email`). A path without dots may also name a value both loaders compute as a
field of the feed (`event_time`).
"""

from __future__ import annotations

from dataclasses import dataclass

# Types at the door: what a value must be.
TEXT = "a string"
NON_EMPTY_TEXT = "a non-empty string"
NUMBER = "a number"
COUNT = "an integer >= 0"  # and fits a BIGINT
BOOLEAN = "true or false"
TEXT_OR_INTEGER = "a string or an integer"
TIME = "an ISO 8601 time"
DATE = "a date"


@dataclass(frozen=True)
class TypeRule:
    path: str
    expected: str  # one of the types above

    @property
    def list_and_key(self) -> tuple[str, str] | None:
        """("users", "email") for "users[].email"; None for a value of the record."""
        if "[]." not in self.path:
            return None
        head, key = self.path.split("[].", 1)
        return head, key


# The kinds of a feed's own checks. Each holds when the record breaks it.
MISSING_TEXT = "missing text"  # `path` is absent, not a string, or blank
MISSING_ID = "missing id"  # `path` is absent, blank, or neither a string nor an integer
NOT_A_LIST = "not a list"  # `path` is not a JSON list
NEITHER_LIST_NOR_NULL = "neither list nor null"  # `path` is given and not a list
ELEMENT_WITHOUT = "element without"  # an element of list `path` has no `key`
# Two elements of list `path` share a `key` (every element has one: ELEMENT_WITHOUT first).
REPEATED = "repeated"
REPEATED_IGNORING_CASE = "repeated ignoring case"  # the same, the key's text lower-cased
# A time value `path` (the five checks of a time, in this order; the last four quote it):
TIME_MISSING = "time missing"
TIME_NOT_TEXT = "time not text"
TIME_UNPARSEABLE = "time unparseable"
TIME_AFTER_ARRIVAL = "time after arrival"  # on or after the day after its arrival day
TIME_BEFORE_1970 = "time before 1970"
TIME_KINDS = {TIME_MISSING, TIME_NOT_TEXT, TIME_UNPARSEABLE, TIME_AFTER_ARRIVAL, TIME_BEFORE_1970}
UPLOAD_WITHOUT_ASSET = "upload without asset"  # an upload notification lacks what names it
DELETE_WITHOUT_ASSETS = "delete without assets"  # a delete notification names no asset
ADD_ON_NOT_NUMBERS = "add-on not numbers"  # an add-on's usage or limit is not a number

# The kinds whose reason quotes the value (or the key) that broke them.
QUOTING = {
    TIME_NOT_TEXT,
    TIME_UNPARSEABLE,
    TIME_AFTER_ARRIVAL,
    TIME_BEFORE_1970,
    ADD_ON_NOT_NUMBERS,
}


@dataclass(frozen=True)
class Check:
    kind: str
    reason: str  # the quarantine reason; a kind in QUOTING appends the value
    path: str = ""
    key: str = ""

    def reason_sql(self, quoted: str | None = None) -> str:
        """The reason as SQL (both engines' `||`): its text, then `quoted` if it quotes."""
        text = "'" + self.reason.replace("'", "''") + "'"
        return f"{text} || {quoted}" if self.kind in QUOTING else text


def _types(expected: str, *paths: str) -> tuple[TypeRule, ...]:
    return tuple(TypeRule(path, expected) for path in paths)


def _missing(path: str) -> Check:
    return Check(MISSING_TEXT, f"missing {path}", path)


def _times(path: str, label: str) -> tuple[Check, ...]:
    return (
        Check(TIME_MISSING, f"missing {label}", path),
        Check(TIME_NOT_TEXT, f"{label} is not a string: ", path),
        Check(TIME_UNPARSEABLE, f"unparseable {label}: ", path),
        # A record cannot happen after it arrived (a day of clock skew allowed), nor before
        # 1970; such times are corrupt, and would stretch every daily mart across centuries.
        Check(TIME_AFTER_ARRIVAL, f"{label} after its arrival day: ", path),
        Check(TIME_BEFORE_1970, f"{label} before 1970: ", path),
    )


Rule = Check | TypeRule

RULES: dict[str, tuple[Rule, ...]] = {
    "account": (
        _missing("account_id"),
        _missing("plan"),
        Check(NOT_A_LIST, "product_environments is not a list", "product_environments"),
        Check(
            ELEMENT_WITHOUT,
            "a product environment has no cloud_name",
            "product_environments",
            "cloud_name",
        ),
        TypeRule("product_environments[].cloud_name", NON_EMPTY_TEXT),
        TypeRule("features.activity_reports", BOOLEAN),
        *_types(
            BOOLEAN, "product_environments[].enabled", "product_environments[].tracking_enabled"
        ),
        TypeRule("product_environments[].created_at", TIME),
    ),
    "users": (
        Check(NOT_A_LIST, "users is not a list", "users"),
        Check(ELEMENT_WITHOUT, "a user has no id", "users", "id"),
        TypeRule("users[].id", NON_EMPTY_TEXT),
        Check(REPEATED, "users[].id: a user id is listed twice in the snapshot", "users", "id"),
        TypeRule("users[].role", NON_EMPTY_TEXT),
        Check(
            REPEATED_IGNORING_CASE,
            "users[].email: an e-mail is listed twice in the snapshot (compared "
            "case-insensitively)",
            "users",
            "email",
        ),
        Check(NEITHER_LIST_NOR_NULL, "user_groups is not a list", "user_groups"),
        *_types(TEXT, "users[].email", "users[].name"),
        *_types(BOOLEAN, "users[].enabled", "users[].pending"),
        *_types(TIME, "users[].created_at", "users[].updated_at", "users[].last_login"),
    ),
    "usage": (
        Check(ADD_ON_NOT_NUMBERS, "add-on usage and limit must be numbers: "),
        TypeRule("plan", TEXT),
        TypeRule("last_updated", DATE),
        *(
            TypeRule(f"{metric}.{part}", NUMBER)
            for metric in ("transformations", "bandwidth", "storage", "credits")
            for part in ("usage", "limit", "used_percent", "credits_usage")
        ),
        *_types(COUNT, "objects.usage", "requests", "resources", "derived_resources"),
    ),
    "notifications": (
        _missing("notification_type"),
        # The first of notification_context.triggered_at, timestamp and created_at given.
        *_times("event_time", "event time"),
        Check(UPLOAD_WITHOUT_ASSET, "upload without asset_id or resource_type"),
        Check(DELETE_WITHOUT_ASSETS, "delete without resources[].asset_id"),
        TypeRule("bytes", COUNT),
        *_types(
            TEXT,
            "asset_id",
            "public_id",
            "resource_type",
            "format",
            "notification_context.triggered_by.source",
        ),
        TypeRule("notification_context.triggered_by.id", TEXT_OR_INTEGER),
    ),
    "dam_events": (
        Check(MISSING_ID, "missing id", "id"),
        *_times("occurred_at", "occurred_at"),
        _missing("action"),
        *_types(TEXT, "cloud_name", "actor.type", "target.type"),
        *_types(TEXT_OR_INTEGER, "actor.id", "target.id"),
    ),
}

"""Types at the door, once for both engines: each rule names a value a model reads and the
JSON type it must have. The DuckDB loader (ingest/feeds.py) and the Spark loader
(spark/feeds.py) render these rules in their own SQL, in this order, after their feed's
other checks; a record that breaks one is quarantined with the reason
"<field> must be <expected>, got <value>".

A path is below the record (`actor.id`); `list[].field` is that field of every element of a
list (`users[].email`).
"""

from __future__ import annotations

from dataclasses import dataclass

TEXT = "a string"
NUMBER = "a number"
COUNT = "an integer >= 0"  # and fits a BIGINT
BOOLEAN = "true or false"
TEXT_OR_INTEGER = "a string or an integer"
TIME = "an ISO 8601 time"
DATE = "a date"


@dataclass(frozen=True)
class TypeRule:
    path: str
    expected: str  # one of the kinds above

    @property
    def list_and_key(self) -> tuple[str, str] | None:
        """("users", "email") for "users[].email"; None for a value of the record."""
        if "[]." not in self.path:
            return None
        head, key = self.path.split("[].", 1)
        return head, key


def _all(expected: str, *paths: str) -> tuple[TypeRule, ...]:
    return tuple(TypeRule(path, expected) for path in paths)


TYPE_RULES: dict[str, tuple[TypeRule, ...]] = {
    "account": (
        TypeRule("features.activity_reports", BOOLEAN),
        *_all(BOOLEAN, "product_environments[].enabled", "product_environments[].tracking_enabled"),
        TypeRule("product_environments[].created_at", TIME),
    ),
    "users": (
        *_all(TEXT, "users[].email", "users[].name"),
        *_all(BOOLEAN, "users[].enabled", "users[].pending"),
        *_all(TIME, "users[].created_at", "users[].updated_at", "users[].last_login"),
    ),
    "usage": (
        TypeRule("plan", TEXT),
        TypeRule("last_updated", DATE),
        *(
            TypeRule(f"{metric}.{part}", NUMBER)
            for metric in ("transformations", "bandwidth", "storage", "credits")
            for part in ("usage", "limit", "used_percent", "credits_usage")
        ),
        *_all(COUNT, "objects.usage", "requests", "resources", "derived_resources"),
    ),
    "notifications": (
        TypeRule("bytes", COUNT),
        *_all(
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
        *_all(TEXT, "cloud_name", "actor.type", "target.type"),
        *_all(TEXT_OR_INTEGER, "actor.id", "target.id"),
    ),
}

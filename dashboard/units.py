"""Numbers as people read them: thousands separated, bytes as GB, shares as %."""

from __future__ import annotations

from datetime import date, datetime

GB = 1e9
MISSING = "\N{EN DASH}"


def count(value) -> str:
    if value is None:
        return MISSING
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"


def gigabytes(value) -> str:
    return MISSING if value is None else f"{value / GB:,.2f} GB"


def percent(value) -> str:
    """A value already in percent (the usage marts' *_used_percent)."""
    return MISSING if value is None else f"{value:,.1f} %"


def share(value) -> str:
    """A fraction (0..1) as a percentage."""
    return MISSING if value is None else f"{100 * value:,.1f} %"


def amount(value, unit: str) -> str:
    return gigabytes(value) if unit == "bytes" else count(value)


def moment(value) -> str:
    if value is None:
        return MISSING
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


FILTERS = {
    "count": count,
    "gb": gigabytes,
    "percent": percent,
    "share": share,
    "amount": amount,
    "moment": moment,
}

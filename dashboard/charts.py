"""Plotly figures as plain data: the page hands them to the plotly.js it serves itself.

Every series is a list of days and a list of numbers taken as they are from the marts, so
what a chart draws is what the marts hold.
"""

from __future__ import annotations

from collections.abc import Sequence

LAYOUT = {
    "margin": {"l": 48, "r": 12, "t": 28, "b": 36},
    "height": 260,
    "legend": {"orientation": "h", "y": -0.2},
    "hovermode": "x unified",
    "xaxis": {"type": "date"},
    "yaxis": {"rangemode": "tozero"},
}


def lines(title: str, days: Sequence, series: dict[str, Sequence], unit: str = "") -> dict:
    """One line per named series over the same days."""
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": name,
                "x": [d.isoformat() for d in days],
                "y": list(values),
            }
            for name, values in series.items()
        ],
        "layout": {**LAYOUT, "title": {"text": title}, "yaxis": {**LAYOUT["yaxis"], "title": unit}},
    }


def bars(title: str, labels: Sequence, values: Sequence, unit: str = "") -> dict:
    """One bar per label; days are drawn on a date axis, anything else as categories."""
    dates = all(hasattr(label, "isoformat") for label in labels)
    return {
        "data": [
            {
                "type": "bar",
                "name": title,
                "x": [label.isoformat() if dates else label for label in labels],
                "y": list(values),
            }
        ],
        "layout": {
            **LAYOUT,
            "title": {"text": title},
            "xaxis": {"type": "date" if dates else "category"},
            "yaxis": {**LAYOUT["yaxis"], "title": unit},
        },
    }


def horizontal_bars(title: str, labels: Sequence[str], values: Sequence) -> dict:
    """A ranked list, the first at the top."""
    return {
        "data": [
            {"type": "bar", "orientation": "h", "name": title, "y": list(labels), "x": list(values)}
        ],
        "layout": {
            **LAYOUT,
            "title": {"text": title},
            "height": 80 + 26 * max(len(labels), 1),
            "xaxis": {"rangemode": "tozero"},
            "yaxis": {"autorange": "reversed", "type": "category", "automargin": True},
            "hovermode": "closest",
        },
    }

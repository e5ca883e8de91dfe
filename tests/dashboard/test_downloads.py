"""The page's downloads hold what the serving file's macros return, zero-activity rows
included."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import duckdb
import pytest


def as_text(value) -> str:
    """A value as a CSV cell reads."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)


def download(browser, url: str) -> list[dict]:
    response = browser.request.get(url)
    assert response.status == 200, response.text()
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text())))


def macro(serving, sql: str, **params) -> list[dict]:
    with duckdb.connect(str(serving), read_only=True) as con:
        relation = con.execute(sql, params)
        names = [column[0] for column in relation.description]
        return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]


def same(downloaded: list[dict], expected: list[dict]) -> None:
    assert len(downloaded) == len(expected)
    for got, want in zip(downloaded, expected, strict=True):
        for name, value in want.items():
            if isinstance(value, float):
                assert float(got[name]) == pytest.approx(value), name
            else:
                assert got[name] == as_text(value), name


def test_all_published_collections(dashboard, browser, served):
    last = served["serving_build"][0]["complete_through"]
    first = last - timedelta(days=2)
    url = f"{dashboard['base']}/downloads/published-collections.csv?first={first}&last={last}"
    downloaded = download(browser, url)
    same(downloaded, macro(
        dashboard["serving"], "select * from published_collections_by_views($first, $last)",
        first=first, last=last,
    ))  # fmt: skip
    published = {
        (p["cloud_name"], p["collection_id"]) for p in served["mart_collection_publications"]
        if p["published_from"] <= last and (p["published_to"] is None or p["published_to"] > last)
    }  # fmt: skip
    assert {(r["cloud_name"], r["collection_id"]) for r in downloaded} == published
    assert any(r["views"] == "0" for r in downloaded)  # not viewed, still listed


@pytest.mark.parametrize("window", [7, 30])
def test_all_users_of_a_scope(dashboard, browser, served, window):
    day = served["serving_build"][0]["complete_through"]
    scope = "acme-production"
    url = f"{dashboard['base']}/downloads/users.csv?scope={scope}&window={window}"
    downloaded = download(browser, url)
    same(downloaded, macro(
        dashboard["serving"], "select * from users_by_activity($scope, $as_of, window_days := $w)",
        scope=scope, as_of=day + timedelta(days=1), w=window,
    ))  # fmt: skip
    assert {r["email"] for r in downloaded} >= {u["email"] for u in served["dim_users"]}
    assert any(r["actions"] == "0" for r in downloaded)

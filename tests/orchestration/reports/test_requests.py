"""Report requests: date bounds, plan gating and requester checks, hostile input."""

from __future__ import annotations

from datetime import date

import pytest

from orchestration.reports.requests import (
    ReportRange,
    RequestRefused,
    check_plan,
    check_request,
    check_requester,
)


def test_a_range_is_keyed_by_its_dates():
    report = ReportRange.parse("2024-05-01", "2024-05-31")
    assert (report.start, report.end) == (date(2024, 5, 1), date(2024, 5, 31))
    assert report.key == "2024-05-01_2024-05-31"
    assert ReportRange.from_key(report.key) == report
    assert ReportRange.parse("2024-05-01", "2024-05-02").key == "2024-05-01_2024-05-02"


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2024-05-01", "2024-05-01", "must be before"),
        ("2024-05-02", "2024-05-01", "must be before"),
        ("2024-5-1", "2024-05-09", "YYYY-MM-DD"),
        ("../../etc", "2024-05-09", "YYYY-MM-DD"),
        ("2024-05-01'; drop table x; --", "2024-05-09", "YYYY-MM-DD"),
        ("2024-05-01", None, "YYYY-MM-DD"),
    ],
)
def test_bad_ranges_are_refused_with_one_line(start, end, message):
    with pytest.raises(RequestRefused, match=message) as refused:
        ReportRange.parse(start, end)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize("key", ["../2024-05-01_2024-05-09", "2024-05-01_2024-05-09/..", "x;y", ""])
def test_keys_that_are_not_ranges_are_refused(key):
    with pytest.raises(RequestRefused):
        ReportRange.from_key(key)


def test_plans():
    with pytest.raises(RequestRefused, match="not available on the Free plan"):
        check_plan("free", False, True)
    with pytest.raises(RequestRefused, match="not enabled for this account"):
        check_plan("enterprise", True, False)
    with pytest.raises(RequestRefused, match="not loaded yet"):
        check_plan(None, None, None)
    check_plan("enterprise", True, True)
    check_plan("advanced", True, True)


def test_requesters():
    with pytest.raises(RequestRefused, match="not a user of this account"):
        check_requester("x@y.z", None)
    with pytest.raises(RequestRefused, match="disabled or pending"):
        check_requester("a@b.c", ("admin", False, False))
    with pytest.raises(RequestRefused, match="the role media_library_admin; only master admins"):
        check_requester("a@b.c", ("media_library_admin", True, False))
    check_requester("a@b.c", ("master_admin", True, True))
    check_requester("a@b.c", ("admin", True, True))


def test_two_users_with_one_e_mail_in_any_case_let_nobody_in(tmp_path):
    import duckdb

    from orchestration.dashboard import NotAllowed, check_viewer

    serving = tmp_path / "marts.duckdb"
    with duckdb.connect(str(serving)) as con:
        con.execute(
            "create table dim_users as select * from (values "
            "('Boss@acme.example', 'master_admin', true, true, true), "
            "('boss@ACME.example', 'media_library_user', true, false, false)) "
            "as users (email, user_role, is_active, can_view_dashboard, can_request_reports)"
        )
        con.execute(
            "create table dim_account as select 'plus' as plan, true as plan_allows_reports, "
            "true as activity_reports_enabled"
        )
        for email in ("boss@acme.example", "BOSS@acme.example"):
            with pytest.raises(NotAllowed, match="2 users of the latest snapshot"):
                check_viewer(con, email)
    with pytest.raises(RequestRefused, match="fix the users snapshot"):
        check_request(serving, "Boss@acme.example")

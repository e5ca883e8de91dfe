"""Who gets what: the dashboard for enabled master admins, reports for the requesters the
rules allow, a 403 page saying why for anyone else."""

from __future__ import annotations

import pytest

from tests.dashboard.conftest import ARTIFACTS, HEADER, get


def user(served, role: str, enabled: bool = True) -> str:
    return next(
        u["email"] for u in served["dim_users"]
        if u["user_role"] == role and u["is_enabled"] == enabled and not u["is_pending"]
    )  # fmt: skip


def test_someone_who_is_not_a_master_admin_gets_a_page_saying_why(dashboard, served, browser):
    page = browser.new_page()
    page.set_extra_http_headers({HEADER: user(served, "billing")})
    response = page.goto(dashboard["base"] + "/")
    assert response.status == 403
    assert "for enabled master admins only" in page.inner_text("#reason")
    page.screenshot(path=ARTIFACTS / "refused.png")
    page.close()


@pytest.mark.parametrize(
    ("who", "path", "status", "reason"),
    [
        (None, "/", 403, f"No e-mail in the {HEADER} header"),
        ("nobody@elsewhere.example", "/", 403, "is not a user of this account"),
        ("admin", "/", 403, "for enabled master admins only"),
        ("admin", "/usage", 403, "for enabled master admins only"),
        ("billing", "/downloads/users.csv?scope=(account)", 403, "master admins only"),
        ("admin", "/reports", 200, "Request a report"),
        ("billing", "/reports", 403, "only master admins and admins may request reports"),
        ("disabled", "/reports", 403, "is not an active user"),
        ("master_admin", "/", 200, "Overview"),
        ("master_admin", "/?env=elsewhere", 400, "Unknown product environment"),
        ("master_admin", "/?first=2099-01-01&last=2099-01-02", 400, "after the last day served"),
        ("master_admin", "/uploads?source=fax", 400, "source must be one of"),
        ("master_admin", "/users?window=9", 400, "window must be 7 or 30 days"),
    ],
)
def test_access_follows_the_rules(dashboard, served, who, path, status, reason):
    emails = {
        "admin": user(served, "admin"),
        "billing": user(served, "billing"),
        "master_admin": user(served, "master_admin"),
        "disabled": next(u["email"] for u in served["dim_users"] if not u["is_enabled"]),
    }
    got, body = get(dashboard["base"], path, emails.get(who, who))
    assert got == status, body[:2000]
    assert reason in body


def test_a_report_cannot_be_requested_from_another_site(dashboard, served):
    status, body = get(
        dashboard["base"], "/reports", user(served, "master_admin"), "POST",
        Origin="https://elsewhere.example", **{"Content-Length": "0"},
    )  # fmt: skip
    assert status == 403
    assert "only be requested from this dashboard" in body

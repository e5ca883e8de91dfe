"""Each feed's record rules are written once (ingest/record_rules.py): both loaders render
every rule, in its order, with the reason written there."""

from __future__ import annotations

import pytest

from orchestration.ingest.feeds import FEEDS_BY_NAME
from orchestration.ingest.record_rules import RULES, Check
from orchestration.spark.feeds import record_checks


@pytest.mark.parametrize("feed", sorted(RULES))
def test_both_loaders_render_every_rule_with_its_reason_in_order(feed):
    duckdb_checks = FEEDS_BY_NAME[feed].all_checks
    spark_checks = record_checks(feed)
    assert len(duckdb_checks) == len(spark_checks) == len(RULES[feed])
    for rule, (_, duckdb_reason), (_, spark_reason) in zip(
        RULES[feed], duckdb_checks, spark_checks, strict=True
    ):
        if isinstance(rule, Check):
            literal = "'" + rule.reason + "'"
        else:
            literal = f"'{rule.path} must be {rule.expected}, got '"
        assert duckdb_reason.startswith(literal), (rule, duckdb_reason)
        assert spark_reason.startswith(literal), (rule, spark_reason)


def test_a_rule_of_a_kind_an_engine_cannot_render_is_refused_by_name(monkeypatch):
    monkeypatch.setitem(RULES, "account", (*RULES["account"], Check("no such kind", "never")))
    with pytest.raises(ValueError, match="no such kind"):
        FEEDS_BY_NAME["account"].all_checks  # noqa: B018 - rendering is what is tested
    with pytest.raises(ValueError, match="no such kind"):
        record_checks("account")

"""Summaries of findings: counts by status, overall and per rule."""

from __future__ import annotations

from .findings import STATUSES, Finding
from .rules import Rule


def summarise(rules: list[Rule], findings: list[Finding]) -> dict:
    totals = {status: 0 for status in STATUSES}
    by_rule: dict[str, dict[str, int]] = {rule.id: {status: 0 for status in STATUSES} for rule in rules}
    for finding in findings:
        totals[finding.status] += 1
        by_rule[finding.rule_id][finding.status] += 1
    failing_rules = sorted(rid for rid, counts in by_rule.items() if counts["gap"] or counts["error"])
    return {
        "totals": totals,
        "rules_evaluated": len(rules),
        "rules_with_gaps": failing_rules,
        "by_rule": by_rule,
    }

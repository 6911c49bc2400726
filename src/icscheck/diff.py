"""Assessment diff: how a system moved between two reports.

Works on two JSON reports (as ``check --format json`` writes them): per
maturity domain the stage change, per operating arrangement the RAG change,
and per (rule, subject) fingerprint the gaps that are new, closed and
unchanged.  Stages and RAG levels are compared by their order, never
averaged.
"""

from __future__ import annotations

from typing import Any

from .frameworks import MATRIX_DOMAINS, OPERATING_ARRANGEMENTS, RAG_KEY, STAGES

UP, SAME, DOWN = "↑", "↔", "↓"
OPEN = ("gap", "error", "waived")


def _stage_rank(stage: str | None) -> int:
    return -1 if stage is None else STAGES.index(stage)


STATE_RANK = {"not met": 0, "not evidenced": 1, "met": 2}  # an unstaged domain's state (no gap beats a gap)


def _domain_value(summary: dict[str, Any], key: str) -> tuple[str | None, int]:
    """A domain's stage, or for a domain with the same bullets at every stage (reports from 2.1 on) its state."""
    unstaged = summary.get("maturity_unstaged") or {}
    if key in unstaged:
        state = unstaged[key]
        return state, STATE_RANK.get(state, 1)
    stage = summary["maturity"].get(key)
    return stage, _stage_rank(stage)


def _rag_rank(rag: str | None) -> int:
    order = list(RAG_KEY)  # best first
    return len(order) - order.index(rag) if rag in order else 0


def _arrow(old: int, new: int) -> str:
    return UP if new > old else DOWN if new < old else SAME


def _gaps(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["fingerprint"]: f for f in report["findings"] if f["status"] in OPEN}


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    old_summary, new_summary = old["summary"], new["summary"]
    domains = []
    for key, name in MATRIX_DOMAINS.items():
        (a, rank_a), (b, rank_b) = _domain_value(old_summary, key), _domain_value(new_summary, key)
        if (key in (old_summary.get("maturity_unstaged") or {})) != (key in (new_summary.get("maturity_unstaged") or {})):
            change = SAME if a == b else "≠"  # a stage against a state (reports of different versions): no order
        else:
            change = _arrow(rank_a, rank_b)
        domains.append({"domain": key, "name": name, "old": a, "new": b, "change": change})
    arrangements = []
    for key, name in OPERATING_ARRANGEMENTS.items():
        a, b = old_summary["coa"].get(key), new_summary["coa"].get(key)
        arrangements.append({"arrangement": key, "name": name, "old": a, "new": b, "change": _arrow(_rag_rank(a), _rag_rank(b))})
    before, after = _gaps(old), _gaps(new)

    def brief(f: dict[str, Any]) -> dict[str, Any]:
        return {"fingerprint": f["fingerprint"], "rule_id": f["rule_id"], "subject": f["subject"], "status": f["status"], "message": f["message"]}

    return {
        "old": {"system": old["system"], "as_of": old["as_of"]},
        "new": {"system": new["system"], "as_of": new["as_of"]},
        "domains": domains,
        "arrangements": arrangements,
        "gaps": {
            "new": [brief(after[k]) for k in sorted(after.keys() - before.keys())],
            "closed": [brief(before[k]) for k in sorted(before.keys() - after.keys())],
            "unchanged": [brief(after[k]) for k in sorted(after.keys() & before.keys())],
        },
    }

"""Scores from findings: counts, maturity stage per domain, RAG per operating
arrangement, designation readiness and the roadmap to each domain's next stage.

* **Stage reached** in a maturity matrix domain: the highest stage whose
  must-rules, and those of every lower stage, all pass (a rule not in force
  counts as met).  A domain whose first-stage must-rules fail has reached no
  stage (``None``).
* **RAG** of an operating arrangement: from the status of the system's
  arrangement of that kind, using the key of the arrangements' self-assessment
  (G achieved; GA plan delivering significant milestones; A plan agreed and on
  track; AR plan to be developed in next quarter; R discussion ongoing).  A
  status claimed without an evidence item counts as R; a G whose
  arrangement rules have gaps is held at GA.
* **System stage**: the lowest stage its domains have reached; the freedoms and
  flexibilities of that stage and the next are reported as context.
* **Readiness**: every domain at least at the threshold stage (default
  ``maturing``, the matrix's minimum for being named an ICS; NHS Providers'
  briefing reads ``developing``).
"""

from __future__ import annotations

from .facts import Subject
from .findings import STATUSES, Finding
from .frameworks import FREEDOMS, MATRIX_DOMAINS, OPERATING_ARRANGEMENTS, RAG_KEY, STAGES, STATUS_TO_RAG
from .rules import Rule

DEFAULT_THRESHOLD = "maturing"
MET = frozenset({"pass", "not_applicable"})


def _counts(rules: list[Rule], findings: list[Finding]) -> tuple[dict, dict]:
    totals = {status: 0 for status in STATUSES}
    by_rule: dict[str, dict[str, int]] = {rule.id: {status: 0 for status in STATUSES} for rule in rules}
    for finding in findings:
        totals[finding.status] += 1
        by_rule[finding.rule_id][finding.status] += 1
    return totals, by_rule


def _rule_met(rule_id: str, by_rule: dict[str, dict[str, int]]) -> bool:
    counts = by_rule[rule_id]
    return not (counts["gap"] or counts["error"])


def maturity(rules: list[Rule], findings: list[Finding], by_rule: dict) -> dict[str, dict]:
    """Per domain: the stage reached and, per stage, how its must-rules stand."""
    messages: dict[str, list[str]] = {}
    for f in findings:
        if f.status in ("gap", "error"):
            messages.setdefault(f.rule_id, []).append(f.message)
    out: dict[str, dict] = {}
    for domain in MATRIX_DOMAINS:
        stages: dict[str, dict] = {}
        reached = None
        blocked = False
        for stage in STAGES:
            musts = [r for r in rules if r.spec.framework == "maturity-matrix" and r.spec.domain == domain and r.spec.stage == stage and r.spec.strength == "must"]
            failing = [r.id for r in musts if not _rule_met(r.id, by_rule)]
            stages[stage] = {"must_rules": len(musts), "met": len(musts) - len(failing), "failing": failing}
            if not blocked and not failing:
                reached = stage
            else:
                blocked = True
        next_stage = None if reached == STAGES[-1] else STAGES[0 if reached is None else STAGES.index(reached) + 1]
        roadmap = []
        if next_stage:
            upto = STAGES[: STAGES.index(next_stage) + 1]
            for stage in upto:
                for rule_id in stages[stage]["failing"]:
                    roadmap.append({"rule_id": rule_id, "stage": stage, "messages": messages.get(rule_id, [])})
        out[domain] = {"name": MATRIX_DOMAINS[domain], "stage": reached, "stages": stages, "next_stage": next_stage, "roadmap": roadmap}
    return out


def operating_arrangements(rules: list[Rule], subjects: list[Subject], by_rule: dict) -> dict[str, dict]:
    """Per consistent operating arrangement: its RAG level and why."""
    arrangements = [s for s in subjects if s.kind == "arrangement"]
    out: dict[str, dict] = {}
    for kind, name in OPERATING_ARRANGEMENTS.items():
        mine = [s for s in arrangements if s.facts.get("arrangement_kind") == kind]
        evidenced = [s for s in mine if s.facts.get("status") and (s.facts.get("evidence_count") or 0) > 0]
        gaps = sorted(r.id for r in rules if r.spec.arrangement == kind and r.spec.strength != "may" and not _rule_met(r.id, by_rule))
        if evidenced:
            best = max(evidenced, key=lambda s: list(STATUS_TO_RAG).index(s.facts["status"]) if s.facts["status"] in STATUS_TO_RAG else -1)
            status = best.facts["status"]
            rag = STATUS_TO_RAG.get(status, "R")
            reason = f"{RAG_KEY[rag][1]} (status '{status}', {best.id})"
            if rag == "G" and gaps:
                rag = "GA"
                reason = f"claimed achieved, held at GA: its rules {', '.join(gaps)} have gaps"
        elif mine:
            status = next((s.facts.get("status") for s in mine if s.facts.get("status")), None)
            rag, reason = "R", "status stated without an evidence item" if status else "no status stated"
        else:
            status, rag, reason = None, "R", "not described"
        out[kind] = {"name": name, "rag": rag, "status": status, "reason": reason, "rules_with_gaps": gaps}
    return out


def summarise(
    rules: list[Rule], findings: list[Finding], subjects: list[Subject] | None = None, threshold: str = DEFAULT_THRESHOLD
) -> dict:
    totals, by_rule = _counts(rules, findings)
    failing_rules = sorted(rid for rid, counts in by_rule.items() if counts["gap"] or counts["error"])
    matrix = maturity(rules, findings, by_rule)
    coa = operating_arrangements(rules, subjects or [], by_rule)
    below = [d for d, info in matrix.items() if info["stage"] is None or STAGES.index(info["stage"]) < STAGES.index(threshold)]
    reached = [info["stage"] for info in matrix.values()]
    system_stage = None if None in reached else min(reached, key=STAGES.index)
    next_system_stage = STAGES[0] if system_stage is None else (
        None if system_stage == STAGES[-1] else STAGES[STAGES.index(system_stage) + 1]
    )
    return {
        "totals": totals,
        "rules_evaluated": len(rules),
        "rules_with_gaps": failing_rules,
        "maturity": {d: info["stage"] for d, info in matrix.items()},
        "coa": {k: info["rag"] for k, info in coa.items()},
        "readiness": {
            "threshold": threshold,
            "ready": not below,
            "domains_below_threshold": below,
        },
        "next_stage": {d: [item["rule_id"] for item in info["roadmap"]] for d, info in matrix.items()},
        "system_stage": system_stage,
        "freedoms": {
            "stage": system_stage,
            "now": {area: stages[system_stage] for area, stages in FREEDOMS.items()} if system_stage else {},
            "next_stage": next_system_stage,
            "next": {area: stages[next_system_stage] for area, stages in FREEDOMS.items()} if next_system_stage else {},
        },
        "maturity_detail": matrix,
        "coa_detail": coa,
        "by_rule": by_rule,
    }

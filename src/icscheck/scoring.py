"""Scores from findings, on known evidence only: counts, maturity stage per domain,
RAG per operating arrangement, designation readiness and the roadmap.

A must-rule stands in one of three states: *met* (every finding passes or does
not apply), *not met* (a gap, a waived gap or an error: a derogation accepts a
gap, it does not close it) or *not evidenced* (no gap, but the description
does not state what some finding needs).  Silence never becomes a score:

* **Stage reached** in a maturity matrix domain: the highest stage whose
  must-rules, and those of every lower stage, are all met (``None``: not even
  the first).  When the rules that stand between a domain and its next stage
  are only not evidenced, that stage is *not determined* and the score says
  how many rules would decide it ("developing; maturing not determined: 3
  rules not evidenced").
* **RAG** of an operating arrangement: from the best status (one ranking,
  :data:`icscheck.model.STATUS_RANK`) of the system's evidenced arrangements of
  that kind, by the key of the arrangements' self-assessment (G achieved; GA
  plan delivering significant milestones; A plan agreed and on track; AR plan
  to be developed in next quarter; R discussion ongoing).  No RAG is given
  when the description states no evidenced status; a G whose arrangement
  rules have gaps is held at GA.
* **System stage**: the lowest stage its domains have reached; the freedoms
  and flexibilities of that stage and the next are reported as context.
* **Readiness**: ``ready`` when every must-rule of every domain up to the
  threshold stage (default ``maturing``) is met; ``not ready`` when one of them
  has a gap; otherwise ``undetermined``, with the rules not evidenced.
* **Roadmap**: per domain, up to its next stage, what *to do* (rules with
  gaps) and what *to evidence* (rules not evidenced).
"""

from __future__ import annotations

from dataclasses import dataclass

from .facts import Subject
from .findings import STATUSES, Finding
from .frameworks import FREEDOMS, MATRIX_DOMAINS, OPERATING_ARRANGEMENTS, RAG_KEY, STAGES, STATUS_TO_RAG
from .model import STATUS_RANK
from .rules import Rule

DEFAULT_THRESHOLD = "maturing"
MET, NOT_MET, NOT_EVIDENCED = "met", "not met", "not evidenced"
NOT_MET_STATUSES = frozenset({"gap", "waived", "error"})


@dataclass(frozen=True)
class StageCell:
    """How the must-rules of one domain at one stage stand."""

    must_rules: int
    met: int
    failing: tuple[str, ...]  # rules with a gap
    not_evidenced: tuple[str, ...]  # rules with no gap but something not evidenced

    @property
    def state(self) -> str:
        return NOT_MET if self.failing else NOT_EVIDENCED if self.not_evidenced else MET


@dataclass(frozen=True)
class RoadmapItem:
    rule_id: str
    stage: str
    action: str  # "to do" (a gap) or "to evidence" (not evidenced)
    messages: tuple[str, ...]


@dataclass(frozen=True)
class DomainScore:
    key: str
    name: str
    stage: str | None
    stages: dict[str, StageCell]
    next_stage: str | None
    undetermined: str | None  # the next stage, when only rules not evidenced stand before it
    roadmap: tuple[RoadmapItem, ...]

    @property
    def label(self) -> str:
        reached = self.stage or "not yet emerging"
        if self.undetermined:
            count = sum(len(self.stages[s].not_evidenced) for s in STAGES[: STAGES.index(self.undetermined) + 1])
            return f"{reached}; {self.undetermined} not determined: {count} rule{'s' if count != 1 else ''} not evidenced"
        return reached


@dataclass(frozen=True)
class ArrangementRag:
    key: str
    name: str
    rag: str | None  # None: not evidenced
    status: str | None
    reason: str
    rules_with_gaps: tuple[str, ...]
    rules_not_evidenced: tuple[str, ...]


@dataclass(frozen=True)
class Readiness:
    threshold: str
    verdict: str  # "ready", "not ready" or "undetermined"
    domains_below_threshold: tuple[str, ...]  # on known evidence
    blocking_gaps: tuple[str, ...]
    blocking_not_evidenced: tuple[str, ...]

    @property
    def ready(self) -> bool:
        return self.verdict == "ready"


@dataclass(frozen=True)
class Freedoms:
    stage: str | None
    now: dict[str, list[str]]
    next_stage: str | None
    next: dict[str, list[str]]


@dataclass(frozen=True)
class Summary:
    totals: dict[str, int]
    by_rule: dict[str, dict[str, int]]
    rules_evaluated: int
    rules_with_gaps: tuple[str, ...]
    rules_not_evidenced: tuple[str, ...]
    domains: dict[str, DomainScore]
    arrangements: dict[str, ArrangementRag]
    readiness: Readiness
    system_stage: str | None
    freedoms: Freedoms

    @property
    def maturity(self) -> dict[str, str | None]:
        return {key: d.stage for key, d in self.domains.items()}

    @property
    def coa(self) -> dict[str, str | None]:
        return {key: a.rag for key, a in self.arrangements.items()}

    @property
    def next_stage(self) -> dict[str, list[str]]:
        return {key: [item.rule_id for item in d.roadmap] for key, d in self.domains.items()}

    # the names the JSON contract and the templates use
    @property
    def maturity_detail(self) -> dict[str, DomainScore]:
        return self.domains

    @property
    def coa_detail(self) -> dict[str, ArrangementRag]:
        return self.arrangements


def _counts(rules: list[Rule], findings: list[Finding]) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    totals = {status: 0 for status in STATUSES}
    by_rule: dict[str, dict[str, int]] = {rule.id: {status: 0 for status in STATUSES} for rule in rules}
    for finding in findings:
        totals[finding.status] += 1
        by_rule[finding.rule_id][finding.status] += 1
    return totals, by_rule


def rule_state(counts: dict[str, int]) -> str:
    if any(counts[s] for s in NOT_MET_STATUSES):
        return NOT_MET
    return NOT_EVIDENCED if counts["unknown"] else MET


def _domain(key: str, rules: list[Rule], by_rule: dict[str, dict[str, int]], messages: dict[str, list[str]]) -> DomainScore:
    stages: dict[str, StageCell] = {}
    for stage in STAGES:
        musts = [r.id for r in rules if r.spec.framework == "maturity-matrix" and r.spec.domain == key and r.spec.stage == stage and r.spec.strength == "must"]
        states = {rid: rule_state(by_rule[rid]) for rid in musts}
        stages[stage] = StageCell(
            len(musts),
            sum(state == MET for state in states.values()),
            tuple(rid for rid in musts if states[rid] == NOT_MET),
            tuple(rid for rid in musts if states[rid] == NOT_EVIDENCED),
        )
    reached = None
    for stage in STAGES:
        if stages[stage].state != MET:
            break
        reached = stage
    next_stage = None if reached == STAGES[-1] else STAGES[0 if reached is None else STAGES.index(reached) + 1]
    undetermined = next_stage if next_stage and stages[next_stage].state == NOT_EVIDENCED else None
    roadmap: list[RoadmapItem] = []
    if next_stage:
        for stage in STAGES[: STAGES.index(next_stage) + 1]:
            cell = stages[stage]
            roadmap += [RoadmapItem(rid, stage, "to do", tuple(messages.get(rid, ()))) for rid in cell.failing]
            roadmap += [RoadmapItem(rid, stage, "to evidence", tuple(messages.get(rid, ()))) for rid in cell.not_evidenced]
    return DomainScore(key, MATRIX_DOMAINS[key], reached, stages, next_stage, undetermined, tuple(roadmap))


def maturity(rules: list[Rule], findings: list[Finding], by_rule: dict[str, dict[str, int]]) -> dict[str, DomainScore]:
    """Per domain: the stage reached on known evidence and, per stage, how its must-rules stand."""
    messages: dict[str, list[str]] = {}
    for f in findings:
        if f.status in NOT_MET_STATUSES or f.status == "unknown":
            messages.setdefault(f.rule_id, []).append(f.message)
    return {key: _domain(key, rules, by_rule, messages) for key in MATRIX_DOMAINS}


def operating_arrangements(rules: list[Rule], subjects: list[Subject], by_rule: dict[str, dict[str, int]]) -> dict[str, ArrangementRag]:
    """Per consistent operating arrangement: its RAG level and why."""
    arrangements = [s for s in subjects if s.kind == "arrangement"]
    out: dict[str, ArrangementRag] = {}
    for kind, name in OPERATING_ARRANGEMENTS.items():
        mine = [s for s in arrangements if s.facts.get("arrangement_kind") == kind]
        evidenced = [s for s in mine if s.facts.get("status") and (s.facts.get("evidence_count") or 0) > 0]
        relevant = [r for r in rules if r.spec.arrangement == kind and r.spec.strength != "may"]
        gaps = tuple(sorted(r.id for r in relevant if rule_state(by_rule[r.id]) == NOT_MET))
        unknown = tuple(sorted(r.id for r in relevant if rule_state(by_rule[r.id]) == NOT_EVIDENCED))
        rag: str | None
        if evidenced:
            best = max(evidenced, key=lambda s: (STATUS_RANK[str(s.facts["status"])], s.id))
            status = str(best.facts["status"])
            rag = STATUS_TO_RAG[status]
            reason = f"{RAG_KEY[rag][1]} (status '{status}', {best.id})"
            if rag == "G" and gaps:
                rag = "GA"
                reason = f"claimed achieved, held at GA: its rules {', '.join(gaps)} have gaps"
        elif mine:
            status = next((str(s.facts["status"]) for s in mine if s.facts.get("status")), None)
            rag = None
            reason = f"not evidenced: status '{status}' stated without an evidence item" if status else "not evidenced: no status stated"
        else:
            status, rag, reason = None, None, "not evidenced: the description does not describe it"
        out[kind] = ArrangementRag(kind, name, rag, status, reason, gaps, unknown)
    return out


def readiness(domains: dict[str, DomainScore], threshold: str) -> Readiness:
    upto = STAGES[: STAGES.index(threshold) + 1]
    gaps = tuple(rid for d in domains.values() for s in upto for rid in d.stages[s].failing)
    unknown = tuple(rid for d in domains.values() for s in upto for rid in d.stages[s].not_evidenced)
    below = tuple(k for k, d in domains.items() if d.stage is None or STAGES.index(d.stage) < STAGES.index(threshold))
    verdict = "not ready" if gaps else "undetermined" if unknown else "ready"
    return Readiness(threshold, verdict, below, gaps, unknown)


def summarise(
    rules: list[Rule], findings: list[Finding], subjects: list[Subject] | None = None, threshold: str = DEFAULT_THRESHOLD
) -> Summary:
    totals, by_rule = _counts(rules, findings)
    domains = maturity(rules, findings, by_rule)
    reached = [d.stage for d in domains.values()]
    system_stage = None if None in reached else min(reached, key=STAGES.index)  # type: ignore[arg-type]
    next_system_stage = STAGES[0] if system_stage is None else (
        None if system_stage == STAGES[-1] else STAGES[STAGES.index(system_stage) + 1]
    )
    freedoms = Freedoms(
        system_stage,
        {area: stages[system_stage] for area, stages in FREEDOMS.items()} if system_stage else {},
        next_system_stage,
        {area: stages[next_system_stage] for area, stages in FREEDOMS.items()} if next_system_stage else {},
    )
    return Summary(
        totals=totals,
        by_rule=by_rule,
        rules_evaluated=len(rules),
        rules_with_gaps=tuple(sorted(rid for rid, counts in by_rule.items() if counts["gap"] or counts["error"])),
        rules_not_evidenced=tuple(sorted(rid for rid, counts in by_rule.items() if counts["unknown"])),
        domains=domains,
        arrangements=operating_arrangements(rules, subjects or [], by_rule),
        readiness=readiness(domains, threshold),
        system_stage=system_stage,
        freedoms=freedoms,
    )

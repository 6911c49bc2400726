"""Scores from findings, on known evidence only: counts, maturity stage per domain,
RAG per operating arrangement, designation readiness and the roadmap.

A must-rule stands in one of three states: *met* (every finding passes or does
not apply), *not met* (a gap, a waived gap or an error: a derogation accepts a
gap, it does not close it) or *not evidenced* (no gap, but the description
does not state what some finding needs).  Silence never becomes a score: a
not-evidenced bullet never counts as met, nor as not met.

* **Stage of a maturity matrix domain.**  The matrix (*Designing integrated
  care systems (ICSs) in England*, NHS England and NHS Improvement, June 2019,
  Annex 2 of the Cambridgeshire and Peterborough STP Board paper of 18 July
  2019) says of itself: "It uses a progression model which shows a journey
  rather than a series of binary checklists, recognising that systems will not
  develop all domains at the same pace and will therefore have varying levels
  of maturity across each domain."  So by default a domain's stage is its
  **best fit**: the highest stage at which *most* (more than half) of the
  stage's bullets are met, and most of every lower stage's.  A stage *fits*
  when its met bullets are more than half of its bullets even if every
  not-evidenced bullet were not met; it *does not fit* when they could not be
  more than half even if every not-evidenced bullet were met; otherwise the
  not-evidenced bullets decide it and it is *not determined*.  A stage with no
  must-rules (the emerging column, which describes the starting point) fits.
  ``strict`` keeps the checklist reading: a stage fits when every one of its
  bullets is met, does not fit when one has a gap, and is otherwise not
  determined.  Either way the stage reached is the highest stage that fits
  with every lower stage (``None``: not even the first); when the first stage
  that does not fit is not determined, the score says how many of its bullets
  would decide it ("developing; maturing not determined: 3 rules not
  evidenced").  The per-cell counts of met, not met and not evidenced bullets
  are kept beside the stage.
* **Unstaged domains.**  'Coherent and defined population' has the same
  bullets at every stage (its rules are encoded once, at emerging): it is not a
  progression, so it is scored *met* (every bullet met), *not met* (one has a
  gap) or *not evidenced*, never as a stage, by either method.
* **RAG** of an operating arrangement: from the best status (one ranking,
  :data:`icscheck.model.STATUS_RANK`) of the system's evidenced arrangements of
  that kind, by the key of the arrangements' self-assessment (G achieved; GA
  plan delivering significant milestones; A plan agreed and on track; AR plan
  to be developed in next quarter; R discussion ongoing).  No RAG is given
  when the description states no evidenced status; a G whose arrangement
  rules have gaps is held at GA.
* **System stage**: the lowest stage its staged domains have reached; the
  unstaged population domain is reported beside it and does not lower it.
  The freedoms and flexibilities of that stage and the next are reported as
  context.
* **Readiness**: the matrix says "For a system to be formally named an ICS,
  they will need to meet the attributes of a maturing ICS".  ``ready`` when
  every staged domain reaches the threshold stage (default ``maturing``) by
  the chosen method and the population domain is met; ``not ready`` when a
  stage up to the threshold does not fit, or a population bullet has a gap;
  otherwise ``undetermined``, with the rules that decide it.
* **Counts**: maturity matrix bullets above the threshold are the roadmap, not
  gaps: the headline counts leave them out and count them apart as *beyond the
  target*.  Their findings keep their status.
* **Roadmap**: per domain, every bullet still open, by stage: what *to do*
  (rules with gaps) and what *to evidence* (rules not evidenced); those above
  the threshold are marked beyond the target.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .facts import Subject
from .findings import STATUSES, Finding
from .frameworks import (  # noqa: F401 - the stage constants are re-exported from here
    BEST_FIT,
    DEFAULT_STAGE_METHOD,
    DEFAULT_THRESHOLD,
    FREEDOMS,
    MATRIX_DOMAINS,
    OPERATING_ARRANGEMENTS,
    RAG_KEY,
    STAGE_METHODS,
    STAGES,
    STATUS_TO_RAG,
    STRICT,
    UNSTAGED_DOMAINS,
)
from .model import STATUS_RANK
from .rules import Rule

STAGE_METHOD_TEXT = {
    BEST_FIT: "best fit: most of the bullets of the stage, and of every lower stage, met",
    STRICT: "strict: every bullet of the stage, and of every lower stage, met",
}
MET, NOT_MET, NOT_EVIDENCED = "met", "not met", "not evidenced"
NOT_MET_STATUSES = frozenset({"gap", "waived", "error"})
FITS, DOES_NOT_FIT, NOT_DETERMINED = "fits", "does not fit", "not determined"


def _fit(method: str, total: int, met: int, not_met: int) -> bool | None:
    """Whether a stage fits: ``True``, ``False``, or ``None`` when its not-evidenced bullets decide it."""
    if total == 0:
        return True
    unknown = total - met - not_met
    if method == STRICT:
        return False if not_met else True if not unknown else None
    if 2 * met > total:  # a majority even if every not-evidenced bullet is not met
        return True
    if 2 * (met + unknown) <= total:  # no majority even if every not-evidenced bullet is met
        return False
    return None


@dataclass(frozen=True)
class StageCell:
    """How the must-rules (bullets) of one domain at one stage stand, and whether the stage fits."""

    must_rules: int
    met: int
    failing: tuple[str, ...]  # rules with a gap
    not_evidenced: tuple[str, ...]  # rules with no gap but something not evidenced
    fits: bool | None = None  # by the method of the score: None when the not-evidenced bullets decide it

    @property
    def not_met(self) -> int:
        return len(self.failing)

    @property
    def state(self) -> str:
        """Every bullet met, one not met, or no gap but some not evidenced (the strict reading of the cell)."""
        return NOT_MET if self.failing else NOT_EVIDENCED if self.not_evidenced else MET

    @property
    def fit(self) -> str:
        return FITS if self.fits else DOES_NOT_FIT if self.fits is False else NOT_DETERMINED


@dataclass(frozen=True)
class RoadmapItem:
    rule_id: str
    stage: str
    action: str  # "to do" (a gap) or "to evidence" (not evidenced)
    messages: tuple[str, ...]
    beyond_target: bool = False  # a bullet of a stage above the readiness threshold


@dataclass(frozen=True)
class DomainScore:
    key: str
    name: str
    stage: str | None  # None: not even the first stage, or an unstaged domain
    stages: dict[str, StageCell]
    next_stage: str | None
    undetermined: str | None  # the first stage that does not fit, when only bullets not evidenced decide it
    roadmap: tuple[RoadmapItem, ...]
    method: str = DEFAULT_STAGE_METHOD
    staged: bool = True  # False: the same bullets at every stage, scored met / not met / not evidenced

    @property
    def state(self) -> str | None:
        """For an unstaged domain: met, not met or not evidenced (its bullets are all at the first stage)."""
        return None if self.staged else self.stages[STAGES[0]].state

    @property
    def label(self) -> str:
        if not self.staged:
            return str(self.state)
        reached = self.stage or "not yet emerging"
        if self.undetermined:
            count = len(self.stages[self.undetermined].not_evidenced)
            return f"{reached}; {self.undetermined} not determined: {count} rule{'s' if count != 1 else ''} not evidenced"
        return reached

    @property
    def open_items(self) -> tuple[RoadmapItem, ...]:
        """Roadmap items of the stages up to the next one (what stands before it)."""
        if self.next_stage is None:
            return ()
        upto = STAGES.index(self.next_stage)
        return tuple(i for i in self.roadmap if STAGES.index(i.stage) <= upto)


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
    method: str = DEFAULT_STAGE_METHOD

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
class BeyondTarget:
    """Maturity matrix bullets of the stages above the readiness threshold: the roadmap, counted apart."""

    threshold: str
    rules: tuple[str, ...]
    totals: dict[str, int]
    rules_with_gaps: tuple[str, ...]
    rules_not_evidenced: tuple[str, ...]


@dataclass(frozen=True)
class Summary:
    totals: dict[str, int]  # the headline: every finding but those of bullets beyond the target
    by_rule: dict[str, dict[str, int]]
    rules_evaluated: int
    rules_with_gaps: tuple[str, ...]  # beyond-target bullets left out
    rules_not_evidenced: tuple[str, ...]  # beyond-target bullets left out
    domains: dict[str, DomainScore]
    arrangements: dict[str, ArrangementRag]
    readiness: Readiness
    system_stage: str | None
    freedoms: Freedoms
    beyond_target: BeyondTarget | None = None
    all_totals: dict[str, int] | None = None  # every finding
    method: str = DEFAULT_STAGE_METHOD

    @property
    def maturity(self) -> dict[str, str | None]:
        return {key: d.stage for key, d in self.domains.items()}

    @property
    def unstaged(self) -> dict[str, str | None]:
        return {key: d.state for key, d in self.domains.items() if not d.staged}

    @property
    def coa(self) -> dict[str, str | None]:
        return {key: a.rag for key, a in self.arrangements.items()}

    @property
    def next_stage(self) -> dict[str, list[str]]:
        return {key: [item.rule_id for item in d.open_items] for key, d in self.domains.items()}

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


def beyond_target(rule: Rule, threshold: str) -> bool:
    """A maturity matrix bullet of a stage above the readiness threshold."""
    spec = rule.spec
    return spec.framework == "maturity-matrix" and spec.stage is not None and STAGES.index(spec.stage) > STAGES.index(threshold)


def _domain(
    key: str,
    rules: list[Rule],
    by_rule: dict[str, dict[str, int]],
    messages: dict[str, list[str]],
    method: str,
    threshold: str,
) -> DomainScore:
    staged = key not in UNSTAGED_DOMAINS
    stages: dict[str, StageCell] = {}
    for stage in STAGES:
        musts = [r.id for r in rules if r.spec.framework == "maturity-matrix" and r.spec.domain == key and r.spec.stage == stage and r.spec.strength == "must"]
        states = {rid: rule_state(by_rule[rid]) for rid in musts}
        met = sum(state == MET for state in states.values())
        failing = tuple(rid for rid in musts if states[rid] == NOT_MET)
        # an unstaged domain is never a majority vote: every bullet is a condition of every stage
        stages[stage] = StageCell(
            len(musts), met, failing, tuple(rid for rid in musts if states[rid] == NOT_EVIDENCED),
            _fit(method if staged else STRICT, len(musts), met, len(failing)),
        )
    roadmap: list[RoadmapItem] = []
    for stage in STAGES:
        cell, beyond = stages[stage], STAGES.index(stage) > STAGES.index(threshold)
        roadmap += [RoadmapItem(rid, stage, "to do", tuple(messages.get(rid, ())), beyond) for rid in cell.failing]
        roadmap += [RoadmapItem(rid, stage, "to evidence", tuple(messages.get(rid, ())), beyond) for rid in cell.not_evidenced]
    if not staged:
        return DomainScore(key, MATRIX_DOMAINS[key], None, stages, None, None, tuple(roadmap), method, False)
    reached = None
    for stage in STAGES:
        if stages[stage].fits is not True:
            break
        reached = stage
    next_stage = None if reached == STAGES[-1] else STAGES[0 if reached is None else STAGES.index(reached) + 1]
    undetermined = next_stage if next_stage and stages[next_stage].fits is None else None
    return DomainScore(key, MATRIX_DOMAINS[key], reached, stages, next_stage, undetermined, tuple(roadmap), method, True)


def maturity(
    rules: list[Rule],
    findings: list[Finding],
    by_rule: dict[str, dict[str, int]],
    method: str = DEFAULT_STAGE_METHOD,
    threshold: str = DEFAULT_THRESHOLD,
) -> dict[str, DomainScore]:
    """Per domain: the stage reached on known evidence and, per stage, how its must-rules stand."""
    if method not in STAGE_METHODS:
        raise ValueError(f"unknown stage method '{method}'; choose from {', '.join(STAGE_METHODS)}")
    messages: dict[str, list[str]] = {}
    for f in findings:
        if f.status in NOT_MET_STATUSES or f.status == "unknown":
            messages.setdefault(f.rule_id, []).append(f.message)
    return {key: _domain(key, rules, by_rule, messages, method, threshold) for key in MATRIX_DOMAINS}


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


def readiness(domains: dict[str, DomainScore], threshold: str, method: str = DEFAULT_STAGE_METHOD) -> Readiness:
    """Whether every staged domain reaches the threshold stage and every unstaged domain is met.

    The bullets that block it are those of the stages up to the threshold that do not fit (or are
    not determined), and those of an unstaged domain that is not met.
    """
    upto = STAGES[: STAGES.index(threshold) + 1]
    gaps: list[str] = []
    unknown: list[str] = []
    failed = False
    below: list[str] = []
    for key, d in domains.items():
        cells = [d.stages[s] for s in upto] if d.staged else [d.stages[STAGES[0]]]
        for cell in cells:
            if cell.fits is not True:
                gaps += cell.failing
                unknown += cell.not_evidenced
                failed = failed or cell.fits is False
        if (d.staged and (d.stage is None or STAGES.index(d.stage) < STAGES.index(threshold))) or (not d.staged and d.state != MET):
            below.append(key)
    verdict = "not ready" if failed else "undetermined" if below else "ready"
    return Readiness(threshold, verdict, tuple(below), tuple(gaps), tuple(unknown), method)


def _beyond(rules: list[Rule], findings: list[Finding], threshold: str) -> BeyondTarget:
    ids = tuple(r.id for r in rules if beyond_target(r, threshold))
    chosen = set(ids)
    totals = {status: 0 for status in STATUSES}
    gaps: set[str] = set()
    unknown: set[str] = set()
    for f in findings:
        if f.rule_id in chosen:
            totals[f.status] += 1
            if f.status in ("gap", "error"):
                gaps.add(f.rule_id)
            elif f.status == "unknown":
                unknown.add(f.rule_id)
    return BeyondTarget(threshold, ids, totals, tuple(sorted(gaps)), tuple(sorted(unknown)))


def _headline_counts(rules: list[Rule], findings: list[Finding], threshold: str) -> dict:
    """The counts of a summary: every finding's, and the headline's (maturity matrix bullets beyond the target apart)."""
    all_totals, by_rule = _counts(rules, findings)
    beyond = _beyond(rules, findings, threshold)
    left_out = set(beyond.rules)
    return {
        "totals": {status: all_totals[status] - beyond.totals[status] for status in STATUSES},
        "by_rule": by_rule,
        "rules_evaluated": len(rules),
        "rules_with_gaps": tuple(sorted(rid for rid, c in by_rule.items() if (c["gap"] or c["error"]) and rid not in left_out)),
        "rules_not_evidenced": tuple(sorted(rid for rid, c in by_rule.items() if c["unknown"] and rid not in left_out)),
        "beyond_target": beyond,
        "all_totals": all_totals,
    }


def restrict(summary: Summary, rules: list[Rule], findings: list[Finding]) -> Summary:
    """A summary whose counts are those of some rules' findings; its scores (read from every rule) kept."""
    return replace(summary, **_headline_counts(rules, findings, summary.readiness.threshold))


def summarise(
    rules: list[Rule],
    findings: list[Finding],
    subjects: list[Subject] | None = None,
    threshold: str = DEFAULT_THRESHOLD,
    method: str = DEFAULT_STAGE_METHOD,
) -> Summary:
    all_totals, by_rule = _counts(rules, findings)
    domains = maturity(rules, findings, by_rule, method, threshold)
    reached = [d.stage for d in domains.values() if d.staged]
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
        domains=domains,
        arrangements=operating_arrangements(rules, subjects or [], by_rule),
        readiness=readiness(domains, threshold, method),
        system_stage=system_stage,
        freedoms=freedoms,
        method=method,
        **_headline_counts(rules, findings, threshold),
    )

"""icscheck's scores set beside a system's own published self-assessment.

For each maturity domain and each operating arrangement the self-assessment
gives, a row says whether the two agree and, where they do not, why: the rules
that decided icscheck's verdict, and for each the facts the description does
not state (its findings are not evidenced) or states short of the rule (its
findings are gaps), read from each finding's condition trace.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .api import Result
from .findings import Finding, render_value
from .frameworks import MATRIX_DOMAINS, OPERATING_ARRANGEMENTS, RAG_KEY, STAGES
from .model import SelfAssessment
from .scoring import STAGE_METHOD_TEXT, STRICT

RAG_ORDER = list(RAG_KEY)  # best first


@dataclass(frozen=True)
class Reason:
    rule_id: str
    title: str
    missing: tuple[str, ...]
    not_met: tuple[str, ...]
    messages: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "missing": list(self.missing),
            "not_met": list(self.not_met),
            "messages": list(self.messages),
        }


@dataclass(frozen=True)
class Row:
    kind: str  # "domain" or "arrangement"
    key: str
    name: str
    theirs: str | None
    ours: str | None
    relation: str  # "agree", "icscheck lower", "icscheck higher", "not evidenced", "not assessed"
    explanation: str
    reasons: tuple[Reason, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "name": self.name,
            "self_assessment": self.theirs,
            "icscheck": self.ours,
            "relation": self.relation,
            "explanation": self.explanation,
            "reasons": [r.as_dict() for r in self.reasons],
        }


@dataclass(frozen=True)
class Comparison:
    system_id: str
    system_name: str
    assessment: SelfAssessment
    as_of: str
    rows: tuple[Row, ...]

    def as_dict(self) -> dict[str, Any]:
        agree = sum(r.relation == "agree" for r in self.rows)
        return {
            "system": {"id": self.system_id, "name": self.system_name},
            "self_assessment": {"id": self.assessment.id, "label": self.assessment.label, "as_of": self.assessment.as_of.isoformat()},
            "icscheck_as_of": self.as_of,
            "agreements": agree,
            "disagreements": sum(r.relation in ("icscheck lower", "icscheck higher") for r in self.rows),
            "not_evidenced": sum(r.relation == "not evidenced" for r in self.rows),
            "rows": [r.as_dict() for r in self.rows],
        }


def _reasons(result: Result, rule_ids: list[str]) -> tuple[Reason, ...]:
    """Why each rule is not met: the facts its findings do not have (not evidenced) or have short of the rule (gaps)."""
    by_rule: dict[str, list[Finding]] = {}
    for f in result.findings:
        if f.status in ("gap", "waived", "error", "unknown"):
            by_rule.setdefault(f.rule_id, []).append(f)
    rules = {r.id: r for r in result.rules}
    out = []
    for rule_id in rule_ids:
        missing: list[str] = []
        not_met: list[str] = []
        messages: list[str] = []
        for f in by_rule.get(rule_id, []):
            messages.append(f.message)
            if f.status == "unknown":
                for name in f.unknown:
                    text = f"{name}: not stated in the description"
                    if text not in missing:
                        missing.append(text)
            elif f.trace is not None:
                for leaf in f.trace.deciding():
                    reading = leaf.readings[0]
                    text = f"{reading.fact} is {render_value(reading.value, reading.at_least)}"
                    if text not in not_met:
                        not_met.append(text)
        out.append(Reason(rule_id, rules[rule_id].spec.title, tuple(missing), tuple(not_met), tuple(messages)))
    return tuple(out)


def _rules(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _domain_row(result: Result, domain: str, theirs: str | None) -> Row:
    info = result.summary.domains[domain]
    ours = info.stage
    name = MATRIX_DOMAINS[domain]
    shown = info.label
    if theirs is None:
        return Row("domain", domain, name, None, shown, "not assessed", "The self-assessment gives no stage for this domain")
    if not info.staged:
        # the same bullets at every stage: any stage claimed claims them met
        cell = info.stages[STAGES[0]]
        if info.state == "met":
            return Row("domain", domain, name, theirs, shown, "agree", f"The self-assessment claims {theirs}; the domain's bullets, the same at every stage, are all met")
        reasons = _reasons(result, list(cell.failing + cell.not_evidenced))
        relation = "icscheck lower" if cell.failing else "not evidenced"
        explanation = (
            f"The self-assessment claims {theirs}, which claims the domain's bullets (the same at every stage) met; "
            f"{_rules(len(cell.failing), 'has a gap', 'have gaps')} (what the description states falls short) and "
            f"{_rules(len(cell.not_evidenced), 'is not evidenced', 'are not evidenced')} (the description does not state what it needs)"
        )
        return Row("domain", domain, name, theirs, shown, relation, explanation, reasons)
    rank_ours = -1 if ours is None else STAGES.index(ours)
    rank_theirs = STAGES.index(theirs)
    if rank_ours == rank_theirs:
        return Row("domain", domain, name, theirs, shown, "agree", f"Both place the domain at {theirs}")
    if rank_ours < rank_theirs:
        # the stages up to theirs that do not fit (or are not determined) by the method of the score decide it
        cells = [info.stages[stage] for stage in STAGES[: rank_theirs + 1] if info.stages[stage].fits is not True]
        gaps = [rid for cell in cells for rid in cell.failing]
        unknown = [rid for cell in cells for rid in cell.not_evidenced]
        reasons = _reasons(result, gaps + unknown)
        relation = "icscheck lower" if any(cell.fits is False for cell in cells) else "not evidenced"
        explanation = (
            f"The self-assessment claims {theirs}; of the must-rules of the stages up to {theirs} that do not fit "
            f"({STAGE_METHOD_TEXT[info.method]}), "
            f"{_rules(len(gaps), 'has a gap', 'have gaps')} (what the description states falls short) and "
            f"{_rules(len(unknown), 'is not evidenced', 'are not evidenced')} (the description does not state what it needs)"
        )
        return Row("domain", domain, name, theirs, shown, relation, explanation, reasons)
    reading = "every must-rule" if info.method == STRICT else "most of the must-rules of every stage"
    return Row(
        "domain",
        domain,
        name,
        theirs,
        shown,
        "icscheck higher",
        f"{reading[0].upper() + reading[1:]} up to {ours} {'is' if info.method == STRICT else 'are'} met on the description; the self-assessment is more cautious than the evidence",
    )


def _coa_row(result: Result, kind: str, theirs: str | None) -> Row:
    info = result.summary.arrangements[kind]
    ours = info.rag
    name = OPERATING_ARRANGEMENTS[kind]
    if theirs is None:
        return Row("arrangement", kind, name, None, ours, "not assessed", "The self-assessment gives no RAG for this arrangement")
    if ours is None:
        reasons = _reasons(result, list(info.rules_with_gaps + info.rules_not_evidenced))
        return Row("arrangement", kind, name, theirs, None, "not evidenced", f"The self-assessment rates it {theirs}; icscheck gives no RAG: {info.reason}", reasons)
    if ours == theirs:
        return Row("arrangement", kind, name, theirs, ours, "agree", f"Both rate it {theirs}: {info.reason}")
    relation = "icscheck lower" if RAG_ORDER.index(ours) > RAG_ORDER.index(theirs) else "icscheck higher"
    reasons = _reasons(result, list(info.rules_with_gaps))
    return Row("arrangement", kind, name, theirs, ours, relation, f"The self-assessment rates it {theirs}; icscheck rates it {ours}: {info.reason}", reasons)


def compare(result: Result, assessment: SelfAssessment) -> Comparison:
    rows = [_domain_row(result, d, assessment.maturity.get(d)) for d in MATRIX_DOMAINS if d in assessment.maturity]
    rows += [_coa_row(result, k, assessment.coa.get(k)) for k in OPERATING_ARRANGEMENTS if k in assessment.coa]
    system = result.fixture.description.system
    return Comparison(system.id, system.name, assessment, result.as_of.isoformat(), tuple(rows))


def comparisons(result: Result) -> list[Comparison]:
    """One comparison per self-assessment the description carries, oldest first."""
    assessments = sorted(result.fixture.description.self_assessments, key=lambda a: (a.as_of, a.id))
    return [compare(result, a) for a in assessments]

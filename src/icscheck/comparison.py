"""icscheck's scores set beside a system's own published self-assessment.

For each maturity domain and each operating arrangement the self-assessment
gives, a row says whether the two agree and, where they do not, why: the rules
that decided icscheck's verdict, and for each the facts the description does
not state (its findings are not evidenced) or states short of the rule (its
findings are gaps), read from each finding's condition trace.

Two readings keep the comparison honest:

* **Copied claims.**  A description may carry statuses transcribed from the
  very self-assessment it is compared with (``transcribed_from`` on an
  arrangement or attestation).  A row whose verdict reads such a claim is
  traced to it, through the facts that decide each finding of the row's rules
  (and, for an arrangement, the arrangements of its kind), and icscheck's
  level is worked out again with those claims set aside: the copied
  arrangements' statuses unstated and the copied attestations left out.  An
  agreement is **circular** when it does not survive that: it agrees because
  the status was copied, not because the evidence shows it.
* **Why they differ.**  Every rule behind a disagreement, or behind a row not
  evidenced, is put in one of three classes (:data:`CLASSES`): a *shortfall
  the documents show* (it has a gap: what the description states falls short),
  *evidence the documents do not contain* (it is not evidenced: what it needs
  is not stated), or a *judgement the matrix leaves to people* (every fact
  that decides it — those that fall short, or those not stated — is the status
  of an attestation criterion: something no structure can show, that the
  description can only carry as a dated, evidenced statement).  A rule whose
  deciding facts mix attestations with structure is classed by its structure.

Nothing here changes a rule or a score: the comparison only reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .api import Result, check_fixture
from .findings import Finding, render_value
from .fixture import Fixture
from .frameworks import MATRIX_DOMAINS, OPERATING_ARRANGEMENTS, RAG_KEY, STAGES
from .model import Arrangement, Attestation, Citation, Criterion, SelfAssessment
from .scoring import NOT_MET_STATUSES, STAGE_METHOD_TEXT, STRICT, Summary

RAG_ORDER = list(RAG_KEY)  # best first

SHORTFALL, NOT_IN_DOCUMENTS, JUDGEMENT = "shortfall", "not_in_documents", "judgement"
#: The three reasons a rule stands between icscheck and a self-assessment, in the order reports list them.
CLASSES = {
    SHORTFALL: "a shortfall the documents show",
    NOT_IN_DOCUMENTS: "evidence the documents do not contain",
    JUDGEMENT: "a judgement the matrix leaves to people",
}
ATTESTATION_FACTS = frozenset(f"attested_{c.value}" for c in Criterion)


def rule_class(findings: list[Finding]) -> str:
    """The class of a rule from its findings that are not met: see :data:`CLASSES` and the module's notes."""
    gaps = [f for f in findings if f.status in NOT_MET_STATUSES]
    if gaps:
        deciding = {r.name for f in gaps for r in f.grounds}
    else:
        deciding = {name for f in findings for name in f.unknown}
    if deciding and deciding <= ATTESTATION_FACTS:
        return JUDGEMENT
    return SHORTFALL if gaps else NOT_IN_DOCUMENTS


@dataclass(frozen=True)
class Copied:
    """A claim copied from the self-assessment that a row's verdict reads: the rules and facts that read
    it, its status and the words it cites."""

    claim: str
    kind: str
    status: str | None
    rules: tuple[str, ...]
    facts: tuple[str, ...]
    citations: tuple[Citation, ...] = ()

    @property
    def words(self) -> str:
        """The quotes it cites, each in quotation marks with its locator, for a report."""
        parts = []
        for c in self.citations:
            if c.quote:
                parts.append(f"\u201c{' '.join(c.quote.split())}\u201d" + (f" ({c.locator})" if c.locator else ""))
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "kind": self.kind,
            "status": self.status,
            "rules": list(self.rules),
            "facts": list(self.facts),
            "citations": [{"evidence": c.id, "quote": c.quote, "locator": c.locator} for c in self.citations],
        }


@dataclass(frozen=True)
class Reason:
    rule_id: str
    title: str
    missing: tuple[str, ...]
    not_met: tuple[str, ...]
    messages: tuple[str, ...]
    kind: str = NOT_IN_DOCUMENTS  # one of CLASSES
    copied: tuple[str, ...] = ()  # claims copied from the self-assessment that its deciding facts rest on

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "missing": list(self.missing),
            "not_met": list(self.not_met),
            "messages": list(self.messages),
            "class": self.kind,
            "copied": list(self.copied),
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
    copied: tuple[Copied, ...] = ()  # claims copied from this self-assessment that icscheck's verdict reads
    without_copied: str | None = None  # icscheck's verdict with those claims set aside (None: no RAG, or not worked out)
    circular: bool = False  # agrees only because of the copied claims
    status_not_evidenced: bool = False  # an arrangement whose status the description does not evidence

    @property
    def differs(self) -> bool:
        return self.relation in ("icscheck lower", "icscheck higher", "not evidenced")

    @property
    def classes(self) -> dict[str, tuple[str, ...]]:
        """The rules behind a difference, by class (every class present, possibly empty)."""
        return {key: tuple(r.rule_id for r in self.reasons if r.kind == key) for key in CLASSES}

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "key": self.key,
            "name": self.name,
            "self_assessment": self.theirs,
            "icscheck": self.ours,
            "relation": self.relation,
            "explanation": self.explanation,
            "reasons": [r.as_dict() for r in self.reasons],
            "circular": self.circular,
            "copied": [c.as_dict() for c in self.copied],
            "without_copied": {"icscheck": self.without_copied} if self.copied else None,
        }
        if self.differs:
            out["classes"] = {key: list(rules) for key, rules in self.classes.items()}
        if self.kind == "arrangement":
            out["status_not_evidenced"] = self.status_not_evidenced
        return out


@dataclass(frozen=True)
class Comparison:
    system_id: str
    system_name: str
    assessment: SelfAssessment
    as_of: str
    rows: tuple[Row, ...]
    copied_claims: tuple[str, ...] = ()  # every claim of the description transcribed from this self-assessment

    @property
    def circular(self) -> int:
        return sum(r.circular for r in self.rows)

    @property
    def classes(self) -> dict[str, dict[str, Any]]:
        """Per class: its words, the rules in it over every row that differs, and how many rows it explains."""
        out: dict[str, dict[str, Any]] = {}
        differing = [r for r in self.rows if r.differs]
        for key, label in CLASSES.items():
            rules: list[str] = []
            for row in differing:
                rules += [rid for rid in row.classes[key] if rid not in rules]
            rows = [row for row in differing if row.classes[key]]
            if key == NOT_IN_DOCUMENTS:
                rows += [row for row in differing if row.status_not_evidenced and row not in rows]
            out[key] = {"label": label, "count": len(rules), "rules": sorted(rules), "rows": len(rows)}
        return out

    def as_dict(self) -> dict[str, Any]:
        agree = sum(r.relation == "agree" for r in self.rows)
        return {
            "system": {"id": self.system_id, "name": self.system_name},
            "self_assessment": {"id": self.assessment.id, "label": self.assessment.label, "as_of": self.assessment.as_of.isoformat()},
            "icscheck_as_of": self.as_of,
            "copied_claims": list(self.copied_claims),
            "agreements": agree,
            "circular_agreements": self.circular,
            "independent_agreements": agree - self.circular,
            "disagreements": sum(r.relation in ("icscheck lower", "icscheck higher") for r in self.rows),
            "not_evidenced": sum(r.relation == "not evidenced" for r in self.rows),
            "classes": self.classes,
            "rows": [r.as_dict() for r in self.rows],
        }


# -- copied claims -------------------------------------------------------------------------

def why(row: Row) -> str:
    """The classes of the rules behind a row that differs, in words: each class present with its rules."""
    parts = []
    for key, label in CLASSES.items():
        rules = row.classes[key]
        if rules:
            parts.append(f"{label}: {len(rules)} rule{'s' if len(rules) != 1 else ''} ({', '.join(rules)})")
    if row.status_not_evidenced:
        parts.append(f"{CLASSES[NOT_IN_DOCUMENTS]}: the arrangement's status is not evidenced")
    return "; ".join(parts)


def _copied_ids(result: Result, assessment: SelfAssessment) -> dict[str, Arrangement | Attestation]:
    """Claims of the description transcribed from this self-assessment, by id."""
    desc = result.fixture.description
    claims: list[Arrangement | Attestation] = [*desc.arrangements, *desc.attestations]
    return {c.id: c for c in claims if c.transcribed_from == assessment.id}


def without_copied(result: Result, assessment: SelfAssessment) -> Summary | None:
    """icscheck's scores with the claims copied from this self-assessment set aside (``None``: there are none).

    A copied arrangement keeps its place in the description with its status unstated; a copied
    attestation, which is nothing but a status, is left out.  Rules, parameters, the engine, the
    assessment date and the rulebook date are those of ``result``: nothing is tuned.
    """
    if not _copied_ids(result, assessment):
        return None
    desc = result.fixture.description
    arrangements = [
        a.model_copy(update={"status": None}) if a.transcribed_from == assessment.id else a for a in desc.arrangements
    ]
    attestations = [a for a in desc.attestations if a.transcribed_from != assessment.id]
    stripped = desc.model_copy(update={"arrangements": arrangements, "attestations": attestations})
    fixture = Fixture(stripped, result.fixture.source)
    return check_fixture(
        fixture, result.rules, result.engine, result.as_of, result.summary.readiness.threshold,
        rulebook_date=result.rulebook_date, stage_method=result.summary.method,
    ).summary


def _copied_in(findings: list[Finding], copied: dict[str, Any]) -> dict[str, tuple[list[str], list[str]]]:
    """Copied claims among those the deciding facts of these findings rest on: claim -> (rules, facts)."""
    out: dict[str, tuple[list[str], list[str]]] = {}
    for f in findings:
        for reading in f.grounds:
            for claim in reading.claims:
                if claim in copied:
                    rules, facts = out.setdefault(claim, ([], []))
                    if f.rule_id not in rules:
                        rules.append(f.rule_id)
                    if reading.name not in facts:
                        facts.append(reading.name)
    return out


def _copied(result: Result, rule_ids: list[str], copied: dict[str, Any], also: list[str] = ()) -> tuple[Copied, ...]:
    """The copied claims the deciding facts of these rules' findings rest on, and those of ``also`` (claim ids)."""
    if not copied:
        return ()
    wanted = set(rule_ids)
    found = _copied_in([f for f in result.findings if f.rule_id in wanted], copied)
    for claim in also:
        if claim in copied:
            found.setdefault(claim, ([], []))
    out = []
    for claim, (rules, facts) in sorted(found.items()):
        obj = copied[claim]
        kind = "arrangement" if isinstance(obj, Arrangement) else "attestation"
        out.append(Copied(claim, kind, obj.status, tuple(rules), tuple(facts), obj.citations))
    return tuple(out)


# -- rows ------------------------------------------------------------------------------------

def _reasons(result: Result, rule_ids: list[str], copied: dict[str, Any]) -> tuple[Reason, ...]:
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
        findings = by_rule.get(rule_id, [])
        for f in findings:
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
        gaps = [f for f in findings if f.status in NOT_MET_STATUSES]
        claims = tuple(sorted(_copied_in(gaps or findings, copied))) if copied else ()
        out.append(Reason(rule_id, rules[rule_id].spec.title, tuple(missing), tuple(not_met), tuple(messages), rule_class(findings), claims))
    return tuple(out)


def _rules(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _domain_rules(result: Result, domain: str, upto: int) -> list[str]:
    """The must-rules of a maturity domain at the stages up to ``STAGES[upto]``: those its stage is scored on."""
    return [
        r.id
        for r in result.rules
        if r.spec.framework == "maturity-matrix"
        and r.spec.domain == domain
        and r.spec.strength == "must"
        and r.spec.stage in STAGES[: upto + 1]
    ]


def _domain_row(result: Result, domain: str, theirs: str | None, copied: dict[str, Any], alt: Summary | None) -> Row:
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
        reasons = _reasons(result, list(cell.failing + cell.not_evidenced), copied)
        relation = "icscheck lower" if cell.failing else "not evidenced"
        explanation = (
            f"The self-assessment claims {theirs}, which claims the domain's bullets (the same at every stage) met; "
            f"{_rules(len(cell.failing), 'has a gap', 'have gaps')} (what the description states falls short) and "
            f"{_rules(len(cell.not_evidenced), 'is not evidenced', 'are not evidenced')} (the description does not state what it needs)"
        )
        return Row("domain", domain, name, theirs, shown, relation, explanation, reasons)
    rank_ours = -1 if ours is None else STAGES.index(ours)
    rank_theirs = STAGES.index(theirs)
    # the rules that make icscheck's stage (those met up to it, those standing before the next) and those up to theirs
    decided_by = _domain_rules(result, domain, min(len(STAGES) - 1, max(rank_ours + 1, rank_theirs)))
    trace = _copied(result, decided_by, copied)
    without = alt.domains[domain].label if trace and alt is not None else None
    extra = {"copied": trace, "without_copied": without}
    if rank_ours == rank_theirs:
        circular = bool(trace) and alt is not None and alt.domains[domain].stage != ours
        return Row("domain", domain, name, theirs, shown, "agree", f"Both place the domain at {theirs}", circular=circular, **extra)
    if rank_ours < rank_theirs:
        # the stages up to theirs that do not fit (or are not determined) by the method of the score decide it
        cells = [info.stages[stage] for stage in STAGES[: rank_theirs + 1] if info.stages[stage].fits is not True]
        gaps = [rid for cell in cells for rid in cell.failing]
        unknown = [rid for cell in cells for rid in cell.not_evidenced]
        reasons = _reasons(result, gaps + unknown, copied)
        relation = "icscheck lower" if any(cell.fits is False for cell in cells) else "not evidenced"
        explanation = (
            f"The self-assessment claims {theirs}; of the must-rules of the stages up to {theirs} that do not fit "
            f"({STAGE_METHOD_TEXT[info.method]}), "
            f"{_rules(len(gaps), 'has a gap', 'have gaps')} (what the description states falls short) and "
            f"{_rules(len(unknown), 'is not evidenced', 'are not evidenced')} (the description does not state what it needs)"
        )
        return Row("domain", domain, name, theirs, shown, relation, explanation, reasons, **extra)
    reading = "every must-rule" if info.method == STRICT else "most of the must-rules of every stage"
    return Row(
        "domain",
        domain,
        name,
        theirs,
        shown,
        "icscheck higher",
        f"{reading[0].upper() + reading[1:]} up to {ours} {'is' if info.method == STRICT else 'are'} met on the description; the self-assessment is more cautious than the evidence",
        **extra,
    )


def _coa_row(result: Result, kind: str, theirs: str | None, copied: dict[str, Any], alt: Summary | None) -> Row:
    info = result.summary.arrangements[kind]
    ours = info.rag
    name = OPERATING_ARRANGEMENTS[kind]
    if theirs is None:
        return Row("arrangement", kind, name, None, ours, "not assessed", "The self-assessment gives no RAG for this arrangement")
    # the RAG is read from the arrangements of this kind, and held back by the gaps of its rules
    own = [a.id for a in result.fixture.description.arrangements if a.kind == kind and a.status is not None]
    relevant = [r.id for r in result.rules if r.spec.arrangement == kind]
    trace = _copied(result, relevant, copied, own)
    without = alt.arrangements[kind].rag if trace and alt is not None else None
    extra = {"copied": trace, "without_copied": without}
    if ours is None:
        reasons = _reasons(result, list(info.rules_with_gaps + info.rules_not_evidenced), copied)
        return Row(
            "arrangement", kind, name, theirs, None, "not evidenced",
            f"The self-assessment rates it {theirs}; icscheck gives no RAG: {info.reason}", reasons,
            status_not_evidenced=True, **extra,
        )
    if ours == theirs:
        circular = bool(trace) and alt is not None and alt.arrangements[kind].rag != ours
        return Row("arrangement", kind, name, theirs, ours, "agree", f"Both rate it {theirs}: {info.reason}", circular=circular, **extra)
    relation = "icscheck lower" if RAG_ORDER.index(ours) > RAG_ORDER.index(theirs) else "icscheck higher"
    reasons = _reasons(result, list(info.rules_with_gaps), copied)
    return Row(
        "arrangement", kind, name, theirs, ours, relation,
        f"The self-assessment rates it {theirs}; icscheck rates it {ours}: {info.reason}", reasons, **extra,
    )


def compare(result: Result, assessment: SelfAssessment) -> Comparison:
    copied = _copied_ids(result, assessment)
    alt = without_copied(result, assessment)
    rows = [_domain_row(result, d, assessment.maturity.get(d), copied, alt) for d in MATRIX_DOMAINS if d in assessment.maturity]
    rows += [_coa_row(result, k, assessment.coa.get(k), copied, alt) for k in OPERATING_ARRANGEMENTS if k in assessment.coa]
    system = result.fixture.description.system
    return Comparison(system.id, system.name, assessment, result.as_of.isoformat(), tuple(rows), tuple(sorted(copied)))


def comparisons(result: Result) -> list[Comparison]:
    """One comparison per self-assessment the description carries, oldest first."""
    assessments = sorted(result.fixture.description.self_assessments, key=lambda a: (a.as_of, a.id))
    return [compare(result, a) for a in assessments]

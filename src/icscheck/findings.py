"""Findings: one verdict per (rule, subject), with its reasons and evidence.

Statuses:

* ``pass`` — the subject meets the rule's condition;
* ``gap`` — what the description states falls short (for a must or should rule);
* ``unknown`` — the description does not state what the rule needs: shown to
  people as *not evidenced*, with the missing facts and where in the
  description they belong; never counted as a gap;
* ``info`` — the description states something short of the rule, but the source
  only says *may*: the choice is recorded, never counted as a gap;
* ``not_applicable`` — the rule is not in force on the assessment date, or its
  selector matched no subject (one finding, about the system, with the reason);
* ``error`` — the engine's verdict for this pair disagrees with the condition's
  own trace (an integrity failure, never silently resolved);
* ``waived`` — a gap covered by an agreed waiver in force (see :mod:`icscheck.waivers`).

Every finding carries the trace of its condition (see :mod:`icscheck.conditions`):
the verdict is the trace's verdict, and the engine's must agree with it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from .conditions import FAILS, HOLDS, UNKNOWN, Trace, Verdict, evaluate, part_messages, tests, verdict
from .errors import Location
from .facts import Subject, Value, catalogue
from .fixture import Fixture
from .graph import SystemGraph
from .model import Cited
from .outcome import Evaluation, rule_verdict
from .rules import Rule

#: Every status, in the order reports list them (worst first).
STATUSES = ("gap", "error", "waived", "unknown", "info", "pass", "not_applicable")
#: How a status is shown to people.
STATUS_LABEL = {
    "gap": "gap",
    "error": "error",
    "waived": "waived",
    "unknown": "not evidenced",
    "info": "info",
    "pass": "pass",
    "not_applicable": "not applicable",
}
KIND_PLURAL = {
    "system": "system",
    "place": "place",
    "neighbourhood": "neighbourhood",
    "organisation": "organisation",
    "collaborative": "provider collaborative",
    "board": "board",
    "arrangement": "plan or arrangement",
}
_STATUS_OF = {HOLDS: "pass", FAILS: "gap", UNKNOWN: "unknown"}


@dataclass(frozen=True)
class SubjectRef:
    id: str
    kind: str
    name: str


@dataclass(frozen=True)
class FactReading:
    """A fact a rule read about its subject: its value (``None``: not stated), whether it is only a
    lower bound, the description lines it came from and the ids of the claims there (see :class:`ClaimRef`)."""

    name: str
    value: Value
    at_least: bool
    sources: tuple[Location, ...]
    claims: tuple[str, ...] = ()


@dataclass(frozen=True)
class CitedWords:
    """The words one claim cites from an evidence item: a verbatim quote of the document and where in
    the document it is (the ``quote`` and ``locator`` of the claim's citation; ``None`` when not given)."""

    evidence: str  # id of the evidence item
    title: str  # the evidence item's title
    claim: str  # id of the claim that cites it
    quote: str | None
    locator: str | None
    at: Location | None  # the line of the quote (else of the citation) in the description


@dataclass(frozen=True)
class ClaimRef:
    """A claim of the description a finding rests on: an entity, a board seat (``board#seatN``), the
    system's finance (``system#finance``), a plan or arrangement, or an attestation.

    ``transcribed_from`` names the self-assessment its status was copied from: the system's own
    judgement, not an independent reading of the evidence."""

    id: str
    kind: str
    location: Location | None
    citations: tuple[CitedWords, ...] = ()
    transcribed_from: str | None = None


@dataclass(frozen=True)
class EvidenceRef:
    """An evidence item cited by the claims a finding rests on: the item itself (with its own
    ``quote``, if it has one) and, in ``citations``, the words each of those claims cites from it."""

    id: str
    title: str
    date: str
    publisher: str | None = None
    section: str | None = None
    url: str | None = None
    quote: str | None = None
    citations: tuple[CitedWords, ...] = ()


@dataclass(frozen=True)
class Check:
    """One comparison of the rule's condition, with the value it read and its own verdict."""

    fact: str
    op: str
    value: Any
    actual: Value
    at_least: bool
    verdict: Verdict

    @property
    def holds(self) -> bool | None:
        return None if self.verdict is UNKNOWN else self.verdict is HOLDS


@dataclass(frozen=True)
class WaiverRecord:
    justification: str
    approver: str
    granted: str
    expires: str
    file: str
    state: str  # "in force", "expired" or "not yet granted"


@dataclass(frozen=True)
class Finding:
    rule_id: str
    status: str
    subject: SubjectRef
    message: str
    location: Location | None
    facts: tuple[FactReading, ...] = ()
    checks: tuple[Check, ...] = ()
    evidence: tuple[EvidenceRef, ...] = ()
    expected_at: tuple[Location, ...] = ()
    unknown: tuple[str, ...] = ()  # the unstated facts that leave the verdict open
    waiver: WaiverRecord | None = None
    trace: Trace | None = None
    where_trace: Trace | None = None
    claims: tuple[ClaimRef, ...] = ()  # the claims its facts rest on, the subject's own first

    @property
    def grounds(self) -> tuple[FactReading, ...]:
        """The facts that decide the verdict: for a gap (or info, waived, error) those that fall short,
        for not evidenced those not stated, for a pass those that hold."""
        if self.status == "unknown":
            names = list(self.unknown)
        elif self.trace is not None and self.status != "not_applicable":
            names = list(dict.fromkeys(leaf.readings[0].fact for leaf in self.trace.deciding()))
        else:
            return ()
        readings = {r.name: r for r in self.facts}
        return tuple(readings[n] for n in names if n in readings)

    def words(self, reading: FactReading) -> tuple[CitedWords, ...]:
        """The words the claims behind a fact cite, each once, in claim order."""
        claims = {c.id: c for c in self.claims}
        out: list[CitedWords] = []
        seen: set[tuple[str, str | None, str | None]] = set()
        for claim_id in reading.claims:
            claim = claims.get(claim_id)
            for cited in claim.citations if claim else ():
                key = (cited.evidence, cited.quote, cited.locator)
                if key not in seen:
                    seen.add(key)
                    out.append(cited)
        return tuple(out)

    def transcribed(self, reading: FactReading) -> tuple[ClaimRef, ...]:
        """The claims behind a fact whose status was copied from a self-assessment."""
        ids = set(reading.claims)
        return tuple(c for c in self.claims if c.id in ids and c.transcribed_from)

    @property
    def subject_id(self) -> str:
        return self.subject.id

    @property
    def subject_kind(self) -> str:
        return self.subject.kind

    @property
    def subject_name(self) -> str:
        return self.subject.name

    @property
    def label(self) -> str:
        return STATUS_LABEL[self.status]

    @property
    def fingerprint(self) -> str:
        return f"{self.rule_id}::{self.subject_kind}:{self.subject_id}"

    def sort_key(self) -> tuple:
        return (self.rule_id, self.subject_kind, self.subject_id)


def render_value(value: Value, at_least: bool = False) -> str:
    if value is None:
        return "not stated"
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, int):
        text = f"{value:,}"
    else:
        text = str(value)
    return f"at least {text}" if at_least else text


class _Rendered(dict):
    """Facts (and rule parameters) rendered for a message, only for the placeholders used."""

    def __init__(self, subject: Subject, params: dict[str, Any]):
        super().__init__(subject=subject.id)
        self._subject = subject
        self._params = params

    def __missing__(self, key: str) -> str:
        facts = self._subject.facts
        if key in facts:
            value = render_value(facts[key], key in self._subject.at_least)
        else:
            value = render_value(self._params[key])
        self[key] = value
        return value


#: "N noun(s)" in a message template: the count, up to four words between, and the noun.
_COUNTED = re.compile(r"(?P<count>\b\d[\d,]*|not stated)(?P<words>(?: [A-Za-z][\w-]*){0,4}?) (?P<noun>[A-Za-z][\w-]*)\(s\)")
#: A unit written after a value that may be unstated: "not stated% a year" reads "not stated".
_UNSTATED_UNIT = re.compile(r"not stated(?:%| per cent)(?: a year| per year| per annum)?")


def _counted(match: re.Match) -> str:
    count, words, noun = match.group("count"), match.group("words"), match.group("noun")
    if count == "not stated":
        return f"{'An' if match.start() == 0 else 'an'} unstated number of{words} {noun}s"
    return f"{count}{words} {noun}{'' if count == '1' else 's'}"


def readable(text: str) -> str:
    """A rendered message as people read it: "1 place", "2 places" for "N place(s)"; "an unstated number of
    seats" for a count the description does not state; "not stated" with no unit after it."""
    text = _COUNTED.sub(_counted, text)
    text = _UNSTATED_UNIT.sub("not stated", text)
    return text.replace("(s)", "s")


def render(template: str, subject: Subject, params: dict[str, Any] | None = None) -> str:
    return readable(template.format_map(_Rendered(subject, params or {})))


class FindingBuilder:
    """Builds findings for one fixture: resolves provenance to lines and evidence."""

    def __init__(self, fixture: Fixture, graph: SystemGraph, subjects: list[Subject]):
        self.fixture = fixture
        self.graph = graph
        self.subjects = {s.id: s for s in subjects}
        self.by_kind: dict[str, list[Subject]] = {}
        for s in subjects:
            self.by_kind.setdefault(s.kind, []).append(s)
        self.evidence = {e.id: e for e in fixture.description.evidence}
        self.system = graph.system
        self.descriptions = {kind: {name: spec.description for name, spec in specs.items()} for kind, specs in catalogue().items()}
        self._locations: dict[str, Location | None] = {}
        self._claims: dict[str, ClaimRef | None] = {}

    def _location(self, node: str) -> Location | None:
        if node not in self._locations:
            path = self.graph.g.nodes[node]["path"] if node in self.graph.g else ()
            self._locations[node] = self.fixture.source.location(path) if path else None
        return self._locations[node]

    def _claim(self, node: str) -> ClaimRef | None:
        """The claim a graph node stands for, with its citations; ``None`` for nodes that are no claim
        (a named person, the place where absent plans or attestations belong)."""
        if node not in self._claims:
            data = self.graph.g.nodes[node] if node in self.graph.g else None
            obj = data["obj"] if data else None
            if not isinstance(obj, Cited):
                self._claims[node] = None
            else:
                path = data["path"]
                cited = tuple(
                    CitedWords(
                        c.id,
                        self.evidence[c.id].title,
                        node,
                        c.quote,
                        c.locator,
                        self.fixture.source.location(path + ("evidence", i) + (("quote",) if c.quote else ())) if path else None,
                    )
                    for i, c in enumerate(obj.citations)
                )
                self._claims[node] = ClaimRef(node, data["type"], self._location(node), cited, getattr(obj, "transcribed_from", None))
        return self._claims[node]

    def _evidence(self, claims: list[ClaimRef]) -> tuple[EvidenceRef, ...]:
        by_item: dict[str, list[CitedWords]] = {}
        for claim in claims:
            for cited in claim.citations:
                by_item.setdefault(cited.evidence, []).append(cited)
        out = []
        for eid in sorted(by_item):
            item = self.evidence[eid]
            out.append(
                EvidenceRef(
                    item.id, item.title, item.date.isoformat(), item.publisher, item.section, item.url, item.quote, tuple(by_item[eid])
                )
            )
        return tuple(out)

    def _places(self, subject: Subject, names: list[str]) -> tuple[Location, ...]:
        seen: list[Location] = []
        for name in names:
            for node in subject.sources.get(name, ()):
                loc = self._location(node)
                if loc and loc not in seen:
                    seen.append(loc)
        return tuple(seen)

    def _message(self, rule: Rule, subject: Subject, status: str, trace: Trace, where: Trace | None, missing: list[str]) -> str:
        spec = rule.spec
        if status == "pass":
            return render(spec.pass_message, subject, spec.parameters) if spec.pass_message else spec.title
        if status == "unknown":
            described = self.descriptions[rule.kind]
            parts = []
            for name in missing:
                words = described.get(name, name)
                if len(words) > 1 and words[1].islower():
                    words = words[0].lower() + words[1:]
                text = f"{words} ({name})"
                if name in subject.at_least and subject.facts.get(name) is not None:
                    text += f": only {render_value(subject.facts[name])} listed, on a list given in part"
                parts.append(text)
            opening = "not evidenced — the description does not state"
            if where is not None and where.verdict is UNKNOWN:
                opening = "not evidenced — the description does not state whether the rule applies, nor enough to decide it:"
            return f"{opening} {'; '.join(parts)}"
        message = render(spec.message, subject, spec.parameters)
        failing = list(dict.fromkeys(render(t, subject, spec.parameters) for t in part_messages(trace, FAILS)))
        open_parts = list(dict.fromkeys(render(t, subject, spec.parameters) for t in part_messages(trace, UNKNOWN)))
        if failing:
            message = f"{message}: {'; '.join(failing)}"
        if open_parts:
            message += f" (also not evidenced: {'; '.join(open_parts)})"
        if status == "info":
            message += " (recorded: the source leaves this to local choice)"
        return message

    def for_subject(self, rule: Rule, subject: Subject, trace: Trace, where: Trace | None, status: str) -> Finding:
        involved: list[str] = [subject.node]
        readings = []
        for name in rule.examined:
            nodes = [n for n in subject.sources.get(name, ()) if n in self.graph.g]
            involved += [n for n in nodes if n not in involved]
            locations = tuple(loc for loc in (self._location(n) for n in nodes) if loc)
            claims = tuple(n for n in nodes if self._claim(n) is not None)
            readings.append(FactReading(name, subject.facts[name], name in subject.at_least, locations, claims))
        checks = tuple(Check(t.fact, t.op, t.value, t.reading.value, t.reading.at_least, t.verdict) for t in tests(trace))
        missing: list[str] = []
        if where is not None:
            missing += [n for n in where.missing if n not in missing]
        missing += [n for n in trace.missing if n not in missing]
        if status == "unknown":
            expected = self._places(subject, missing)
        elif status in ("gap", "info"):
            expected = self._places(subject, [leaf.readings[0].fact for leaf in trace.deciding()])
        else:
            expected = ()
        claims = [c for c in (self._claim(n) for n in involved) if c is not None]
        return Finding(
            rule_id=rule.id,
            status=status,
            subject=SubjectRef(subject.id, subject.kind, subject.name),
            message=self._message(rule, subject, status, trace, where, missing),
            location=self._location(subject.node),
            facts=tuple(readings),
            checks=checks,
            evidence=self._evidence(claims),
            expected_at=expected,
            unknown=tuple(missing) if status == "unknown" else (),
            trace=trace,
            where_trace=where,
            claims=tuple(claims),
        )

    def not_applicable(self, rule: Rule, reason: str) -> Finding:
        system = self.subjects[self.system]
        return Finding(
            rule_id=rule.id,
            status="not_applicable",
            subject=SubjectRef(system.id, "system", system.name),
            message=reason,
            location=self._location(system.node),
        )

    def error(self, rule: Rule, subject: Subject, reason: str, trace: Trace | None = None) -> Finding:
        return Finding(
            rule_id=rule.id,
            status="error",
            subject=SubjectRef(subject.id, subject.kind, subject.name),
            message=reason,
            location=self._location(subject.node),
            trace=trace,
        )


def _shown(v: Verdict | None) -> str:
    return "does not apply" if v is None else {HOLDS: "passes", FAILS: "has a gap", UNKNOWN: "is not evidenced"}[v]


def build_findings(rules: list[Rule], evaluation: Evaluation, builder: FindingBuilder, as_of: dt.date) -> list[Finding]:
    """Exactly one finding per (rule, subject) pair, each checked against the engine's verdict, sorted."""
    findings: list[Finding] = []
    for rule in rules:
        spec = rule.spec
        if not rule.in_force(as_of):
            if spec.effective_from and as_of < spec.effective_from:
                reason = f"not in force on {as_of.isoformat()}: applies from {spec.effective_from.isoformat()}"
            else:
                reason = f"not in force on {as_of.isoformat()}: applied until {spec.effective_to.isoformat()}"  # type: ignore[union-attr]
            findings.append(builder.not_applicable(rule, reason))
            continue
        outcome = evaluation[rule.id]
        own: list[Finding] = []
        for subject in builder.by_kind.get(rule.kind, []):
            facts = subject.view
            where_verdict = verdict(rule.where, facts)
            where = evaluate(rule.where, facts) if rule.where is not None and where_verdict is UNKNOWN else None
            trace = evaluate(rule.condition, facts) if where_verdict is not FAILS else None
            expected = rule_verdict(where_verdict, trace.verdict if trace else FAILS)
            engine = outcome.verdicts.get(subject.id)
            if subject.id in outcome.conflicts:
                own.append(builder.error(rule, subject, "the engine matched the condition as both met and not met", trace))
            elif engine is not expected:
                own.append(
                    builder.error(
                        rule, subject, f"the engine says it {_shown(engine)}, but the condition's trace says it {_shown(expected)}", trace
                    )
                )
            elif expected is not None and trace is not None:
                status = _STATUS_OF[expected]
                if status == "gap" and spec.strength == "may":
                    status = "info"
                own.append(builder.for_subject(rule, subject, trace, where, status))
        if not own:
            what = KIND_PLURAL[rule.kind]
            qualifier = " that this rule applies to" if rule.where is not None else ""
            own.append(builder.not_applicable(rule, f"the description has no {what}{qualifier}"))
        findings.extend(own)
    return sorted(findings, key=Finding.sort_key)

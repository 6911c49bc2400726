"""Findings: one verdict per (rule, subject), with its reasons and evidence.

Statuses:

* ``pass`` — the subject meets the rule's condition;
* ``gap`` — it does not (for a must or should rule);
* ``info`` — it does not, but the source only says *may*: the choice is
  recorded, never counted as a gap;
* ``not_applicable`` — the rule is not in force on the assessment date, or its
  selector matched no subject (one finding, about the system, with the reason);
* ``error`` — the evaluator's answer for this pair was inconsistent;
* ``waived`` — a gap covered by an agreed waiver in force (see :mod:`icscheck.waivers`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .engine import Evaluation, holds
from .facts import Subject, Value
from .fixture import Fixture
from .graph import SystemGraph
from .rules import Compiled, Rule

STATUSES = ("gap", "error", "waived", "info", "pass", "not_applicable")
KIND_PLURAL = {
    "system": "system",
    "place": "place",
    "neighbourhood": "neighbourhood",
    "organisation": "organisation",
    "collaborative": "provider collaborative",
    "board": "board",
    "arrangement": "plan or arrangement",
}


@dataclass(frozen=True)
class Finding:
    rule_id: str
    status: str
    subject_id: str
    subject_kind: str
    subject_name: str
    message: str
    location: dict[str, Any] | None
    facts: tuple[dict[str, Any], ...] = ()
    checks: tuple[dict[str, Any], ...] = ()
    evidence: tuple[dict[str, Any], ...] = ()
    expected_at: tuple[dict[str, Any], ...] = ()
    unknown: tuple[str, ...] = field(default=())
    waiver: dict[str, Any] | None = None

    @property
    def fingerprint(self) -> str:
        return f"{self.rule_id}::{self.subject_kind}:{self.subject_id}"

    def sort_key(self) -> tuple:
        return (self.rule_id, self.subject_kind, self.subject_id)


def render_value(value: Value) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


class _Rendered(dict):
    """Facts (and rule parameters) rendered for a message, only for the placeholders used."""

    def __init__(self, subject: Subject, params: dict[str, Any]):
        super().__init__(subject=subject.id)
        self._facts = subject.facts
        self._params = params

    def __missing__(self, key: str) -> str:
        value = render_value(self._facts[key] if key in self._facts else self._params[key])
        self[key] = value
        return value


def render(template: str, subject: Subject, params: dict[str, Any] | None = None) -> str:
    return template.format_map(_Rendered(subject, params or {}))


def atoms(condition: Compiled | None) -> list[tuple]:
    if condition is None:
        return []
    if condition[0] == "cmp":
        return [condition]
    return [atom for child in condition[1] for atom in atoms(child)]


class FindingBuilder:
    """Builds findings for one fixture: resolves provenance to lines and evidence."""

    def __init__(self, fixture: Fixture, graph: SystemGraph, subjects: list[Subject]):
        self.fixture = fixture
        self.graph = graph
        self.subjects = {s.id: s for s in subjects}
        self.evidence = {e.id: e for e in fixture.description.evidence}
        self.system = graph.system
        self._locations: dict[str, dict[str, Any] | None] = {}

    def _location(self, node: str) -> dict[str, Any] | None:
        if node not in self._locations:
            path = self.graph.g.nodes[node]["path"] if node in self.graph.g else ()
            self._locations[node] = self.fixture.source.location(path).as_dict() if path else None
        return self._locations[node]

    def _evidence(self, nodes: list[str]) -> tuple[dict[str, Any], ...]:
        ids: set[str] = set()
        for node in nodes:
            if node in self.graph.g:
                ids.update(self.graph.g.nodes[node]["evidence"])
        out = []
        for eid in sorted(ids):
            item = self.evidence[eid]
            entry = {"id": item.id, "title": item.title, "date": item.date.isoformat()}
            for key in ("publisher", "section", "url"):
                if getattr(item, key):
                    entry[key] = getattr(item, key)
            out.append(entry)
        return tuple(out)

    def for_subject(self, rule: Rule, subject: Subject, status: str) -> Finding:
        fact = subject.engine_fact()
        involved: list[str] = [subject.node]
        facts = []
        for name in rule.examined:
            nodes = [n for n in subject.sources.get(name, ()) if n in self.graph.g]
            involved += [n for n in nodes if n not in involved]
            locations = [loc for loc in (self._location(n) for n in nodes) if loc]
            facts.append({"name": name, "value": subject.facts[name], "from": locations})
        checks = tuple(
            {
                "fact": attribute,
                "op": op,
                "value": value,
                "actual": subject.facts.get(attribute),
                "holds": holds(("cmp", attribute, op, value), fact),
            }
            for _, attribute, op, value in atoms(rule.condition)
        )
        unknown = tuple(name for name in rule.examined if subject.facts.get(name) is None)
        expected: tuple[dict[str, Any], ...] = ()
        if status in ("gap", "info"):
            failing = {c["fact"] for c in checks if not c["holds"]}
            seen = []
            for name in rule.examined:
                if name in failing:
                    for node in subject.sources.get(name, ()):
                        loc = self._location(node)
                        if loc and loc not in seen:
                            seen.append(loc)
            expected = tuple(seen)
        if status == "pass":
            message = render(rule.spec.pass_message, subject, rule.spec.parameters) if rule.spec.pass_message else rule.spec.title
        else:
            message = render(rule.spec.message, subject, rule.spec.parameters)
            failing_parts = []
            for atom, template in rule.part_messages:
                if not holds(atom, fact):
                    part = render(template, subject, rule.spec.parameters)
                    if part not in failing_parts:
                        failing_parts.append(part)
            if failing_parts:
                message = f"{message}: {'; '.join(failing_parts)}"
            if status == "info":
                message += " (recorded: the source leaves this to local choice)"
        return Finding(
            rule_id=rule.id,
            status=status,
            subject_id=subject.id,
            subject_kind=subject.kind,
            subject_name=subject.name,
            message=message,
            location=self._location(subject.node),
            facts=tuple(facts),
            checks=checks,
            evidence=self._evidence(involved),
            expected_at=expected,
            unknown=unknown,
        )

    def not_applicable(self, rule: Rule, reason: str) -> Finding:
        system = self.subjects[self.system]
        return Finding(
            rule_id=rule.id,
            status="not_applicable",
            subject_id=system.id,
            subject_kind="system",
            subject_name=system.name,
            message=reason,
            location=self._location(system.node),
        )

    def error(self, rule: Rule, subject: Subject, reason: str) -> Finding:
        return Finding(
            rule_id=rule.id,
            status="error",
            subject_id=subject.id,
            subject_kind=subject.kind,
            subject_name=subject.name,
            message=reason,
            location=self._location(subject.node),
        )


def build_findings(
    rules: list[Rule], evaluation: Evaluation, builder: FindingBuilder, as_of: dt.date
) -> list[Finding]:
    """Exactly one finding per (rule, subject) pair, sorted deterministically."""
    findings: list[Finding] = []
    for rule in rules:
        spec = rule.spec
        if not rule.in_force(as_of):
            if spec.effective_from and as_of < spec.effective_from:
                reason = f"not in force on {as_of.isoformat()}: applies from {spec.effective_from.isoformat()}"
            else:
                reason = f"not in force on {as_of.isoformat()}: applied until {spec.effective_to.isoformat()}"
            findings.append(builder.not_applicable(rule, reason))
            continue
        outcome = evaluation[rule.id]
        if not outcome.applicable:
            what = KIND_PLURAL[rule.kind]
            qualifier = " that this rule applies to" if rule.where is not None else ""
            findings.append(builder.not_applicable(rule, f"the description has no {what}{qualifier}"))
            continue
        for subject_id in sorted(outcome.applicable | outcome.passing):
            subject = builder.subjects[subject_id]
            if subject_id not in outcome.applicable:
                findings.append(builder.error(rule, subject, "the evaluator passed a subject the rule does not apply to"))
            elif subject_id in outcome.passing:
                findings.append(builder.for_subject(rule, subject, "pass"))
            else:
                findings.append(builder.for_subject(rule, subject, "info" if spec.strength == "may" else "gap"))
    return sorted(findings, key=Finding.sort_key)

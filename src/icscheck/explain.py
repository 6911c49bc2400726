"""Plain-English explanations of a rule's verdicts, for auditors.

For a rule (and optionally one subject) it says what the rule requires and
where that comes from, which subjects it applied to, and for each the facts
examined, their values, where each came from in the description and its
evidence, and why they give the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .api import Result
from .conditions import FAILS, HOLDS, UNKNOWN, Trace, describe, outline
from .errors import InputError
from .facts import catalogue
from .findings import FactReading, Finding, render_value
from .rules import PARAPHRASE_LABEL, Rule

VERDICT = {
    "pass": "passes",
    "gap": "has a gap",
    "waived": "has a gap, waived",
    "unknown": "is not evidenced",
    "info": "is recorded (the source leaves this to local choice)",
    "not_applicable": "does not apply",
    "error": "could not be evaluated",
}
NODE_VERDICT = {HOLDS: "met", FAILS: "not met", UNKNOWN: "not evidenced"}


@dataclass(frozen=True)
class Explanation:
    rule: Rule
    findings: tuple[Finding, ...]
    applies_to: str
    lines: tuple[tuple[str, str], ...]  # (style, text)

    def as_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule.id, "text": [text for _, text in self.lines]}


def _value(value: Any, at_least: bool = False) -> str:
    return "not stated in the description" if value is None else render_value(value, at_least)


def trace_lines(trace: Trace, names: dict[str, str], depth: int = 1) -> list[str]:
    """The trace as indented sentences: every part of the condition with its value and its verdict."""
    out = []
    heads = {"all": "all of these", "any": "at least one of these", "not": "the following must not hold"}
    for line in outline(trace, names):
        pad = "  " * (depth + line.depth)
        if line.reading is None:
            out.append(f"{pad}- {heads[line.test]} — {NODE_VERDICT[line.verdict]}:")
        else:
            note = " (a count over a list given only in part)" if line.reading.at_least else ""
            value = _value(line.reading.value, line.reading.at_least)
            out.append(f"{pad}- {line.test}? It is {value}{note}: {NODE_VERDICT[line.verdict]}.")
    return out


def _words(f: Finding, fact: FactReading) -> list[tuple[str, str]]:
    """The words behind a fact: what each claim it rests on quotes from its evidence, and where."""
    out: list[tuple[str, str]] = []
    for claim in f.transcribed(fact):
        out.append(
            ("yellow", f"    Its status ({claim.id}) is copied from the self-assessment '{claim.transcribed_from}': "
             "the system's own rating, not an independent reading of the evidence.")
        )
    for w in f.words(fact):
        said = f"\u201c{' '.join(w.quote.split())}\u201d" if w.quote else "(cited without its words)"
        where = f"{w.title}, {w.locator}" if w.locator else w.title
        line = f" (cited at {w.at.file}:{w.at.line})" if w.at else ""
        out.append(("italic", f"    {said} \u2014 {where}{line}"))
    return out


def _conclusion(f: Finding) -> tuple[str, str]:
    if f.status == "pass":
        return "green", "So it passes: the condition holds on what the description states."
    if f.status == "unknown":
        return "yellow", f"So it is not evidenced, not a gap: {f.message}"
    return ("red" if f.status in ("gap", "error") else ""), f"So it {VERDICT[f.status]}: {f.message}"


def explain(result: Result, rule_id: str, subject: str | None = None) -> Explanation:
    rules = {r.id: r for r in result.rules}
    aliases = {a: r.id for r in result.rules for a in r.spec.aliases}
    rule = rules.get(rule_id) or rules.get(aliases.get(rule_id, ""))
    if rule is None:
        raise InputError(rule_id, "no rule with this id")
    findings = [f for f in result.findings if f.rule_id == rule.id]
    if subject is not None:
        findings = [f for f in findings if f.subject_id == subject]
        if not findings:
            subjects = ", ".join(sorted({f.subject_id for f in result.findings if f.rule_id == rule.id}))
            raise InputError(subject, f"rule {rule.id} has no finding for this subject; it has: {subjects}")
    spec = rule.spec
    descriptions = {name: fact.description for name, fact in catalogue()[rule.kind].items()}
    lines: list[tuple[str, str]] = [
        ("bold", f"{spec.id}: {spec.title}"),
        ("", f"What it requires ({spec.strength}): {spec.source.requirement}"),
        ("", f"Where it comes from: {spec.source.citation()}."),
    ]
    if spec.source.quote:
        lines.append(("italic", f"The source says: \u201c{spec.source.quote}\u201d"))
    elif spec.source.paraphrase:
        lines.append(("italic", f"What the source says ({PARAPHRASE_LABEL}): {spec.source.paraphrase}"))
    if spec.superseded_by:
        successors = f"; its successors: {', '.join(spec.successors)}" if spec.successors else ""
        lines.append(("", f"In force until {spec.effective_to}, then superseded by {spec.superseded_by}{successors}."))
    if spec.source.note:
        lines.append(("", f"Note on the source: {spec.source.note}"))
    lines.append(("", f"Why it matters: {spec.rationale}"))
    applied = [f for f in result.findings if f.rule_id == rule.id and f.status != "not_applicable"]
    if applied:
        names = ", ".join(f"'{f.subject_name}'" for f in applied)
        lines.append(("", f"It applied to {len(applied)} {rule.kind}(s) in the description: {names}."))
    condition_words = describe(rule.condition, descriptions)
    lines.append(("", f"A {rule.kind} passes when {condition_words}."))
    for f in findings:
        lines.append(("", ""))
        where = f" (described at {f.location.file}:{f.location.line})" if f.location else ""
        lines.append(("bold", f"{f.subject_kind.capitalize()} '{f.subject_name}'{where} {VERDICT[f.status]}."))
        if f.status == "not_applicable" or f.trace is None:
            lines.append(("", f"Why: {f.message}."))
            continue
        for fact in f.facts:
            origin = ", ".join(f"{loc.file}:{loc.line}" for loc in fact.sources) or "the description as a whole"
            lines.append(("", f"- {descriptions.get(fact.name, fact.name)} ({fact.name}) is {_value(fact.value, fact.at_least)}; from {origin}."))
            lines += _words(f, fact)
        if f.where_trace is not None:
            lines.append(("", "- Whether the rule applies:"))
            lines += [("", text) for text in trace_lines(f.where_trace, descriptions, 2)]
        lines.append(("", "- The rule asks:"))
        lines += [("", text) for text in trace_lines(f.trace, descriptions, 2)]
        if f.evidence:
            cited = "; ".join(f"{e.title} ({e.date}{', ' + e.section if e.section else ''})" for e in f.evidence)
            lines.append(("", f"- Evidence cited for these claims: {cited}."))
        else:
            lines.append(("", "- No evidence item is cited for these claims."))
        lines.append(_conclusion(f))
        if f.expected_at:
            spots = ", ".join(f"{loc.file}:{loc.line}" for loc in f.expected_at)
            label = "Where to state what is missing" if f.status == "unknown" else "Where to add what is missing"
            lines.append(("", f"{label}: {spots}."))
        if f.waiver:
            w = f.waiver
            lines.append(("magenta", f"Waiver ({w.state}): {w.justification} — approved by {w.approver}, {w.granted} to {w.expires}."))
    return Explanation(rule, tuple(findings), rule.kind, tuple(lines))

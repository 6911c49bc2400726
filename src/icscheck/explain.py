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
from .errors import InputError
from .facts import catalogue
from .findings import Finding, render_value
from .rules import Rule

OP_PHRASE = {
    "eq": "is",
    "ne": "is not",
    "gt": "is more than",
    "gte": "is at least",
    "lt": "is less than",
    "lte": "is at most",
}
VERDICT = {
    "pass": "passes",
    "gap": "has a gap",
    "waived": "has a gap, waived",
    "info": "is recorded (the source leaves this to local choice)",
    "not_applicable": "does not apply",
    "error": "could not be evaluated",
}


@dataclass(frozen=True)
class Explanation:
    rule: Rule
    findings: tuple[Finding, ...]
    applies_to: str
    lines: tuple[tuple[str, str], ...]  # (style, text)

    def as_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule.id, "text": [text for _, text in self.lines]}


def _value(value: Any) -> str:
    return "not stated in the description" if value is None else render_value(value)


def _check_sentence(check: dict, descriptions: dict[str, str]) -> str:
    what = descriptions.get(check["fact"], check["fact"])
    wanted = f"{OP_PHRASE[check['op']]} {render_value(check['value'])}"
    actual = _value(check["actual"])
    verdict = "met" if check["holds"] else "not met"
    return f"{what} ({check['fact']}) {wanted}? It is {actual}: {verdict}."


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
    if spec.source.note:
        lines.append(("", f"Note on the source: {spec.source.note}"))
    lines.append(("", f"Why it matters: {spec.rationale}"))
    applied = [f for f in result.findings if f.rule_id == rule.id and f.status != "not_applicable"]
    if applied:
        names = ", ".join(f"'{f.subject_name}'" for f in applied)
        lines.append(("", f"It applied to {len(applied)} {rule.kind}(s) in the description: {names}."))
    for f in findings:
        lines.append(("", ""))
        where = f" (described at {f.location['file']}:{f.location['line']})" if f.location else ""
        lines.append(("bold", f"{f.subject_kind.capitalize()} '{f.subject_name}'{where} {VERDICT[f.status]}."))
        if f.status == "not_applicable":
            lines.append(("", f"Why: {f.message}."))
            continue
        for fact in f.facts:
            origin = ", ".join(f"{loc['file']}:{loc['line']}" for loc in fact["from"]) or "the description as a whole"
            lines.append(("", f"- {descriptions.get(fact['name'], fact['name'])} ({fact['name']}) is {_value(fact['value'])}; from {origin}."))
        for check in f.checks:
            lines.append(("", f"- The rule asks: {_check_sentence(check, descriptions)}"))
        if f.evidence:
            cited = "; ".join(f"{e['title']} ({e['date']}{', ' + e['section'] if e.get('section') else ''})" for e in f.evidence)
            lines.append(("", f"- Evidence cited for these claims: {cited}."))
        else:
            lines.append(("", "- No evidence item is cited for these claims."))
        if f.status == "pass":
            lines.append(("green", "So it passes: every part the rule asks for is met."))
        else:
            lines.append(("red" if f.status in ("gap", "error") else "", f"So it {VERDICT[f.status]}: {f.message}"))
            if f.expected_at:
                spots = ", ".join(f"{loc['file']}:{loc['line']}" for loc in f.expected_at)
                lines.append(("", f"Where to add what is missing: {spots}."))
            if f.waiver:
                w = f.waiver
                lines.append(("magenta", f"Waiver ({w['state']}): {w['justification']} — approved by {w['approver']}, {w['granted']} to {w['expires']}."))
    return Explanation(rule, tuple(findings), rule.kind, tuple(lines))

"""Waivers: agreed derogations from a rule, for one subject or all of them.

A waiver file lists, for each derogation, the rule, the subject (or ``"*"``),
the justification, who approved it, when it was granted and when it expires.
It is validated before a run: a malformed waiver file is invalid input.  A
gap covered by a waiver in force on the assessment date is reported as
``waived`` with its justification, never hidden; a gap whose waiver has
expired stays a gap and says so.  Waivers never change a pass, and scoring
treats a waived gap as still unmet: a derogation accepts a gap, it does not
close it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from pydantic import Field, model_validator

from .errors import InputError
from .findings import Finding, WaiverRecord
from .model import Date, Strict, Text
from .rules import Rule, RuleId
from .validation import validate
from .yamlsource import SourceMap, load_yaml

ALL_SUBJECTS = "*"


class Waiver(Strict):
    rule: RuleId
    subject: Text = Field(description="Subject id, or '*' for every subject of the rule")
    justification: Text
    approver: Text
    granted: Date
    expires: Date

    @model_validator(mode="after")
    def _dates(self):
        if self.expires < self.granted:
            raise ValueError("expires is before granted")
        return self


class WaiverFile(Strict):
    waivers: list[Waiver] = Field(default_factory=list)


def load_waivers(path: Path | str, rules: list[Rule]) -> tuple[list[Waiver], SourceMap]:
    data, smap = load_yaml(path)
    if not isinstance(data, dict):
        raise InputError(smap.location(()), "a waiver file must be a mapping with a 'waivers' list")
    parsed = validate(WaiverFile, data, smap)
    known = {r.id for r in rules} | {alias for r in rules for alias in r.spec.aliases}
    seen: dict[tuple[str, str], int] = {}
    for i, waiver in enumerate(parsed.waivers):
        if waiver.rule not in known:
            raise InputError(smap.location(("waivers", i, "rule")), f"unknown rule '{waiver.rule}'")
        key = (waiver.rule, waiver.subject)
        if key in seen:
            raise InputError(
                smap.location(("waivers", i)), f"a second waiver for {waiver.rule} / {waiver.subject} (first at line {seen[key]})"
            )
        seen[key] = smap.line(("waivers", i))
    return parsed.waivers, smap


def check_subjects(waivers: list[Waiver], smap: SourceMap, rules: list[Rule], subjects: list) -> None:
    """Every waiver names a subject the rule applies to: one of the description's subjects of the rule's kind, or '*'."""
    kinds = {rule.id: rule.kind for rule in rules} | {alias: rule.kind for rule in rules for alias in rule.spec.aliases}
    ids: dict[str, set[str]] = {}
    for subject in subjects:
        ids.setdefault(subject.kind, set()).add(subject.id)
    for i, waiver in enumerate(waivers):
        kind = kinds[waiver.rule]
        if waiver.subject != ALL_SUBJECTS and waiver.subject not in ids.get(kind, set()):
            known = ", ".join(sorted(ids.get(kind, set()))[:8]) or "none"
            raise InputError(
                smap.location(("waivers", i, "subject")),
                f"{waiver.rule} applies to each {kind}, and the description has no {kind} '{waiver.subject}' (its {kind}s: {known})",
            )


def _canonical(rule_id: str, rules: list[Rule]) -> str:
    for rule in rules:
        if rule_id == rule.id or rule_id in rule.spec.aliases:
            return rule.id
    return rule_id


def apply_waivers(findings: list[Finding], waivers: list[Waiver], rules: list[Rule], as_of: dt.date, source: str) -> list[Finding]:
    """Mark waived gaps; note expired waivers on the gaps they no longer cover."""
    by_key: dict[tuple[str, str], Waiver] = {}
    for waiver in waivers:
        by_key[(_canonical(waiver.rule, rules), waiver.subject)] = waiver
    out = []
    for finding in findings:
        waiver = by_key.get((finding.rule_id, finding.subject_id)) or by_key.get((finding.rule_id, ALL_SUBJECTS))
        if waiver is None or finding.status != "gap":
            out.append(finding)
            continue
        def record(state: str, waiver: Waiver = waiver) -> WaiverRecord:
            return WaiverRecord(
                waiver.justification, waiver.approver, waiver.granted.isoformat(), waiver.expires.isoformat(), source, state
            )

        if waiver.granted <= as_of <= waiver.expires:
            out.append(replace(finding, status="waived", waiver=record("in force")))
        elif as_of > waiver.expires:
            message = f"{finding.message} (waiver expired on {waiver.expires.isoformat()})"
            out.append(replace(finding, message=message, waiver=record("expired")))
        else:
            out.append(replace(finding, waiver=record("not yet granted")))
    return out

"""Rule documentation and the coverage table, generated from the rule files.

``build()`` returns the pages as text keyed by their path under the docs
folder; the CLI writes them.  Pages are rendered with Jinja2 templates
shipped in ``icscheck/templates``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, RootModel, model_validator

from .errors import InputError
from .facts import catalogue
from .templating import environment
from .frameworks import INTEGRATING_CARE_THEMES, MATRIX_DOMAINS, OPERATING_ARRANGEMENTS, STAGES
from .model import Strict, Text
from .conditions import describe
from .resources import local_rule_dirs, rules_dir
from .rules import Rule
from .validation import validate
from .yamlsource import load_yaml

class CoverageEntry(Strict):
    document: Text
    ref: Text
    text: Text
    rules: list[str] = Field(default_factory=list)
    not_checkable: Text | None = None

    @model_validator(mode="after")
    def _one_of(self):
        if bool(self.rules) == bool(self.not_checkable):
            raise ValueError("give either rules or not_checkable (with the reason), not both or neither")
        return self


class Coverage(RootModel[list[CoverageEntry]]):
    pass


class ReviewEntry(Strict):
    rule: str
    verdict: Literal["faithful", "changed", "withdrawn"]
    note: Text = Field(description="Why: what the source says and what changed, if anything")


class Review(RootModel[list[ReviewEntry]]):
    pass


def load_review(path: Path, known_ids: set[str]) -> list[ReviewEntry]:
    """The review of each rule against its source; every entry names a loaded rule, or a withdrawn one that is not loaded."""
    data, smap = load_yaml(path)
    entries = validate(Review, data, smap).root
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        if entry.rule in seen:
            raise InputError(smap.location((i, "rule")), f"rule '{entry.rule}' is reviewed twice")
        seen.add(entry.rule)
        if entry.verdict == "withdrawn" and entry.rule in known_ids:
            raise InputError(smap.location((i, "verdict")), f"rule '{entry.rule}' is withdrawn but still in the rulebook")
        if entry.verdict != "withdrawn" and entry.rule not in known_ids:
            raise InputError(smap.location((i, "rule")), f"unknown rule '{entry.rule}'")
    return entries


def default_review(rules: list[Rule]) -> list[ReviewEntry]:
    """The review files beside the bundled rulebook and local packs, for the rules loaded."""
    known = {r.id for r in rules}
    entries: list[ReviewEntry] = []
    for folder in (rules_dir(), *local_rule_dirs()):
        path = Path(folder) / "_review.yaml"
        if path.is_file():
            entries += [e for e in load_review(path, {e for e in known}) if e.rule in known or e.verdict == "withdrawn"]
    return entries


def load_coverage(path: Path, known_ids: set[str]) -> list[CoverageEntry]:
    data, smap = load_yaml(path)
    entries = validate(Coverage, data, smap).root
    for i, entry in enumerate(entries):
        for j, rule_id in enumerate(entry.rules):
            if rule_id not in known_ids:
                raise InputError(smap.location((i, "rules", j)), f"unknown rule '{rule_id}'")
    return entries


def build(rules: list[Rule], coverage: list[CoverageEntry], review: list[ReviewEntry] | None = None) -> dict[str, str]:
    env = environment()
    facts = catalogue()
    pages: dict[str, str] = {}
    for rule in rules:
        pages[f"{rule.id}.md"] = env.get_template("rule.md.j2").render(
            rule=rule,
            spec=rule.spec,
            where=describe(rule.where) if rule.where else None,
            condition=describe(rule.condition),
            facts=facts[rule.kind],
        )
    by_framework: dict[str, list[Rule]] = {}
    for rule in rules:
        by_framework.setdefault(rule.spec.framework, []).append(rule)
    matrix = {
        domain: {stage: [r for r in rules if r.spec.domain == domain and r.spec.stage == stage] for stage in STAGES}
        for domain in MATRIX_DOMAINS
    }
    pages["index.md"] = env.get_template("index.md.j2").render(
        by_framework=by_framework,
        matrix=matrix,
        domains=MATRIX_DOMAINS,
        stages=STAGES,
        arrangements={k: (v, [r for r in rules if r.spec.arrangement == k]) for k, v in OPERATING_ARRANGEMENTS.items()},
        themes={k: (v, [r for r in rules if r.spec.framework == "integrating-care" and r.spec.domain == k]) for k, v in INTEGRATING_CARE_THEMES.items()},
        total=len(rules),
    )
    pages["coverage.md"] = env.get_template("coverage.md.j2").render(
        entries=coverage,
        checkable=sum(1 for e in coverage if e.rules),
        not_checkable=sum(1 for e in coverage if e.not_checkable),
    )
    review = default_review(rules) if review is None else review
    by_rule = {r.id: r for r in rules}
    pages["review.md"] = env.get_template("review.md.j2").render(
        entries=sorted(review, key=lambda e: e.rule),
        rules=by_rule,
        counts={v: sum(1 for e in review if e.verdict == v) for v in ("faithful", "changed", "withdrawn")},
    )
    return pages


"""The library entry point: check one system description against the rules.

``check()`` runs the chain fixture -> model -> graph -> facts -> engine ->
findings -> scoring and returns a :class:`Result`; rendering it is
:mod:`icscheck.report`'s job and writing it the CLI's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from . import resources
from .engine import AUTO, Evaluator, evaluator, resolve
from .errors import InputError
from .facts import Subject, derive_subjects
from .findings import Finding, FindingBuilder, build_findings
from .fixture import Fixture, load_fixture
from .graph import SystemGraph
from .rules import Parameters, Rule, load_rules
from .yamlsource import SourceMap
from .scoring import DEFAULT_STAGE_METHOD, DEFAULT_THRESHOLD, STAGE_METHODS, Summary, summarise
from .waivers import Waiver, apply_waivers, check_subjects, load_waivers


@dataclass(frozen=True)
class Result:
    fixture: Fixture
    rules: list[Rule]
    engine: str
    as_of: dt.date
    rulebook_date: dt.date  # the rules in force on this date were applied (normally the assessment date)
    subjects: list[Subject]
    findings: list[Finding]
    summary: Summary
    graph: SystemGraph

    @property
    def _beyond_target(self) -> frozenset[str]:
        beyond = self.summary.beyond_target
        return frozenset(beyond.rules) if beyond else frozenset()

    @property
    def has_gaps(self) -> bool:
        """Gaps remain, as the headline counts them: waived gaps do not count, findings not evidenced are
        not gaps, and maturity matrix bullets beyond the readiness target are the roadmap, not gaps."""
        beyond = self._beyond_target
        return any(f.status == "gap" and f.rule_id not in beyond for f in self.findings)

    @property
    def has_unknowns(self) -> bool:
        """Some findings the headline counts are not evidenced: the description does not state what their rules need."""
        beyond = self._beyond_target
        return any(f.status == "unknown" and f.rule_id not in beyond for f in self.findings)

    @property
    def has_errors(self) -> bool:
        """The engine's verdict disagreed with a condition's trace for some finding (an integrity failure)."""
        return any(f.status == "error" for f in self.findings)


def check_fixture(
    fixture: Fixture,
    rules: list[Rule],
    engine: str | Evaluator = AUTO,
    as_of: dt.date | None = None,
    threshold: str = DEFAULT_THRESHOLD,
    waivers: tuple[list[Waiver], str | SourceMap] | None = None,
    rulebook_date: dt.date | None = None,
    stage_method: str = DEFAULT_STAGE_METHOD,
) -> Result:
    """Check an already loaded fixture against already loaded rules.

    ``as_of`` is the assessment date (default: the description's); ``rulebook_date`` applies the
    rules in force on another date instead of those in force on the assessment date;
    ``stage_method`` is how a maturity domain's stage is read: ``best-fit`` (most of the bullets of
    the stage and of every lower stage met; the default) or ``strict`` (every one of them).
    ``engine`` is an engine's name or an :class:`~icscheck.engine.Evaluator` made once for many
    systems (see :func:`evaluator_for`).
    """
    runner = engine if not isinstance(engine, str) else evaluator(resolve(engine)[0])
    if stage_method not in STAGE_METHODS:
        raise InputError("--stage-method", f"unknown stage method '{stage_method}'; choose from {', '.join(STAGE_METHODS)}")
    as_of = as_of or fixture.description.system.assessment_date
    rulebook_date = rulebook_date or as_of
    graph = SystemGraph(fixture)
    subjects = derive_subjects(graph)
    in_force = [rule for rule in rules if rule.in_force(rulebook_date)]
    evaluation = runner.evaluate(in_force, subjects)
    findings = build_findings(rules, evaluation, FindingBuilder(fixture, graph, subjects), rulebook_date)
    if waivers is not None:
        items, source = waivers
        if isinstance(source, SourceMap):  # the file's lines are known: check each waiver names a subject here
            check_subjects(items, source, rules, subjects)
            source = source.file
        findings = apply_waivers(findings, items, rules, as_of, source)
    summary = summarise(rules, findings, subjects, threshold, stage_method)
    return Result(fixture, rules, runner.name, as_of, rulebook_date, subjects, findings, summary, graph)


def evaluator_for(engine: str = AUTO) -> Evaluator:
    """An evaluator to check many systems with (``auto``: durable-rules where it imports, else Python)."""
    return evaluator(resolve(engine)[0])


def _resolved(path: Path) -> Path:
    """The real path, or (for a symbolic link loop, which the rules loader then reports) the absolute one."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def rule_dirs_for(fixture: Fixture, rule_dirs: list[Path]) -> list[Path]:
    """The rule folders for a system: those given, plus the bundled local packs its description names."""
    packs = {p.name: p for p in resources.local_rule_dirs()}
    given = {_resolved(Path(d)) for d in rule_dirs}
    dirs = list(rule_dirs)
    for i, name in enumerate(fixture.description.system.rule_packs):
        if name not in packs:
            known = ", ".join(sorted(packs)) or "none"
            raise InputError(fixture.source.location(("system", "rule_packs", i)), f"unknown rule pack '{name}'; bundled packs: {known}")
        if _resolved(packs[name]) not in given:
            dirs.append(packs[name])
    return dirs


def check(
    fixture: Path | str | None = None,
    rule_dirs: list[Path] | None = None,
    engine: str = AUTO,
    as_of: dt.date | None = None,
    threshold: str = DEFAULT_THRESHOLD,
    waiver_file: Path | str | None = None,
    parameters: Parameters | None = None,
    rulebook_date: dt.date | None = None,
    stage_method: str = DEFAULT_STAGE_METHOD,
) -> Result:
    """Check a fixture file (default: the bundled example) against rule folders (default: the rulebook)."""
    fixture_path = Path(fixture) if fixture else resources.example_fixture()
    loaded = load_fixture(fixture_path)
    rules = load_rules(rule_dirs_for(loaded, rule_dirs or [resources.rules_dir()]), parameters)
    waivers = None
    if waiver_file is not None:
        waivers = load_waivers(waiver_file, rules)
    return check_fixture(loaded, rules, engine, as_of, threshold, waivers, rulebook_date, stage_method)


def fixture_files(folder: Path) -> list[Path]:
    """The system descriptions in a folder (not its subfolders), in name order."""
    if not folder.is_dir():
        raise InputError(str(folder), "not a folder")
    # everything named like a description but a folder: a FIFO or a broken link is then reported, not skipped
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.is_dir())

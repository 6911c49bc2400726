"""The library entry point: check one system description against the rules.

``check()`` runs the chain fixture -> model -> graph -> facts -> engine ->
findings -> scoring and returns a :class:`Result`; rendering it is
:mod:`icscheck.report`'s job and writing it the CLI's.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable

from . import resources
from .engine import AUTO, Evaluator, evaluator, resolve
from .errors import InputError
from .facts import Subject, derive_subjects
from .findings import Finding, FindingBuilder, build_findings
from .fixture import Fixture, load_fixture
from .graph import SystemGraph
from .rules import Parameters, Rule, load_rules
from .yamlsource import SourceMap
from .frameworks import FRAMEWORKS
from .hints import did_you_mean
from .scoring import DEFAULT_STAGE_METHOD, DEFAULT_THRESHOLD, STAGE_METHODS, Summary, restrict, summarise
from .settings import DEFAULT_FAIL_ON, FailOn, parse_fail_on
from .waivers import Waiver, apply_waivers, check_subjects, load_waivers


@dataclass(frozen=True)
class Selection:
    """Which rules a report shows (``--rule``, ``--skip-rule``, ``--framework``): ``selected`` of ``of`` rules.

    The findings, counts and exit code are those of the selected rules; the scores (stages, RAG,
    readiness, roadmap) always read every rule."""

    rules: tuple[str, ...] = ()
    skip_rules: tuple[str, ...] = ()
    frameworks: tuple[str, ...] = ()
    selected: int = 0
    of: int = 0

    def as_dict(self) -> dict:
        return {
            "rules": list(self.rules),
            "skip_rules": list(self.skip_rules),
            "frameworks": list(self.frameworks),
            "selected": self.selected,
            "of": self.of,
            "note": "findings and counts are those of the selected rules; the scores read every rule",
        }


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
    graph: SystemGraph | None  # None once its reports are rendered and it is kept only for a summary (batch)
    selection: Selection | None = None  # set when only some rules are reported
    unreported_errors: int = 0  # integrity failures in rules a selection leaves out: they still make exit 3

    @property
    def beyond_target_rules(self) -> frozenset[str]:
        """The maturity matrix bullets above the readiness target (the roadmap): kept out of the headline."""
        beyond = self.summary.beyond_target
        return frozenset(beyond.rules) if beyond else frozenset()

    @property
    def has_gaps(self) -> bool:
        """Gaps remain, as the headline counts them: waived gaps do not count, findings not evidenced are
        not gaps, and maturity matrix bullets beyond the readiness target are the roadmap, not gaps."""
        beyond = self.beyond_target_rules
        return any(f.status == "gap" and f.rule_id not in beyond for f in self.findings)

    @property
    def has_unknowns(self) -> bool:
        """Some findings the headline counts are not evidenced: the description does not state what their rules need."""
        beyond = self.beyond_target_rules
        return any(f.status == "unknown" and f.rule_id not in beyond for f in self.findings)

    @property
    def has_errors(self) -> bool:
        """The engine's verdict disagreed with a condition's trace for some finding (an integrity failure),
        reported or not: the scores read every rule, so an error in a rule left out of a selection counts too."""
        return self.unreported_errors > 0 or any(f.status == "error" for f in self.findings)

    def failing(self, fail_on: FailOn | str = DEFAULT_FAIL_ON) -> list[Finding]:
        """The findings that make exit code 1 under ``fail_on`` (e.g. ``"must,should"``, ``"must,unknown"``):
        gaps (and, with ``unknown``, findings not evidenced) of rules of those strengths; waived gaps and
        maturity matrix bullets beyond the readiness target never count."""
        rule = parse_fail_on(fail_on)
        strengths = {r.id: r.spec.strength for r in self.rules}
        beyond = self.beyond_target_rules
        return [f for f in self.findings if f.rule_id not in beyond and rule.counts(f.status, strengths[f.rule_id])]

    def fails(self, fail_on: FailOn | str = DEFAULT_FAIL_ON) -> bool:
        """Whether the run fails (exit code 1) under ``fail_on``."""
        return bool(self.failing(fail_on))


def _matches(rule: Rule, pattern: str) -> bool:
    """A rule id or alias matching ``pattern`` (exactly, or as a shell pattern such as ``MM-LEAD-*``), ignoring case."""
    pattern = pattern.upper()
    return any(fnmatch.fnmatchcase(name, pattern) for name in (rule.id, *rule.spec.aliases))


def select_rules(
    rules: list[Rule], only: Iterable[str] = (), skip: Iterable[str] = (), frameworks: Iterable[str] = ()
) -> list[Rule]:
    """The rules chosen by ``--rule`` (ids or patterns), ``--framework`` and ``--skip-rule``.

    With no ``only`` and no ``frameworks`` every rule is chosen; otherwise a rule is chosen when it
    matches one ``only`` or is in one of ``frameworks``.  ``skip`` then takes rules out.  A name that
    matches no rule, or a framework that does not exist, is an error (with a suggestion)."""
    only, skip, frameworks = tuple(only), tuple(skip), tuple(frameworks)
    names = [name for r in rules for name in (r.id, *r.spec.aliases)]
    for option, patterns in (("--rule", only), ("--skip-rule", skip)):
        for pattern in patterns:
            if not pattern.strip():
                raise InputError(option, "an empty rule id")
            if not any(_matches(r, pattern) for r in rules):
                raise InputError(option, f"no rule '{pattern}' in the rules loaded{did_you_mean(pattern.upper(), names)}")
    for name in frameworks:
        if name not in FRAMEWORKS:
            raise InputError("--framework", f"unknown framework '{name}'{did_you_mean(name, FRAMEWORKS)} (frameworks: {', '.join(FRAMEWORKS)})")
    chosen = [
        r for r in rules
        if (not only and not frameworks) or any(_matches(r, p) for p in only) or r.spec.framework in frameworks
    ]
    chosen = [r for r in chosen if not any(_matches(r, p) for p in skip)]
    if not chosen:
        raise InputError("--rule" if only else "--framework" if frameworks else "--skip-rule", "no rule is left to check: the filters select none")
    return chosen


def select(result: Result, only: Iterable[str] = (), skip: Iterable[str] = (), frameworks: Iterable[str] = ()) -> Result:
    """The result restricted to some rules (see :func:`select_rules`): their findings and counts, with the
    scores of the whole rulebook.  With no filters the result is returned as it is."""
    only, skip, frameworks = tuple(only), tuple(skip), tuple(frameworks)
    if not (only or skip or frameworks):
        return result
    chosen = select_rules(result.rules, only, skip, frameworks)
    ids = {r.id for r in chosen}
    findings = [f for f in result.findings if f.rule_id in ids]
    return replace(
        result,
        rules=chosen,
        findings=findings,
        summary=restrict(result.summary, chosen, findings),
        selection=Selection(only, skip, frameworks, len(chosen), len(result.rules)),
        unreported_errors=result.unreported_errors + sum(f.status == "error" and f.rule_id not in ids for f in result.findings),
    )


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
    *,
    rules: Iterable[str] = (),
    skip_rules: Iterable[str] = (),
    frameworks: Iterable[str] = (),
) -> Result:
    """Check a fixture file (default: the bundled example) against rule folders (default: the rulebook).

    ``rules``, ``skip_rules`` and ``frameworks`` restrict the findings reported (see :func:`select`);
    the scores always read every rule."""
    fixture_path = Path(fixture) if fixture else resources.example_fixture()
    loaded = load_fixture(fixture_path)
    loaded_rules = load_rules(rule_dirs_for(loaded, rule_dirs or [resources.rules_dir()]), parameters)
    select_rules(loaded_rules, rules, skip_rules, frameworks)  # a filter that names nothing fails before the check runs
    waivers = None
    if waiver_file is not None:
        waivers = load_waivers(waiver_file, loaded_rules)
    result = check_fixture(loaded, loaded_rules, engine, as_of, threshold, waivers, rulebook_date, stage_method)
    return select(result, rules, skip_rules, frameworks)


def fixture_files(folder: Path) -> list[Path]:
    """The system descriptions in a folder (not its subfolders), in name order."""
    if not folder.is_dir():
        raise InputError(str(folder), "not a folder")
    # everything named like a description but a folder: a FIFO or a broken link is then reported, not skipped
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.is_dir())

"""The icscheck command line.  The only module that prints, exits or writes files.

Exit codes: 0 no gaps, 1 gaps found (with ``--fail-on unknown``, also findings
not evidenced), 2 invalid input, rules or usage, 3 the rule engine failed an
integrity check.
"""

from __future__ import annotations

import datetime as dt
import errno
import io
import json
import os
import re
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress
from rich.text import Text

from . import __version__, api, comparison, diff, docs, explain, formats, model, report, resources, writing
from .engine import AUTO, ENGINES, resolve
from .errors import EngineError, InputError
from .facts import catalogue
from .fixture import load_fixture
from .frameworks import STAGES
from .rules import load_rules
from .safetext import visible
from .scoring import DEFAULT_STAGE_METHOD, DEFAULT_THRESHOLD, STAGE_METHODS
from .yamlsource import parse_value, read_limited

EXIT_OK, EXIT_GAPS, EXIT_INVALID, EXIT_ENGINE = 0, 1, 2, 3
REGIONAL_FILES = ("regional.json", "regional.md", "regional.xlsx", "regional.html")
FAIL_ON = ("gap", "unknown")
FORMATS = ("text", "json", "markdown", "html", "sarif", "junit", "csv", "xlsx")
WIDTH = 120


def _say(message: str) -> None:
    """One line on standard error: every control character shown, never emitted."""
    click.echo(f"icscheck: {visible(' '.join(str(message).split()))}", err=True)


def _fail(message: str, code: int) -> None:
    _say(message)
    sys.exit(code)


def _render(renderable, color: bool) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=WIDTH, color_system="standard" if color else None, force_terminal=color)
    console.print(renderable)
    text = buffer.getvalue()
    # without colour the output holds no escape sequence of ours: show any other control character
    return text if color else visible(text, keep_newlines=True)


def _notice(notice: str | None) -> None:
    """Say once, after the work succeeded, that the Python evaluator ran because durable-rules cannot be imported."""
    if notice:
        click.echo(f"icscheck: {notice}", err=True)


ENGINE_HELP = "Rule evaluator: durable (durable-rules), python (the plain-Python evaluator) or auto (durable where it imports)."


def _tty(stream) -> bool:
    """Whether a stream is a terminal (a closed standard stream is None, and is not)."""
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):
        return False


def _echo(text: str) -> None:
    """A report to standard output: refused, not lost, when standard output is closed."""
    if sys.stdout is None:
        raise InputError("-", "standard output is closed; give --output FILE")
    click.echo(text, nl=False)


def _write(output: str | None, text: str, inputs: list[str] = ()) -> None:
    """Write one output (a file, atomically, or standard output); see :mod:`icscheck.writing`."""
    writing.write_all([(output, text)], _echo, [i for i in inputs if i])


class IsoDate(click.ParamType):
    """A date on the command line, YYYY-MM-DD; anything else (2021-02-30 included) is a usage error."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        text = str(value)
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            self.fail(f"'{text}' is not a date (YYYY-MM-DD)", param, ctx)
        try:
            return dt.date.fromisoformat(text)
        except ValueError as exc:
            self.fail(f"'{text}' is not a valid date ({exc})", param, ctx)


ISO_DATE = IsoDate()


def _rule_dirs(values: tuple[str, ...]) -> list[Path]:
    return [Path(v) for v in values] if values else [resources.rules_dir()]


def _parameters(items: tuple[str, ...]) -> dict:
    """--param RULE.NAME=VALUE, the value read as YAML (1.6 is a number, true a yes/no), with the checks of a file."""
    out: dict[str, dict] = {}
    for item in items:
        target, sep, raw = item.partition("=")
        rule_id, dot, name = target.partition(".")
        if not sep or not dot or not rule_id or not name or not raw.strip():
            raise InputError("--param", f"'{item}' is not RULE.NAME=VALUE")
        value = parse_value(raw, f"--param {target}")
        if not isinstance(value, (bool, int, float, str)):
            raise InputError("--param", f"'{item}': the value must be a number, true/false or text")
        out.setdefault(rule_id, {})[name] = value
    return out


FAIL_ON_OPTION = click.option(
    "--fail-on", type=click.Choice(FAIL_ON), default="gap", show_default=True,
    help="What makes exit code 1: gaps only, or also findings not evidenced (unknown).",
)


def _exit_code(results: list, fail_on: str) -> int:
    """3 when the engine disagreed with a condition's trace; 1 for gaps (and, if asked, findings not evidenced)."""
    if any(r.has_errors for r in results):
        errors = sum(f.status == "error" for r in results for f in r.findings)
        click.echo(f"icscheck: engine failure: {errors} finding(s) where the engine's verdict disagrees with the condition's trace (status 'error' in the report)", err=True)
        return EXIT_ENGINE
    if any(r.has_gaps or (fail_on == "unknown" and r.has_unknowns) for r in results):
        return EXIT_GAPS
    return EXIT_OK


PARAM_OPTION = click.option(
    "--param", "params", multiple=True, metavar="RULE.NAME=VALUE",
    help="Set a rule parameter otherwise than its file does (repeatable), e.g. FIN-002.min_productivity_growth_pct=1.6.",
)


def _failure(exc: BaseException) -> int:
    """The one line and exit code for any failure: 2 for input, usage and I/O, 3 for the engine (and internal errors)."""
    if isinstance(exc, InputError):
        _say(str(exc))
        return EXIT_INVALID
    if isinstance(exc, EngineError):
        _say(f"engine failure: {exc}")
        return EXIT_ENGINE
    if isinstance(exc, click.exceptions.NoArgsIsHelpError):
        click.echo(exc.ctx.get_help() if exc.ctx else "icscheck --help", err=True)
        return EXIT_INVALID
    if isinstance(exc, click.ClickException):
        where = exc.ctx.command_path if isinstance(exc, click.UsageError) and exc.ctx else "icscheck"
        where = where.split(" ", 1)[1] + ": " if " " in where else ""
        _say(f"{where}{exc.format_message()} (see --help)")
        return EXIT_INVALID
    if isinstance(exc, (KeyboardInterrupt, click.Abort, EOFError)):
        _say("interrupted; nothing more was written")
        return EXIT_INVALID
    if isinstance(exc, OSError):
        if exc.errno == errno.EPIPE:
            try:  # standard output was closed early: say so once, and let nothing more fail at exit
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
                pass
            _say("standard output was closed before the report was written")
            return EXIT_INVALID
        name = f"{exc.filename}: " if exc.filename else ""
        _say(f"{name}input/output error ({exc.strerror or exc})")
        return EXIT_INVALID
    if isinstance(exc, (RecursionError, MemoryError)):
        _say(f"the input is too large or too deeply nested to process ({type(exc).__name__})")
        return EXIT_INVALID
    _say(f"internal error ({type(exc).__name__}: {exc}); please report it with the input that caused it")
    return EXIT_ENGINE


def _guard(func):
    """Run a command body, turning any failure into one line and an exit code (never a traceback, never 1)."""

    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (SystemExit, click.ClickException):
            raise
        except BaseException as exc:  # noqa: BLE001 - this is the boundary
            sys.exit(_failure(exc))

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


class _Main(click.Group):
    """The command group, and the exception boundary for everything click does around the commands."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except SystemExit:
            raise
        except BaseException as exc:  # noqa: BLE001 - this is the boundary
            code = _failure(exc)
        sys.exit(code if isinstance(code, int) else EXIT_OK)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="icscheck")
def main() -> None:
    """Check an Integrated Care System description against the national frameworks."""


@main.command()
@click.argument("fixture", required=False, type=click.Path(dir_okay=False))
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(file_okay=False), help="Rules folder (repeatable; default: the bundled rulebook).")
@click.option("--engine", type=click.Choice((AUTO, *ENGINES)), default=AUTO, show_default=True, help=ENGINE_HELP)
@click.option(
    "--format", "formats", multiple=True, metavar="FORMAT[=FILE]",
    help=f"Report format ({', '.join(FORMATS)}), optionally with its own output file; repeatable. Default: text.",
)
@click.option("--output", "-o", type=click.Path(dir_okay=True), help="Write the (single) report to this file instead of standard output.")
@click.option("--as-of", type=ISO_DATE, help="Assessment date (default: the description's).")
@click.option(
    "--rulebook-date", type=ISO_DATE,
    help="Apply the rules in force on this date instead of those in force on the assessment date (the report says so).",
)
@click.option(
    "--threshold", type=click.Choice(STAGES), default=DEFAULT_THRESHOLD, show_default=True,
    help="Stage every domain must reach for designation readiness; matrix bullets above it are counted apart, as beyond the target.",
)
@click.option(
    "--stage-method", type=click.Choice(STAGE_METHODS), default=DEFAULT_STAGE_METHOD, show_default=True,
    help="How a domain's stage is read: best-fit (most bullets of the stage and every lower stage met) or strict (every bullet).",
)
@click.option("--waivers", "waiver_file", type=click.Path(dir_okay=False), help="Waiver file of agreed derogations.")
@click.option("--no-waivers", is_flag=True, help="Ignore waivers: show the unwaived picture.")
@FAIL_ON_OPTION
@PARAM_OPTION
@_guard
def check(fixture, rule_dirs, engine, formats, output, as_of, rulebook_date, threshold, stage_method, waiver_file, no_waivers, fail_on, params) -> None:
    """Check FIXTURE (default: the bundled example system) and report pass/gap per rule."""
    engine, notice = resolve(engine)
    targets = _targets(formats, output)
    _files_for_workbooks(targets)
    inputs = [i for i in (fixture, waiver_file) if i]
    writing.check_targets([target for _, target in targets], inputs)
    result = api.check(
        fixture, _rule_dirs(rule_dirs), engine, as_of, threshold, None if no_waivers else waiver_file, _parameters(params),
        rulebook_date, stage_method,
    )
    rendered = [(target, _format(result, fmt, writing.is_stdout(target) and _tty(sys.stdout))) for fmt, target in targets]
    writing.write_all(rendered, _echo, inputs)
    _notice(notice)
    sys.exit(_exit_code([result], fail_on))



def _targets(formats: tuple[str, ...], output: str | None) -> list[tuple[str, str | None]]:
    """(format, file or None for standard output) for each --format; at most one goes to standard output."""
    if output is not None and not output.strip():
        raise InputError("--output", "an empty file name; give a file, or '-' for standard output")
    parsed = []
    for item in formats or ("text",):
        fmt, _, path = item.partition("=")
        if fmt not in FORMATS:
            raise InputError("--format", f"unknown format '{fmt}'; choose from {', '.join(FORMATS)}")
        parsed.append((fmt, None if path in ("", "-") else path))
    unnamed = [i for i, (_, path) in enumerate(parsed) if path is None]
    if len(unnamed) > 1:
        raise InputError("--format", "give each format but one its own file (FORMAT=FILE)")
    if unnamed and output:
        parsed[unnamed[0]] = (parsed[unnamed[0]][0], output)
    elif output and not unnamed:
        raise InputError("--output", "every --format already names its file")
    return parsed


RENDERERS = {
    "json": report.to_json,
    "markdown": report.to_markdown,
    "html": report.to_html,
    "sarif": formats.to_sarif,
    "junit": formats.to_junit,
    "csv": formats.to_csv,
    "xlsx": lambda result: _check_workbook(result),
}


def _format(result, fmt: str, color: bool) -> str:
    if fmt in RENDERERS:
        return RENDERERS[fmt](result)
    return _render(report.text_report(result), color)


def _stem_outputs(result, stem: str) -> dict[str, str]:
    outputs = {
        f"{stem}.json": report.to_json(result),
        f"{stem}.md": report.to_markdown(result),
        f"{stem}.txt": _render(report.text_report(result), False),
        f"{stem}.html": report.to_html(result),
    }
    found = comparison.comparisons(result)
    if found:
        outputs[f"{stem}.comparison.json"] = report.comparison_json(found)
        outputs[f"{stem}.comparison.md"] = report.comparison_markdown(found)
    return outputs


@main.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--output", "-o", required=True, type=click.Path(file_okay=False), help="Folder for the reports.")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(file_okay=False))
@click.option("--engine", type=click.Choice((AUTO, *ENGINES)), default=AUTO, show_default=True, help=ENGINE_HELP)
@click.option("--threshold", type=click.Choice(STAGES), default=DEFAULT_THRESHOLD, show_default=True)
@click.option("--stage-method", type=click.Choice(STAGE_METHODS), default=DEFAULT_STAGE_METHOD, show_default=True)
@FAIL_ON_OPTION
@PARAM_OPTION
@_guard
def batch(folder, output, rule_dirs, engine, threshold, stage_method, fail_on, params) -> None:  # noqa: C901
    """Check every system description in FOLDER; write each system's reports and a regional summary.

    For each valid description: NAME.json, NAME.md, NAME.txt, NAME.html and, where it
    carries the system's own self-assessment, NAME.comparison.md and .json;
    then regional.md, regional.json, regional.xlsx (a workbook) and regional.html (a dashboard
    linking each NAME.html) over the valid ones.  Each invalid
    description is listed with its one-line error, its reports are not
    written, and the exit code is 2.  Two descriptions of the same system on
    the same date, or two files whose reports would have the same names
    (x.yaml beside x.yml), are invalid.  Every description is checked before
    any file is written.
    """
    engine, notice = resolve(engine)
    paths = api.fixture_files(Path(folder))
    if not paths:
        raise InputError(folder, "no system descriptions (*.yaml) in this folder")
    base = _rule_dirs(rule_dirs)
    parameters = _parameters(params)
    load_rules(base, parameters)  # a bad rulebook or --param is an error for every description: stop here
    invalid: dict[Path, str] = {}
    loaded = {}
    for path in paths:
        try:
            loaded[path] = load_fixture(path)
        except InputError as exc:
            invalid[path] = str(exc)
    by_stem: dict[str, list[Path]] = {}
    by_system: dict[tuple[str, str], list[Path]] = {}
    for path, fixture in loaded.items():
        by_stem.setdefault(path.stem, []).append(path)
        system = fixture.description.system
        by_system.setdefault((system.id, system.assessment_date.isoformat()), []).append(path)
    for stem, group in by_stem.items():
        if len(group) > 1:
            for path in group:
                others = ", ".join(p.name for p in group if p != path)
                invalid[path] = f"{loaded[path].file}: {others} would write the same reports ({stem}.json, {stem}.md, ...); rename one"
    for (system_id, date), group in by_system.items():
        if len(group) > 1:
            for path in group:
                others = ", ".join(p.name for p in group if p != path)
                invalid.setdefault(path, f"{loaded[path].file}:{loaded[path].source.line(('system', 'id'))}: describes the same system ('{system_id}') on the same date ({date}) as {others}")
    rulebooks: dict[tuple[str, ...], list] = {}
    results = []
    checked: list[Path] = []
    engine_failures: list[str] = []
    valid = [p for p in paths if p in loaded and p not in invalid]
    with Progress(console=Console(stderr=True), transient=True, disable=not _tty(sys.stderr)) as progress:
        task = progress.add_task("checking", total=len(valid))
        for path in valid:
            try:
                dirs = api.rule_dirs_for(loaded[path], base)
                key = tuple(str(d) for d in dirs)
                if key not in rulebooks:
                    rulebooks[key] = load_rules(dirs, parameters)
                results.append(api.check_fixture(loaded[path], rulebooks[key], engine, None, threshold, stage_method=stage_method))
                checked.append(path)
            except InputError as exc:
                invalid[path] = str(exc)
            except EngineError as exc:
                engine_failures.append(f"{loaded[path].file}: engine failure: {exc}")
            progress.advance(task)
    outputs: dict[str, str | bytes] = {}
    kept, kept_paths = [], []
    for path, result in zip(checked, results, strict=True):
        own = _stem_outputs(result, path.stem)
        clash = sorted(set(own) & (set(outputs) | set(REGIONAL_FILES)))
        if clash:  # e.g. regional.yaml, or a.comparison.yaml beside a.yaml
            invalid[path] = f"{loaded[path].file}: its report {clash[0]} would replace another report of this batch; rename the file"
            continue
        outputs.update(own)
        kept.append(result)
        kept_paths.append(path)
    results = kept
    for path in paths:
        if path in invalid:
            _say(invalid[path])
    for line in engine_failures:
        _say(line)
    if results:
        outputs["regional.json"] = report.regional_json(results, threshold)
        outputs["regional.md"] = report.regional_markdown(results, threshold)
        outputs["regional.xlsx"] = _regional_workbook(results, threshold)
        outputs["regional.html"] = report.regional_html(results, threshold, [f"{path.stem}.html" for path in kept_paths])
        target = writing.check_folder(output)
        writing.write_all([(str(target / name), text) for name, text in sorted(outputs.items())], _echo, [str(p) for p in paths])
    click.echo(f"{output}: {len(results)} systems, {len(outputs)} files" + (f"; {len(invalid)} invalid" if invalid else ""))
    _notice(notice)
    if engine_failures:
        sys.exit(EXIT_ENGINE)
    code = _exit_code(results, fail_on)
    sys.exit(EXIT_INVALID if invalid and code != EXIT_ENGINE else code)


def _report_of(path: str, rule_dirs, engine: str) -> dict:
    """A JSON report as a dict: read from a .json file (its shape checked), or made by checking a fixture."""
    if path.endswith(".json"):
        return diff.read_report(path)
    return report.report_dict(api.check(path, _rule_dirs(rule_dirs), engine))


@main.command("diff")
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(file_okay=False))
@click.option("--engine", type=click.Choice((AUTO, *ENGINES)), default=AUTO, show_default=True, help=ENGINE_HELP)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False))
@click.option("--allow-different-systems", is_flag=True, help="Compare assessments of two different systems (refused otherwise).")
@_guard
def diff_command(old, new, rule_dirs, engine, fmt, output, allow_different_systems) -> None:
    """Compare two assessments (JSON reports or fixtures) of one system: stage and RAG changes, new, closed and unchanged gaps."""
    writing.check_targets([output], [old, new])
    before, after = _report_of(old, rule_dirs, engine), _report_of(new, rule_dirs, engine)
    if before["system"]["id"] != after["system"]["id"] and not allow_different_systems:
        raise InputError(
            new,
            f"describes system '{after['system']['id']}', not '{before['system']['id']}' as {old} does; "
            "give --allow-different-systems to compare two systems",
        )
    d = diff.diff(before, after)
    if fmt == "json":
        text = json.dumps(d, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    elif fmt == "markdown":
        text = report.diff_markdown(d)
    else:
        text = _render(report.diff_text(d), writing.is_stdout(output) and _tty(sys.stdout))
    _write(output, text, [old, new])


@main.command("explain")
@click.argument("fixture", type=click.Path(dir_okay=False))
@click.argument("rule_id")
@click.argument("subject", required=False)
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(file_okay=False))
@click.option("--engine", type=click.Choice((AUTO, *ENGINES)), default=AUTO, show_default=True, help=ENGINE_HELP)
@click.option("--as-of", type=ISO_DATE)
@click.option("--waivers", "waiver_file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@PARAM_OPTION
@_guard
def explain_command(fixture, rule_id, subject, rule_dirs, engine, as_of, waiver_file, fmt, params) -> None:
    """Explain in plain English how RULE_ID was decided for FIXTURE (optionally one SUBJECT)."""
    engine, notice = resolve(engine)
    result = api.check(fixture, _rule_dirs(rule_dirs), engine, as_of, DEFAULT_THRESHOLD, waiver_file, _parameters(params))
    explanation = explain.explain(result, rule_id, subject)
    _notice(notice)
    if fmt == "json":
        click.echo(json.dumps(explanation.as_dict(), indent=2, ensure_ascii=False, allow_nan=False))
        return
    from rich.console import Group

    renderable = Group(*(Text(visible(text, keep_newlines=True), style=style) for style, text in explanation.lines))
    click.echo(_render(renderable, _tty(sys.stdout)), nl=False)


@main.command()
@click.argument("fixture", type=click.Path(dir_okay=False))
@_guard
def validate(fixture) -> None:
    """Validate FIXTURE against the system description schema and its references."""
    from . import reference

    loaded = load_fixture(fixture)
    desc = loaded.description
    system = desc.system
    click.echo(visible(
        f"{fixture}: valid — {desc.system.name}: {len(desc.organisations)} organisations, {len(desc.places)} places, "
        f"{len(desc.collaboratives)} collaboratives, {len(desc.boards)} boards, {len(desc.arrangements)} arrangements, "
        f"{len(desc.evidence)} evidence items"
    ))
    for warning in reference.code_warnings(system.name, system.ods_code, system.ons_code, system.assessment_date):
        click.echo(f"icscheck: warning: {loaded.source.location(('system',))}: {warning}", err=True)


@main.command()
@click.option("--icb", "query", required=True, help="The system's ICB: its ODS code (e.g. QE1) or name, from the bundled reference list.")
@click.option("--date", "assessment_date", type=ISO_DATE, help="Assessment date (default: today).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the description here (default: standard output).")
@click.option("--force", is_flag=True, help="Replace an existing file.")
@_guard
def init(query, assessment_date, output, force) -> None:
    """Write a new system description for an ICB, scaffolded from the bundled reference list.

    The system block is filled (and cited to the list); every other list is empty, with commented
    examples, and every plan and judgement criterion the rules read is listed in comments, so the
    new description checks as "not evidenced" until it is filled from the system's documents.
    """
    from . import reference, scaffold

    when = assessment_date or dt.date.today()
    icb = reference.find(query, when)
    if output and output != "-" and Path(output).exists() and not force:
        raise InputError(output, "already exists; give another file name, or --force to replace it")
    _write(output, scaffold.scaffold(icb, load_rules([resources.rules_dir(), *resources.local_rule_dirs()]), when))
    if output and output != "-":
        click.echo(f"{output}: a new description of {icb.short_name} ({icb.ods_code}); fill it from the system's documents", err=True)


@main.group()
def rules() -> None:
    """List and show rules."""


@rules.command("list")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_guard
def rules_list(rule_dirs, fmt) -> None:
    """List the rules: id, title, framework, strength and source."""
    loaded = load_rules(_rule_dirs(rule_dirs))
    if fmt == "json":
        click.echo(json.dumps([report.rule_dict(r) for r in loaded], indent=2, ensure_ascii=False, allow_nan=False))
    else:
        click.echo(_render(report.rules_table(loaded), _tty(sys.stdout)), nl=False)


@rules.command("show")
@click.argument("rule_id")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_guard
def rules_show(rule_id, rule_dirs, fmt) -> None:
    """Show one rule in full."""
    loaded = {r.id: r for r in load_rules(_rule_dirs(rule_dirs))}
    aliases = {alias: r.id for r in loaded.values() for alias in r.spec.aliases}
    rule = loaded.get(rule_id) or loaded.get(aliases.get(rule_id, ""))
    if rule is None:
        raise InputError(rule_id, "no rule with this id")
    if fmt == "json":
        click.echo(json.dumps(report.rule_dict(rule, full=True), indent=2, ensure_ascii=False, allow_nan=False))
    else:
        click.echo(_render(report.rule_text(rule), _tty(sys.stdout)), nl=False)


@rules.command("docs")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(file_okay=False), help="Rules folders (default: the national rulebook and the bundled local packs).")
@click.option("--output", "-o", default="docs/rules", show_default=True, type=click.Path(file_okay=False))
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the docs in --output are not current.")
@_guard
def rules_docs(rule_dirs, output, check) -> None:
    """Generate one page per rule, an index and the coverage table."""
    dirs = [Path(d) for d in rule_dirs] if rule_dirs else [resources.rules_dir(), *resources.local_rule_dirs()]
    loaded = load_rules(dirs)
    known = {r.id for r in loaded}
    coverage = [entry for d in dirs if (d / "_coverage.yaml").is_file() for entry in docs.load_coverage(d / "_coverage.yaml", known)]
    pages = docs.build(loaded, coverage)
    pages[DOCS_MANIFEST] = "".join(f"{name}\n" for name in sorted(pages))
    target = Path(output)
    previous = _manifest(target)
    if check:
        stale = sorted(
            name for name in pages if not (target / name).is_file() or (target / name).read_text(encoding="utf-8") != pages[name]
        )
        extra = sorted(name for name in previous if name not in pages and (target / name).is_file())
        if stale or extra:
            _say(f"{output} is not current ({len(stale)} to update, {len(extra)} to remove); run icscheck rules docs")
            sys.exit(EXIT_GAPS)
        click.echo(f"{output}: {len(pages)} pages, current")
        return
    folder = writing.check_folder(output)
    writing.write_all([(str(folder / name), text) for name, text in sorted(pages.items())], _echo)
    for name in sorted(previous - set(pages)):  # only pages this command wrote before, never another file
        old = folder / name
        if old.is_file() and not old.is_symlink():
            old.unlink()
    click.echo(f"{output}: {len(pages)} pages written")


#: The list of the files 'rules docs' generated in its folder: the only files it ever removes.
DOCS_MANIFEST = ".generated"


def _manifest(folder: Path) -> set[str]:
    """The names the last 'rules docs' generated in ``folder`` (plain names of Markdown pages only)."""
    path = folder / DOCS_MANIFEST
    if not path.is_file():
        return set()
    try:
        names = read_limited(path, str(path), 1024 * 1024).decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"cannot be read ({exc})") from None
    return {n for n in names if n.endswith(".md") and "/" not in n and "\\" not in n and not n.startswith(".")}


@main.command("graph")
@click.argument("fixture", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["graphml", "dot"]), default="graphml", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False))
@_guard
def graph_command(fixture, fmt, output) -> None:
    """Export the system's typed graph as GraphML or Graphviz DOT."""
    from .graph import SystemGraph, export_graph

    writing.check_targets([output], [fixture])
    _write(output, export_graph(SystemGraph(load_fixture(fixture)), fmt), [fixture])


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def facts(fmt) -> None:
    """List the fact attributes rules may use, by subject kind."""
    vocabulary = catalogue()
    if fmt == "json":
        click.echo(json.dumps(
            {kind: [{"name": s.name, "type": s.type.__name__, "description": s.description} for s in specs.values()] for kind, specs in vocabulary.items()},
            indent=2,
        ))
        return
    for kind, specs in vocabulary.items():
        click.echo(f"{kind}:")
        for spec in specs.values():
            click.echo(f"  {spec.name} ({spec.type.__name__}): {spec.description}")


@main.command()
@click.option("--output", "-o", type=click.Path(dir_okay=False))
@_guard
def schema(output) -> None:
    """Print the JSON Schema of system description files."""
    _write(output, json.dumps(model.json_schema(), indent=2, ensure_ascii=False, allow_nan=False) + "\n")



@main.command("quotes")
@click.argument("description", type=click.Path(dir_okay=False))
@click.option("--documents", "-d", required=True, type=click.Path(), help="Folder of the source documents (text, Markdown, HTML, PDF).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--misses-only", is_flag=True, help="Text format: list only the quotes not found.")
@_guard
def quotes_command(description, documents, fmt, misses_only) -> None:
    """Verify DESCRIPTION's evidence quotes against the documents themselves.

    Exit 0 when every quote is found (verbatim or after normalising), 1 when one is not found or
    its document is missing, 2 on bad input.
    """
    from . import quotes

    result = quotes.check_quotes(load_fixture(description), Path(documents), documents)
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False, allow_nan=False))
    else:
        click.echo(visible(quotes.render_text(result, verbose=not misses_only), keep_newlines=True), nl=False)
    sys.exit(EXIT_OK if result.all_found else EXIT_GAPS)


# -- workbooks ----------------------------------------------------------------------------------

def _check_workbook(result) -> bytes:
    from . import workbook

    return workbook.check_workbook(result)


def _regional_workbook(results, threshold: str) -> bytes:
    from . import workbook

    return workbook.regional_workbook(results, threshold)


def _files_for_workbooks(targets: list[tuple[str, str | None]]) -> None:
    """A workbook is a file: refuse to send one to standard output."""
    for fmt, target in targets:
        if fmt == "xlsx" and (target is None or target == "-"):
            raise InputError("--format", "xlsx needs a file: --format xlsx=FILE or --output FILE")


def _write_any(output: str | None, content: str | bytes) -> None:
    """Write text, or bytes (a workbook: never to standard output), as :mod:`icscheck.writing` does."""
    if isinstance(content, bytes) and writing.is_stdout(output):
        raise InputError("--output", "a workbook cannot be written to standard output; give a file")
    writing.write_all([(output, content)], _echo)


def _refuse_existing(output: str, force: bool) -> None:
    if Path(output).exists() and not force:
        raise InputError(output, "already exists; give another file name, or --force to replace it")


@main.command("template")
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False), help="The workbook to write (.xlsx).")
@click.option("--from", "source", type=click.Path(dir_okay=False), help="Fill the workbook with this system description.")
@click.option("--force", is_flag=True, help="Replace an existing file.")
@_guard
def template_command(output, source, force) -> None:
    """Write a workbook to describe a system in: a sheet per part of a description, with drop-down
    lists and a Notes sheet; with --from, filled with a description (import gives it back)."""
    from . import workbook_import

    writing.check_target(output)
    _refuse_existing(output, force)
    data = workbook_import.template_workbook(load_fixture(source) if source else None)
    _write_any(output, data)
    click.echo(f"{output}: {'the description of ' + source if source else 'a blank description'} as a workbook", err=True)


@main.command("import")
@click.argument("workbook_file", metavar="WORKBOOK", type=click.Path(dir_okay=False))
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="The description to write (.yaml; default: standard output).")
@click.option("--force", is_flag=True, help="Replace an existing file.")
@_guard
def import_command(workbook_file, output, force) -> None:
    """Turn a filled WORKBOOK (see 'icscheck template') into a system description.

    Every problem is reported, one line each (file:Sheet!C7: what is wrong), with exit code 2,
    and nothing is written; what is written validates.
    """
    from . import workbook_import

    if not writing.is_stdout(output):
        writing.check_target(output)
        _refuse_existing(output, force)
    try:
        text = workbook_import.import_workbook(workbook_file)
    except workbook_import.WorkbookErrors as exc:
        for line in exc.lines:
            click.echo(f"icscheck: {line}", err=True)
        sys.exit(EXIT_INVALID)
    _write(output, text)
    if output and output != "-":
        click.echo(f"{output}: imported from {workbook_file}", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()

"""The icscheck command line.  The only module that prints, exits or writes files.

Exit codes: 0 nothing fails the run, 1 findings that ``--fail-on`` counts (by
default gaps of must- and should-rules), 2 invalid input, rules or usage, 3 the
rule engine failed an integrity check.

The heavy modules (rich, pydantic, networkx, jinja2, the engine) are imported in
the commands that use them, so that ``icscheck --help`` and ``--version`` start
at once.
"""

from __future__ import annotations

import datetime as dt
import contextlib
import errno
import gc
import io
import json
import os
import re
import signal
import sys
import threading
from pathlib import Path

import click

from . import __version__, writing
from .engine import AUTO, ENGINES, resolve
from .errors import EngineError, InputError, InputErrors
from .frameworks import DEFAULT_STAGE_METHOD, DEFAULT_THRESHOLD, FRAMEWORKS, STAGE_METHODS, STAGES
from .hints import did_you_mean
from .safetext import visible
from .settings import DEFAULT_FAIL_ON, FAIL_ON_HELP, FAIL_ON_WORDS, FailOn, parse_fail_on

EXIT_OK, EXIT_GAPS, EXIT_INVALID, EXIT_ENGINE = 0, 1, 2, 3
REGIONAL_FILES = ("regional.json", "regional.md", "regional.xlsx", "regional.html")
FORMATS = ("text", "json", "markdown", "html", "sarif", "junit", "csv", "xlsx")
#: The width of text written anywhere but a terminal (a file, a pipe): a terminal's own width is used there.
FILE_WIDTH = 100


def _say(message: str) -> None:
    """One line on standard error: every control character shown, never emitted."""
    click.echo(f"icscheck: {visible(' '.join(str(message).split()))}", err=True)


def _width(tty: bool) -> int:
    """The terminal's width (rich's reading of it, COLUMNS included) on a terminal; else :data:`FILE_WIDTH`."""
    if tty:
        from rich.console import Console

        return Console(file=sys.stdout).width
    return FILE_WIDTH


def _render(renderable, color: bool, width: int | None = None) -> str:
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width or FILE_WIDTH, color_system="standard" if color else None, force_terminal=color,
        no_color=not color, highlight=False,
    )
    console.print(renderable)
    text = buffer.getvalue()
    if color:
        return text
    # without colour the output holds no escape sequence of ours: show any other control character; no trailing blanks
    return "\n".join(line.rstrip(" ") for line in visible(text, keep_newlines=True).split("\n"))


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


def _colour(no_color: bool = False) -> bool:
    """Colour on standard output: only on a terminal, and never with --no-color or NO_COLOR (https://no-color.org)."""
    return _tty(sys.stdout) and not no_color and not os.environ.get("NO_COLOR")


def _echo(text: str) -> None:
    """A report to standard output: refused, not lost, when standard output is closed."""
    if sys.stdout is None:
        raise InputError("-", "standard output is closed; give --output FILE")
    click.echo(text, nl=False)


def _write(output: str | None, text: str | bytes, inputs: list[str] = ()) -> None:
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


class Choice(click.Choice):
    """click's Choice, saying which choice a mistyped value was probably meant to be."""

    def convert(self, value, param, ctx):
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            choices = ", ".join(map(str, self.choices))
            self.fail(f"'{value}' is not one of {choices}{did_you_mean(str(value), map(str, self.choices))}", param, ctx)


class FailOnType(click.ParamType):
    """``--fail-on must,should``: see :func:`icscheck.settings.parse_fail_on`."""

    name = "LIST"

    def convert(self, value, param, ctx):
        if isinstance(value, FailOn):
            return value
        try:
            return parse_fail_on(value)
        except InputError as exc:
            self.fail(exc.message.removeprefix("fail-on: "), param, ctx)

    def shell_complete(self, ctx, param, incomplete):
        from click.shell_completion import CompletionItem

        head, _, last = incomplete.rpartition(",")
        prefix = f"{head}," if head else ""
        return [CompletionItem(prefix + w) for w in FAIL_ON_WORDS if w.startswith(last)]


FAIL_ON_TYPE = FailOnType()


def _rule_dirs(values) -> list[Path]:
    from . import resources

    return [Path(v) for v in values] if values else [resources.rules_dir()]


def _parameters(items: tuple[str, ...]) -> dict:
    """--param RULE.NAME=VALUE, the value read as YAML (1.6 is a number, true a yes/no), with the checks of a file."""
    from .yamlsource import parse_value

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


FAIL_ON_OPTION = click.option("--fail-on", type=FAIL_ON_TYPE, default=DEFAULT_FAIL_ON, show_default=True, help=FAIL_ON_HELP)


def _exit_code(results: list, fail_on: FailOn | str) -> int:
    """3 when the engine disagreed with a condition's trace; 1 when findings ``--fail-on`` counts remain."""
    if any(r.has_errors for r in results):
        errors = sum(f.status == "error" for r in results for f in r.findings) + sum(r.unreported_errors for r in results)
        click.echo(f"icscheck: engine failure: {errors} finding(s) where the engine's verdict disagrees with the condition's trace (status 'error' in the report)", err=True)
        return EXIT_ENGINE
    if any(r.fails(fail_on) for r in results):
        return EXIT_GAPS
    return EXIT_OK


PARAM_OPTION = click.option(
    "--param", "params", multiple=True, metavar="RULE.NAME=VALUE",
    help="Set a rule parameter otherwise than its file does (repeatable), e.g. FIN-002.min_productivity_growth_pct=1.6.",
)
NO_COLOR_OPTION = click.option(
    "--no-color", "--no-colour", "no_color", is_flag=True,
    help="No colour, even on a terminal (the NO_COLOR environment variable does the same).",
)
RULE_OPTION = click.option(
    "--rule", "only_rules", multiple=True, metavar="ID",
    help="Only this rule (repeatable); a pattern such as 'MM-LEAD-*' matches several.",
)
SKIP_RULE_OPTION = click.option(
    "--skip-rule", "skip_rules", multiple=True, metavar="ID", help="Leave this rule out (repeatable; a pattern too).",
)
FRAMEWORK_OPTION = click.option(
    "--framework", "frameworks", multiple=True, type=Choice(FRAMEWORKS), metavar="NAME",
    help=f"Only this framework's rules (repeatable): {', '.join(FRAMEWORKS)}.",
)


def _print_input_error(exc: InputError) -> None:
    """Every problem of an input, one line each (the first first), then how many there were."""
    if isinstance(exc, InputErrors):
        for line in exc.lines():
            _say(line)
        if exc.closing():
            _say(exc.closing())
    else:
        _say(str(exc))


def _failure(exc: BaseException) -> int:
    """The lines and exit code for any failure: 2 for input, usage and I/O, 3 for the engine (and internal errors)."""
    if isinstance(exc, InputError):
        _print_input_error(exc)
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
    """Check an Integrated Care System description against the national frameworks.

    Start with 'icscheck check FILE' (a one-screen summary); 'icscheck init --icb CODE' writes a new
    description to fill in. Shell completion: eval "$(_ICSCHECK_COMPLETE=bash_source icscheck)"
    (zsh_source, fish_source for other shells).
    """


def _given(ctx: click.Context, name: str) -> bool:
    """Whether an option was given on the command line (or by an environment variable), not left to its default."""
    from click.core import ParameterSource

    return ctx.get_parameter_source(name) not in (None, ParameterSource.DEFAULT)


@main.command()
@click.argument("fixtures", nargs=-1, type=click.Path(dir_okay=False), metavar="[FIXTURE]...")
@click.option("--full", is_flag=True, help="The complete listing: every gap and finding not evidenced, grouped, must first.")
@click.option("--quiet", "-q", is_flag=True, help="Only the verdict line.")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(file_okay=False), help="Rules folder (repeatable; default: the bundled rulebook).")
@RULE_OPTION
@SKIP_RULE_OPTION
@FRAMEWORK_OPTION
@click.option("--engine", type=Choice((AUTO, *ENGINES)), default=AUTO, show_default=True, help=ENGINE_HELP)
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
    "--threshold", type=Choice(STAGES), default=DEFAULT_THRESHOLD, show_default=True,
    help="Stage every domain must reach for designation readiness; matrix bullets above it are counted apart, as beyond the target.",
)
@click.option(
    "--stage-method", type=Choice(STAGE_METHODS), default=DEFAULT_STAGE_METHOD, show_default=True,
    help="How a domain's stage is read: best-fit (most bullets of the stage and every lower stage met) or strict (every bullet).",
)
@click.option("--waivers", "waiver_file", type=click.Path(dir_okay=False), help="Waiver file of agreed derogations.")
@click.option("--no-waivers", is_flag=True, help="Ignore waivers (given here or in the settings): show the unwaived picture.")
@FAIL_ON_OPTION
@PARAM_OPTION
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Read settings from this file (icscheck.yaml or pyproject.toml).")
@click.option("--no-config", is_flag=True, help="Read no settings file.")
@NO_COLOR_OPTION
@click.pass_context
@_guard
def check(
    ctx, fixtures, full, quiet, rule_dirs, only_rules, skip_rules, frameworks, engine, formats, output, as_of, rulebook_date,
    threshold, stage_method, waiver_file, no_waivers, fail_on, params, config_file, no_config, no_color,
) -> None:
    """Check FIXTURE (default: the bundled example system): a one-screen summary, --full for everything.

    Several FIXTUREs are checked one after another (text to standard output only; 'batch' writes
    reports for a folder). Settings come from icscheck.yaml or a pyproject.toml [tool.icscheck]
    table beside the description, else in the working folder; options given here override them.
    Exit codes: 0 nothing fails the run, 1 findings --fail-on counts, 2 invalid input, 3 engine failure.
    """
    if full and quiet:
        raise click.UsageError("give --full or --quiet, not both", ctx)
    if config_file and no_config:
        raise click.UsageError("give --config or --no-config, not both", ctx)
    engine, notice = resolve(engine)
    paths = list(fixtures) or [None]
    if len(paths) > 1 and (output or any(f != "text" for f in formats)):
        raise InputError(
            "--format" if formats else "--output",
            "several descriptions are checked with the text report on standard output only; check one at a time "
            "to write other formats or files, or use 'icscheck batch FOLDER -o FOLDER'",
        )
    targets = _targets(formats, output)
    _files_for_workbooks(targets)
    view = "full" if full else "quiet" if quiet else "summary"
    given = {name: _given(ctx, name) for name in ("threshold", "stage_method", "fail_on", "rule_dirs", "waiver_file")}
    options = dict(
        rule_dirs=rule_dirs, only_rules=only_rules, skip_rules=skip_rules, frameworks=frameworks, engine=engine,
        as_of=as_of, rulebook_date=rulebook_date, threshold=threshold, stage_method=stage_method, waiver_file=waiver_file,
        no_waivers=no_waivers, fail_on=fail_on, params=_parameters(params), config_file=config_file, no_config=no_config,
        given=given, view=view, no_color=no_color,
    )
    if len(paths) == 1:
        code = _check_one(paths[0], targets, **options)
    else:
        codes = []
        for path in paths:
            try:
                codes.append(_check_one(path, targets, **options))
            except InputError as exc:
                _print_input_error(exc)
                codes.append(EXIT_INVALID)
        code = EXIT_ENGINE if EXIT_ENGINE in codes else EXIT_INVALID if EXIT_INVALID in codes else max(codes)
    _notice(notice)
    sys.exit(code)


def _settings_for(path: str | None, config_file: str | None, no_config: bool):
    from . import settings

    if no_config:
        return settings.NO_SETTINGS
    found = Path(config_file) if config_file else settings.find(Path(path) if path else None)
    if found is None:
        return settings.NO_SETTINGS
    if config_file and not found.is_file():
        raise InputError(config_file, "no such file (--config)")
    from .yamlsource import display_path

    return settings.load(found, display_path(found, Path.cwd()) if found.is_absolute() else found.as_posix())


def _check_one(
    path: str | None, targets, *, rule_dirs, only_rules, skip_rules, frameworks, engine, as_of, rulebook_date, threshold,
    stage_method, waiver_file, no_waivers, fail_on, params, config_file, no_config, given, view, no_color,
) -> int:
    """Check one description and write its reports; the exit code it asks for."""
    from . import api

    found = _settings_for(path, config_file, no_config)
    threshold = threshold if given["threshold"] else found.threshold or DEFAULT_THRESHOLD
    stage_method = stage_method if given["stage_method"] else found.stage_method or DEFAULT_STAGE_METHOD
    fail = fail_on if given["fail_on"] else found.fail_on or parse_fail_on(DEFAULT_FAIL_ON)
    dirs = rule_dirs if given["rule_dirs"] else (found.rules or ())
    waivers = None if no_waivers else (waiver_file if given["waiver_file"] else found.waivers)
    inputs = [i for i in (path, waivers) if i]
    writing.check_targets([target for _, target in targets], inputs)
    result = api.check(
        path, _rule_dirs(dirs), engine, as_of, threshold, waivers, params, rulebook_date, stage_method,
        rules=only_rules, skip_rules=skip_rules, frameworks=frameworks,
    )
    shown = path if path else ""
    context = {
        "view": view,
        "command": " ".join(["icscheck check", *([_quoted(shown)] if shown else [])]),
        "explain": f"icscheck explain {_quoted(shown or _example_path())}",
        "settings_file": found.file,
        "fail_on": fail,
    }
    rendered = []
    for fmt, target in targets:
        to_terminal = writing.is_stdout(target) and _tty(sys.stdout)
        rendered.append((target, _format(result, fmt, to_terminal and _colour(no_color), _width(to_terminal), context)))
    writing.write_all(rendered, _echo, inputs)
    return _exit_code([result], fail)


def _example_path() -> str:
    """The bundled example, as a path that works from the working folder."""
    from . import resources

    path = resources.example_fixture()
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)


def _quoted(path: str) -> str:
    """A file name as a shell would take it back."""
    import shlex

    return shlex.quote(path)


def _targets(formats: tuple[str, ...], output: str | None) -> list[tuple[str, str | None]]:
    """(format, file or None for standard output) for each --format; at most one goes to standard output."""
    if output is not None and not output.strip():
        raise InputError("--output", "an empty file name; give a file, or '-' for standard output")
    parsed = []
    for item in formats or ("text",):
        fmt, _, path = item.partition("=")
        if fmt not in FORMATS:
            raise InputError("--format", f"unknown format '{fmt}'{did_you_mean(fmt, FORMATS)}; choose from {', '.join(FORMATS)}")
        parsed.append((fmt, None if path in ("", "-") else path))
    unnamed = [i for i, (_, path) in enumerate(parsed) if path is None]
    if len(unnamed) > 1:
        raise InputError("--format", "give each format but one its own file (FORMAT=FILE)")
    if unnamed and output:
        parsed[unnamed[0]] = (parsed[unnamed[0]][0], output)
    elif output and not unnamed:
        raise InputError("--output", "every --format already names its file")
    return parsed


def _renderers() -> dict:
    from . import formats, report

    return {
        "json": report.to_json,
        "markdown": report.to_markdown,
        "html": report.to_html,
        "sarif": formats.to_sarif,
        "junit": formats.to_junit,
        "csv": formats.to_csv,
        "xlsx": lambda result: _check_workbook(result),
    }


def _format(result, fmt: str, color: bool, width: int = FILE_WIDTH, context: dict | None = None) -> str:
    if fmt != "text":
        return _renderers()[fmt](result)
    from . import textreport

    context = context or {}
    view = context.get("view", "summary")
    if view == "quiet":
        return textreport.verdict_line(result) + "\n"
    if view == "full":
        if color:
            return _render(textreport.full_view(result, width), True, width)
        return textreport.full_text(result, width)  # what _render(full_view) gives without colour, made faster
    return _render(
        textreport.summary_view(
            result, context.get("command", "icscheck check"), context.get("settings_file"),
            context.get("fail_on", DEFAULT_FAIL_ON), context.get("explain", "icscheck explain FILE"),
        ),
        color, width,
    )


@contextlib.contextmanager
def _terminate_as_interrupt():
    """While reports are staged, a terminate or hang-up signal stops the run as Ctrl-C does: the staged
    files are removed and nothing is replaced."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signals = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        signals = []
    before = {signum: signal.signal(signum, interrupt) for signum in signals}
    try:
        yield
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)


def _stem_outputs(result, stem: str) -> dict[str, str]:
    from . import comparison, report, textreport

    outputs = {
        f"{stem}.json": report.to_json(result),
        f"{stem}.md": report.to_markdown(result),
        f"{stem}.txt": textreport.full_text(result, FILE_WIDTH),
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
@click.option("--engine", type=Choice((AUTO, *ENGINES)), default=AUTO, show_default=True, help=ENGINE_HELP)
@click.option("--threshold", type=Choice(STAGES), default=DEFAULT_THRESHOLD, show_default=True)
@click.option("--stage-method", type=Choice(STAGE_METHODS), default=DEFAULT_STAGE_METHOD, show_default=True)
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Processes to check with (default: the cores available); the reports are the same with any number.")
@FAIL_ON_OPTION
@PARAM_OPTION
@_guard
def batch(folder, output, rule_dirs, engine, threshold, stage_method, jobs, fail_on, params) -> None:  # noqa: C901
    """Check every system description in FOLDER; write each system's reports and a regional summary.

    For each valid description: NAME.json, NAME.md, NAME.txt, NAME.html and, where it
    carries the system's own self-assessment, NAME.comparison.md and .json;
    then regional.md, regional.json, regional.xlsx (a workbook) and regional.html (a dashboard
    linking each NAME.html) over the valid ones.  Each invalid
    description is listed with its one-line error, its reports are not
    written, and the exit code is 2.  Two descriptions of the same system on
    the same date, or two files whose reports would have the same names
    (x.yaml beside x.yml), are invalid.  Every description is checked before
    any report is put in place: reports are written to temporary files as they
    are made and moved into place together at the end, or not at all if the run
    fails or is interrupted.  On Linux the descriptions are checked on every
    available core (--jobs sets how many processes).
    """
    from rich.console import Console
    from rich.progress import Progress

    from . import api, report
    from .batchrun import Batch, default_jobs

    engine, notice = resolve(engine)
    paths = api.fixture_files(Path(folder))
    if not paths:
        raise InputError(folder, "no system descriptions (*.yaml) in this folder")
    work = Batch(_rule_dirs(rule_dirs), _parameters(params), engine, threshold, stage_method, _stem_outputs)
    with _terminate_as_interrupt(), writing.Staging([str(p) for p in paths]) as staging:
        target = None
        staged: dict[str, Path] = {}  # each report staged as soon as it is made -> the description it is of
        held: dict[Path, dict[str, str | bytes]] = {}  # reports whose names another description's already have

        unwritable: list[InputError] = []  # the output folder cannot be used: said once the descriptions are

        def take(outcome) -> None:
            nonlocal target
            names = set(outcome.outputs)
            if outcome.outputs and not unwritable and not names & set(staged):
                try:
                    target = target or staging.folder(output)
                except InputError as exc:
                    unwritable.append(exc)
                else:
                    try:
                        for name, text in outcome.outputs.items():
                            staging.add(str(target / name), text)
                            staged[name] = outcome.path
                    except InputError:  # e.g. a link where a report goes: an error only if the description is kept
                        for name in names:
                            if staged.get(name) == outcome.path:
                                staging.discard(str(target / name))
                                del staged[name]
                        held[outcome.path] = outcome.outputs
            elif outcome.outputs and not unwritable:
                held[outcome.path] = outcome.outputs  # decided once every description is checked
            outcome.outputs = {}  # staged or held: its names stay in outcome.names
            progress.advance(task)

        running = work.start(paths, jobs or default_jobs())
        with Progress(console=Console(stderr=True), transient=True, disable=not _tty(sys.stderr)) as progress:
            task = progress.add_task("checking", total=len(paths))
            outcomes = running.collect(take)
        invalid: dict[Path, str] = {o.path: o.invalid for o in outcomes if o.invalid is not None and o.fixture is None}
        loaded = {o.path: o.fixture for o in outcomes if o.fixture is not None}
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
        for outcome in outcomes:  # loaded, but its check refused it (e.g. a rule pack it names is unknown)
            if outcome.invalid is not None:
                invalid.setdefault(outcome.path, outcome.invalid)
        engine_failures = [o.engine_failure for o in outcomes if o.engine_failure is not None and o.path not in invalid]
        names: set[str] = set()
        kept, kept_paths = [], []
        for outcome in outcomes:
            path, result = outcome.path, outcome.result
            own = set(outcome.names)
            clash = sorted(own & (names | set(REGIONAL_FILES)))
            if result is not None and path not in invalid and clash:  # e.g. regional.yaml, or a.comparison.yaml beside a.yaml
                invalid[path] = f"{loaded[path].file}: its report {clash[0]} would replace another report of this batch; rename the file"
            if result is None or path in invalid:
                for name in own:
                    if staged.get(name) == path:
                        staging.discard(str(target / name))
                        del staged[name]
                held.pop(path, None)
                continue
            names |= own
            kept.append(result)
            kept_paths.append(path)
        results = kept
        for path in paths:
            if path in invalid:
                _say(invalid[path])
        for line in engine_failures:
            _say(line)
        if results and unwritable:
            raise unwritable[0]
        for outputs in held.values():  # kept after all: their names are free now
            target = target or staging.folder(output)
            for name, text in outputs.items():
                staging.add(str(target / name), text)
        if results:
            target = target or staging.folder(output)
            gc.freeze()  # the results outlive the regional reports: their collections need not scan them again and again
            try:
                regional = {
                    "regional.json": report.regional_json(results, threshold),
                    "regional.md": report.regional_markdown(results, threshold),
                    "regional.xlsx": _regional_workbook(results, threshold),
                    "regional.html": report.regional_html(results, threshold, [f"{path.stem}.html" for path in kept_paths]),
                }
            finally:
                gc.unfreeze()
            for name, text in regional.items():
                staging.add(str(target / name), text)
            names |= set(regional)
        staging.commit()
    click.echo(f"{output}: {len(results)} systems, {len(names)} files" + (f"; {len(invalid)} invalid" if invalid else ""))
    _notice(notice)
    if engine_failures:
        sys.exit(EXIT_ENGINE)
    code = _exit_code(results, fail_on)
    sys.exit(EXIT_INVALID if invalid and code != EXIT_ENGINE else code)


def _report_of(path: str, rule_dirs, engine: str) -> dict:
    """A JSON report as a dict: read from a .json file (its shape checked), or made by checking a fixture."""
    from . import api, diff, report

    if path.endswith(".json"):
        return diff.read_report(path)
    return report.report_dict(api.check(path, _rule_dirs(rule_dirs), engine))


@main.command("diff")
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(file_okay=False))
@click.option("--engine", type=Choice((AUTO, *ENGINES)), default=AUTO, show_default=True, help=ENGINE_HELP)
@click.option("--format", "fmt", type=Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False))
@click.option("--allow-different-systems", is_flag=True, help="Compare assessments of two different systems (refused otherwise).")
@NO_COLOR_OPTION
@_guard
def diff_command(old, new, rule_dirs, engine, fmt, output, allow_different_systems, no_color) -> None:
    """Compare two assessments (JSON reports or fixtures) of one system: stage and RAG changes, new, closed and unchanged gaps."""
    from . import diff, jsontext, report

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
        text = jsontext.dumps(d)
    elif fmt == "markdown":
        text = report.diff_markdown(d)
    else:
        to_terminal = writing.is_stdout(output) and _tty(sys.stdout)
        text = _render(report.diff_text(d), to_terminal and _colour(no_color), _width(to_terminal))
    _write(output, text, [old, new])


@main.command("explain")
@click.argument("fixture", type=click.Path(dir_okay=False))
@click.argument("rule_id")
@click.argument("subject", required=False)
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(file_okay=False))
@click.option("--engine", type=Choice((AUTO, *ENGINES)), default=AUTO, show_default=True, help=ENGINE_HELP)
@click.option("--as-of", type=ISO_DATE)
@click.option("--waivers", "waiver_file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=Choice(["text", "json"]), default="text", show_default=True)
@PARAM_OPTION
@NO_COLOR_OPTION
@_guard
def explain_command(fixture, rule_id, subject, rule_dirs, engine, as_of, waiver_file, fmt, params, no_color) -> None:
    """Explain in plain English how RULE_ID was decided for FIXTURE (optionally one SUBJECT)."""
    from rich.text import Text

    from . import api, explain, jsontext

    engine, notice = resolve(engine)
    result = api.check(fixture, _rule_dirs(rule_dirs), engine, as_of, DEFAULT_THRESHOLD, waiver_file, _parameters(params))
    explanation = explain.explain(result, rule_id, subject)
    _notice(notice)
    if fmt == "json":
        click.echo(jsontext.dumps(explanation.as_dict()), nl=False)
        return
    from rich.console import Group

    renderable = Group(*(Text(visible(text, keep_newlines=True), style=style) for style, text in explanation.lines))
    click.echo(_render(renderable, _colour(no_color), _width(_tty(sys.stdout))), nl=False)


@main.command()
@click.argument("fixture", type=click.Path(dir_okay=False))
@_guard
def validate(fixture) -> None:
    """Validate FIXTURE against the system description schema and its references.

    Every problem is reported at once (up to 50), one line each with file:line, in the order of the
    file; exit code 2 when there is one."""
    from . import reference
    from .fixture import load_fixture
    from .textreport import plural

    loaded = load_fixture(fixture)
    desc = loaded.description
    system = desc.system
    click.echo(visible(
        f"{fixture}: valid — {desc.system.name}: {plural(len(desc.organisations), 'organisation')}, "
        f"{plural(len(desc.places), 'place')}, {plural(len(desc.collaboratives), 'collaborative')}, "
        f"{plural(len(desc.boards), 'board')}, {plural(len(desc.arrangements), 'arrangement')}, "
        f"{plural(len(desc.evidence), 'evidence item')}"
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
    from . import reference, resources, scaffold
    from .rules import load_rules

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
@RULE_OPTION
@SKIP_RULE_OPTION
@FRAMEWORK_OPTION
@click.option("--format", "fmt", type=Choice(["text", "json"]), default="text", show_default=True)
@NO_COLOR_OPTION
@_guard
def rules_list(rule_dirs, only_rules, skip_rules, frameworks, fmt, no_color) -> None:
    """List the rules: id, title, framework, strength and source (--rule, --skip-rule, --framework filter them)."""
    from . import jsontext, report
    from .api import select_rules
    from .rules import load_rules

    loaded = select_rules(load_rules(_rule_dirs(rule_dirs)), only_rules, skip_rules, frameworks)
    if fmt == "json":
        click.echo(jsontext.dumps([report.rule_dict(r) for r in loaded]), nl=False)
    else:
        click.echo(_render(report.rules_table(loaded), _colour(no_color), _width(_tty(sys.stdout))), nl=False)


@rules.command("show")
@click.argument("rule_id")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=Choice(["text", "json"]), default="text", show_default=True)
@NO_COLOR_OPTION
@_guard
def rules_show(rule_id, rule_dirs, fmt, no_color) -> None:
    """Show one rule in full."""
    from . import jsontext, report
    from .rules import load_rules

    loaded = {r.id: r for r in load_rules(_rule_dirs(rule_dirs))}
    aliases = {alias: r.id for r in loaded.values() for alias in r.spec.aliases}
    rule = loaded.get(rule_id) or loaded.get(aliases.get(rule_id, ""))
    if rule is None:
        raise InputError(rule_id, f"no rule with this id{did_you_mean(rule_id.upper(), [*loaded, *aliases])}")
    if fmt == "json":
        click.echo(jsontext.dumps(report.rule_dict(rule, full=True)), nl=False)
    else:
        click.echo(_render(report.rule_text(rule), _colour(no_color), _width(_tty(sys.stdout))), nl=False)


@rules.command("docs")
@click.option("--rules", "rule_dirs", multiple=True, type=click.Path(file_okay=False), help="Rules folders (default: the national rulebook and the bundled local packs).")
@click.option("--output", "-o", default="docs/rules", show_default=True, type=click.Path(file_okay=False))
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the docs in --output are not current.")
@_guard
def rules_docs(rule_dirs, output, check) -> None:
    """Generate one page per rule, an index and the coverage table."""
    from . import docs, resources
    from .rules import load_rules

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
    from .yamlsource import read_limited

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
@click.option("--format", "fmt", type=Choice(["graphml", "dot"]), default="graphml", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False))
@_guard
def graph_command(fixture, fmt, output) -> None:
    """Export the system's typed graph as GraphML or Graphviz DOT."""
    from .fixture import load_fixture
    from .graph import SystemGraph, export_graph

    writing.check_targets([output], [fixture])
    _write(output, export_graph(SystemGraph(load_fixture(fixture)), fmt), [fixture])


@main.command()
@click.option("--format", "fmt", type=Choice(["text", "json"]), default="text", show_default=True)
def facts(fmt) -> None:
    """List the fact attributes rules may use, by subject kind."""
    from .facts import catalogue

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
    from . import jsontext, model

    _write(output, jsontext.dumps(model.json_schema()))



@main.command("quotes")
@click.argument("description", type=click.Path(dir_okay=False))
@click.option("--documents", "-d", required=True, type=click.Path(), help="Folder of the source documents (text, Markdown, HTML, PDF).")
@click.option("--format", "fmt", type=Choice(["text", "json"]), default="text", show_default=True)
@click.option("--misses-only", is_flag=True, help="Text format: list only the quotes not found.")
@_guard
def quotes_command(description, documents, fmt, misses_only) -> None:
    """Verify DESCRIPTION's evidence quotes against the documents themselves.

    Exit 0 when every quote is found (verbatim or after normalising), 1 when one is not found or
    its document is missing, 2 on bad input.
    """
    from . import jsontext, quotes
    from .fixture import load_fixture

    result = quotes.check_quotes(load_fixture(description), Path(documents), documents)
    if fmt == "json":
        click.echo(jsontext.dumps(result.as_dict()), nl=False)
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
        if fmt == "xlsx" and writing.is_stdout(target):
            raise InputError("--format", "xlsx needs a file: --format xlsx=FILE or --output FILE")


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
    from .fixture import load_fixture

    writing.check_target(output)
    _refuse_existing(output, force)
    data = workbook_import.template_workbook(load_fixture(source) if source else None)
    _write(output, data)
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
    if not writing.is_stdout(output):
        click.echo(f"{output}: imported from {workbook_file}", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()

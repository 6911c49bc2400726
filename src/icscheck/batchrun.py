"""Checking a folder of system descriptions on every core: the work of ``icscheck batch``.

Each description is loaded, checked, and its reports rendered, in one of up to ``jobs`` worker
processes.  Workers are forked once the rulebook is loaded, so they share it and import nothing
again; worker *k* of *n* takes the descriptions *k*, *k + n*, ... in name order and sends each
outcome back as soon as it is made.  The caller receives every outcome in name order, whatever
order they finish in, so the reports are the same bytes with one process or many.  Where fork is
not the safe way to start a process (anywhere but Linux), or one job is asked for, the work runs
in the calling process.

An outcome keeps only what the regional reports and the exit code read: a result sent back
without its graph and subjects (its reports are rendered already), its rulebook re-attached by
the caller.  Each worker makes one evaluator and keeps it for every description it checks.
Nothing here prints or writes a file.
"""

from __future__ import annotations

import dataclasses
import gc
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

from . import api
from .engine import Evaluator, evaluator
from .errors import EngineError, InputError
from .fixture import Fixture, load_fixture
from .yamlsource import SourceMap
from .rules import Parameters, Rule, load_rules

#: A system's reports, named by file, made from its result and the description's file stem.
Render = Callable[[api.Result, str], dict[str, str | bytes]]


@dataclass
class Outcome:
    """What became of one description: its reports, or why it has none."""

    path: Path
    fixture: Fixture | None = None
    result: api.Result | None = None
    outputs: dict[str, str | bytes] = field(default_factory=dict)  # its reports, until the caller takes them
    names: tuple[str, ...] = ()  # the names of its reports, kept when the reports are taken
    invalid: str | None = None  # the one-line error of a description that cannot be checked
    engine_failure: str | None = None  # the engine failed an integrity check on this description
    rulebook: tuple[str, ...] = ()  # the rule folders its result was checked against


def system_only(fixture: Fixture) -> Fixture:
    """A description once its reports are rendered: its system block and where that is written, for the
    regional reports and for telling two descriptions of one system apart; its lists left out."""
    description = fixture.description
    empty = {name: [] for name in type(description).model_fields if isinstance(getattr(description, name), list)}
    lines = {path: line for path, line in fixture.source.lines.items() if path[:1] in ((), ("system",))}
    return Fixture(description.model_copy(update=empty), SourceMap(fixture.source.file, lines))


def for_summary(result: api.Result) -> api.Result:
    """A result once its own reports are rendered: what the regional reports and the exit code read (the
    system block; each finding's rule, status, subject, message, place, evidence items and waiver), without
    its graph, its subjects, its description's lists, or its findings' traces, facts, checks and claims."""
    slim = [
        dataclasses.replace(
            f, facts=(), checks=(), expected_at=(), trace=None, where_trace=None, claims=(),
            evidence=tuple(dataclasses.replace(e, citations=()) for e in f.evidence),
        )
        for f in result.findings
    ]
    return dataclasses.replace(result, fixture=system_only(result.fixture), graph=None, subjects=[], findings=slim)


def default_jobs() -> int:
    """The processes to use: the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - platforms without affinity
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    """Whether worker processes can be forked safely here (Linux; elsewhere fork is absent or unsafe)."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


class Batch:
    """The checks of one batch run: its rulebooks (loaded once, the base one before any worker starts),
    the settings every description is checked with, and how a result becomes reports."""

    def __init__(
        self, base: list[Path], parameters: Parameters, engine: str, threshold: str, stage_method: str, render: Render
    ) -> None:
        self.base = list(base)
        self.parameters = parameters
        self.engine = engine
        self.threshold = threshold
        self.stage_method = stage_method
        self.render = render
        self._rulebooks: dict[tuple[str, ...], list[Rule]] = {}
        self.rulebook(self.base)  # a bad rulebook or --param is an error for every description: raised here

    def rulebook(self, dirs: list[Path]) -> list[Rule]:
        key = tuple(str(d) for d in dirs)
        if key not in self._rulebooks:
            self._rulebooks[key] = load_rules(dirs, self.parameters)
        return self._rulebooks[key]

    def check(self, path: Path, runner: Evaluator) -> Outcome:
        """Load, check and render one description; a bad description or an engine failure is an outcome, not a raise."""
        try:
            fixture = load_fixture(path)
        except InputError as exc:
            return Outcome(path, invalid=str(exc))
        try:
            dirs = api.rule_dirs_for(fixture, self.base)
            result = api.check_fixture(
                fixture, self.rulebook(dirs), runner, None, self.threshold, stage_method=self.stage_method
            )
        except InputError as exc:
            return Outcome(path, fixture, invalid=str(exc))
        except EngineError as exc:
            return Outcome(path, fixture, engine_failure=f"{fixture.file}: engine failure: {exc}")
        outputs = self.render(result, path.stem)
        kept = for_summary(result)
        return Outcome(path, kept.fixture, kept, outputs, tuple(sorted(outputs)), rulebook=tuple(str(d) for d in dirs))

    def attach(self, outcome: Outcome) -> Outcome:
        """A result that crossed from a worker gets its rulebook back (it travels without it)."""
        if outcome.result is not None and not outcome.result.rules:
            rules = self.rulebook([Path(d) for d in outcome.rulebook])
            outcome.result = dataclasses.replace(outcome.result, rules=rules)
        return outcome

    def start(self, paths: list[Path], jobs: int) -> Running:
        """Start checking the descriptions: the worker processes are forked now, before the caller starts
        any thread of its own (a progress display), so no lock a thread holds is copied into a worker."""
        return Running(self, paths, max(1, min(jobs, len(paths))))

    def run(self, paths: list[Path], jobs: int, take: Callable[[Outcome], None] = lambda outcome: None) -> list[Outcome]:
        """Start and collect (see :class:`Running`)."""
        return self.start(paths, jobs).collect(take)

    def work(self, share: list[Path], connection: Connection, inherited: list[Connection]) -> None:
        """A worker: check its share, sending each outcome as it is made, then a final None.

        It first closes the receiving ends of the pipes it inherited (its own among them), so that if the
        calling process dies its next send fails and it stops, rather than waiting for a reader forever;
        it leaves interrupts to the calling process, and ends on a terminate signal."""
        for end in inherited:
            end.close()
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the caller stops the workers
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
        path = None
        gc.freeze()  # what the worker inherited lives as long as it does: no collection need scan it again
        try:
            runner = evaluator(self.engine)
            for path in share:
                outcome = self.check(path, runner)
                if outcome.result is not None:
                    outcome.result = dataclasses.replace(outcome.result, rules=[])  # the caller has the rulebook
                connection.send(outcome)
            connection.send(None)
        except OSError:  # the caller is gone (a broken pipe): nothing is waiting for the rest
            pass
        except BaseException as exc:  # noqa: BLE001 - whatever stops a worker reaches the caller, in one line
            where = f" checking {path}" if path is not None else ""
            try:
                connection.send(RuntimeError(f"a batch worker failed{where}: {type(exc).__name__}: {exc}"))
            except OSError:
                pass
        finally:
            connection.close()


class Running:
    """A batch under way: ``jobs`` forked workers (none, where one job is asked for or fork is not safe here)."""

    def __init__(self, batch: Batch, paths: list[Path], jobs: int) -> None:
        self.batch = batch
        self.paths = paths
        self.workers: list[multiprocessing.process.BaseProcess] = []
        self.pending: dict[Connection, multiprocessing.process.BaseProcess] = {}
        if jobs == 1 or not can_fork():
            return
        context = multiprocessing.get_context("fork")
        try:
            for k in range(jobs):
                receiving, sending = context.Pipe(duplex=False)
                inherited = [*self.pending, receiving]
                process = context.Process(target=batch.work, args=(paths[k::jobs], sending, inherited), daemon=True)
                process.start()
                sending.close()
                self.workers.append(process)
                self.pending[receiving] = process
        except BaseException:
            self.stop()
            raise

    def collect(self, take: Callable[[Outcome], None] = lambda outcome: None) -> list[Outcome]:
        """Every description's outcome, in the order given; ``take`` sees each one as soon as it is made
        (in any order), and may take its outputs away (e.g. to write them) before the next arrives."""
        try:
            if not self.workers:
                runner = evaluator(self.batch.engine)
                outcomes = []
                for path in self.paths:
                    outcomes.append(self.batch.check(path, runner))
                    take(outcomes[-1])
                return outcomes
            by_path = {}
            for outcome in self._received():
                take(outcome)
                by_path[outcome.path] = outcome
            return [by_path[path] for path in self.paths]
        finally:
            self.stop()

    def _received(self) -> Iterator[Outcome]:
        while self.pending:
            for connection in wait(list(self.pending)):
                try:
                    item = connection.recv()
                except EOFError:
                    process = self.pending[connection]
                    process.join(5)
                    code = process.exitcode
                    how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
                    raise RuntimeError(f"a batch worker stopped without finishing ({how})") from None
                if isinstance(item, Exception):
                    raise item
                if item is None:
                    connection.close()
                    del self.pending[connection]
                    continue
                yield self.batch.attach(item)

    def stop(self) -> None:
        """End every worker (those still at work when the batch fails or is interrupted are terminated)."""
        for connection in self.pending:
            connection.close()
        self.pending.clear()
        for process in self.workers:
            if process.is_alive():
                process.terminate()
            process.join()
        self.workers.clear()

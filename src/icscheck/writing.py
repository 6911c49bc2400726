"""How the command line writes its outputs: checked first, then all at once, losing nothing.

Used only by :mod:`icscheck.cli` (the one module that writes files).  Before
anything is written every target is checked: its folder exists and is
writable; it is not a directory, a FIFO, a device, a socket or a symbolic link
(``-`` and ``/dev/stdout`` mean standard output); no two outputs name the same
file, and no output names an input.  Each file is then written to a temporary
file beside its target, and only when every one is written are they moved
into place; if anything fails, every existing file is left as it was.
``batch`` stages each system's reports as soon as they are made (:class:`Staging`),
so it never holds every report in memory, and moves them into place only once
every description is checked.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import InputError

#: Names that mean standard output.
STDOUT_NAMES = ("-", "/dev/stdout")


def is_stdout(target: str | None) -> bool:
    return target is None or target in STDOUT_NAMES


def _identity(path: str) -> str:
    try:
        return str(Path(path).resolve())
    except (OSError, RuntimeError):
        return os.path.abspath(path)


def check_target(target: str | None, option: str = "--output") -> None:
    """Refuse an output that cannot be written safely, before anything is written."""
    if is_stdout(target):
        return
    assert target is not None
    if not target.strip() or "\x00" in target:
        raise InputError(option, f"'{target}' is not a usable file name")
    path = Path(target)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise InputError(target, f"cannot be written ({exc.strerror})") from None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise InputError(
                target, "is a symbolic link; icscheck never replaces a link (name the file itself, or '-' for standard output)"
            )
        if stat.S_ISDIR(info.st_mode):
            raise InputError(target, f"is a directory; give a file name for {option}")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(target, "is not a regular file (a FIFO, device or socket); icscheck writes only regular files ('-' for standard output)")
        if not os.access(path, os.W_OK):
            raise InputError(target, "is read-only; it would not be replaced")
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(target, f"folder '{directory}' does not exist")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise InputError(target, f"folder '{directory}' is not writable")


def check_targets(targets: list[str | None], inputs: list[str] = (), option: str = "--output") -> None:
    """Check every target, that no two name the same file, and that none is an input."""
    seen: dict[str, str] = {}
    for target in targets:
        check_target(target, option)
        key = "<stdout>" if is_stdout(target) else _identity(target)
        if key in seen:
            name = "standard output" if key == "<stdout>" else f"'{target}'"
            raise InputError(option, f"two outputs name the same file: {name}")
        seen[key] = target or "-"
    for source in inputs:
        if source and _identity(source) in seen:
            raise InputError(source, "is an input; it would be overwritten by an output")


def check_folder(folder: str, option: str = "--output") -> Path:
    """An output folder: made if missing; refused if it is a file, or not writable."""
    if not folder.strip() or "\x00" in folder:
        raise InputError(option, f"'{folder}' is not a usable folder name")
    path = Path(folder)
    if path.exists() and not path.is_dir():
        raise InputError(folder, f"is not a folder; give a folder for {option}")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(folder, f"cannot be made ({exc.strerror})") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise InputError(folder, "is not writable")
    return path


@dataclass
class _Staged:
    target: str
    temp: str
    backup: str | None = None
    existed: bool = False
    replaced: bool = False


def _stage(target: str, text: str | bytes) -> str:
    path = Path(target)
    directory = path.parent if str(path.parent) else Path(".")
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        if isinstance(text, bytes):
            with os.fdopen(fd, "wb") as binary:
                binary.write(text)
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temp, 0o666 & ~mask)  # as an ordinary new file would be, not mkstemp's 0600
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return temp


@contextlib.contextmanager
def _signals_deferred():
    """Interrupt, terminate and hang-up signals held back for a moment and delivered after it (where the
    platform can hold signals back), so that a file is never left half-recorded."""
    held = {getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)}
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


class Staging:
    """Files written one by one as they are made, then all moved into place at once, or none.

    ``add`` checks a target and writes its text to a temporary file beside it; ``discard`` drops a
    staged file that will not be kept after all; ``commit`` moves every staged file into place,
    putting back every file it replaced if any move fails; leaving a ``with`` block without a commit
    (an error, an interrupt) removes every temporary file and any folder ``add`` made."""

    def __init__(self, inputs: list[str] = (), option: str = "--output") -> None:
        self._inputs = {_identity(source) for source in inputs if source}
        self._option = option
        self._staged: dict[str, _Staged] = {}  # the target's identity -> its staged file
        self._made: list[Path] = []  # folders made for the outputs, outermost first

    def folder(self, folder: str) -> Path:
        """An output folder, made (and removed again if nothing is committed) when missing."""
        path = Path(folder)
        missing = [p for p in (path, *path.parents) if not p.exists()]
        made = check_folder(folder, self._option)
        self._made += reversed(missing)
        return made

    def add(self, target: str, text: str | bytes) -> None:
        check_target(target, self._option)
        key = _identity(target)
        if key in self._inputs:
            raise InputError(target, "is an input; it would be overwritten by an output")
        if key in self._staged:
            raise InputError(self._option, f"two outputs name the same file: '{target}'")
        try:
            with _signals_deferred():  # an interrupt comes once the file is staged and recorded, never between
                self._staged[key] = _Staged(target, _stage(target, text))
        except OSError as exc:
            raise InputError(target, f"cannot be written ({exc.strerror or exc}); nothing was written") from None

    def discard(self, target: str) -> None:
        item = self._staged.pop(_identity(target), None)
        if item is not None:
            Path(item.temp).unlink(missing_ok=True)

    def commit(self) -> None:
        if not self._staged:  # nothing to write: the folders made for it go too
            self.abort()
            return
        with _signals_deferred():  # moved into place, or all put back: an interrupt comes after either
            self._commit()

    def _commit(self) -> None:
        staged = sorted(self._staged.values(), key=lambda item: item.target)
        try:
            for item in staged:
                item.existed = os.path.lexists(item.target)
                if item.existed:
                    item.backup = item.temp + ".old"
                    try:
                        os.link(item.target, item.backup)
                    except OSError:
                        item.backup = None  # a file system without hard links: no way back for this one
                try:
                    os.replace(item.temp, item.target)
                except OSError as exc:
                    raise InputError(item.target, f"cannot be replaced ({exc.strerror or exc}); nothing was written") from None
                item.replaced = True
        except BaseException:
            for item in staged:
                if item.replaced:
                    if item.backup:
                        os.replace(item.backup, item.target)
                    elif not item.existed:
                        Path(item.target).unlink(missing_ok=True)
            self.abort()
            raise
        for item in staged:
            if item.backup:
                Path(item.backup).unlink(missing_ok=True)
        self._staged.clear()
        self._made.clear()

    def abort(self) -> None:
        """Remove every staged file (and its backup), and the folders made for them if they are empty."""
        for item in self._staged.values():
            Path(item.temp).unlink(missing_ok=True)
            if item.backup:
                Path(item.backup).unlink(missing_ok=True)
        self._staged.clear()
        for folder in reversed(self._made):
            try:
                folder.rmdir()
            except OSError:
                break
        self._made.clear()

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.abort()  # after a commit there is nothing left to remove


def write_all(outputs: list[tuple[str | None, str | bytes]], echo: Callable[[str], None], inputs: list[str] = ()) -> None:
    """Write every output, or none: files atomically (all staged, then moved into place), then standard output."""
    check_targets([target for target, _ in outputs], list(inputs))
    for target, text in outputs:
        if isinstance(text, bytes) and is_stdout(target):
            raise InputError("--output", "a workbook cannot be written to standard output; give a file")
    with Staging(list(inputs)) as staging:
        for target, text in outputs:
            if not is_stdout(target):
                assert target is not None
                staging.add(target, text)
        staging.commit()
    for target, text in outputs:
        if is_stdout(target) and isinstance(text, str):
            echo(text)

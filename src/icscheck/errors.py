"""Errors that carry a position in an input file.

Every problem with a fixture, a rule file or an option is raised as an
:class:`InputError`, which the CLI turns into one line (``file:line: what is
wrong``) and exit code 2.  Nothing else in the package prints or exits.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """A place in an input file: path and 1-based line (0 when unknown)."""

    file: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line}


class InputError(Exception):
    """Invalid input: a fixture, rule file, waiver or option that cannot be used."""

    def __init__(self, location: Location | str, message: str):
        if isinstance(location, str):
            location = Location(location)
        self.location = location
        self.message = " ".join(str(message).split())
        super().__init__(f"{location}: {self.message}")


#: At most this many problems in one input are reported; beyond, the count says there are more.
MAX_PROBLEMS = 50


class InputErrors(InputError):
    """Several problems in one input, each with its place, reported together (the first :data:`MAX_PROBLEMS`).

    ``str()`` is the first problem and how many more there are (one line, for a list of invalid files);
    ``lines()`` is every problem, one line each, in the order of the file."""

    def __init__(self, problems: list[InputError], total: int | None = None):
        flat: list[InputError] = []
        for problem in problems:
            flat += problem.problems if isinstance(problem, InputErrors) else [problem]
        if not flat:
            raise ValueError("InputErrors needs at least one problem")
        self.total = max(total or 0, len(flat))
        self.problems = flat[:MAX_PROBLEMS]
        first = self.problems[0]
        more = self.total - 1
        suffix = f" (and {more} more problem{'s' if more != 1 else ''} in this file)" if more else ""
        super().__init__(first.location, first.message + suffix)

    def lines(self) -> list[str]:
        return [str(problem) for problem in self.problems]

    def closing(self) -> str | None:
        """The line after the problems: how many there are (when more than one)."""
        if self.total <= 1:
            return None
        file = self.problems[0].location.file
        if self.total > len(self.problems):
            return f"{file}: {self.total} problems; the first {len(self.problems)} are shown"
        return f"{file}: {self.total} problems"


def raise_all(problems: list[InputError], uncounted: int = 0) -> None:
    """Raise the problems found, in the order of the file (by line), if there are any; ``uncounted`` more
    were found but not kept."""
    if problems:
        ordered = sorted(problems, key=lambda p: (p.location.file, p.location.line))
        if len(ordered) == 1 and not uncounted:
            raise ordered[0]
        raise InputErrors(ordered, len(ordered) + uncounted)


class EngineError(Exception):
    """The rule engine failed an integrity check; its result cannot be trusted."""

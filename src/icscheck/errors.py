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


class EngineError(Exception):
    """The rule engine failed an integrity check; its result cannot be trusted."""

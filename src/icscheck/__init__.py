"""icscheck: check an NHS England Integrated Care System against its national frameworks.

The library API::

    import icscheck

    result = icscheck.check("my-system.yaml")          # a Result
    result.summary.readiness.verdict                    # "ready", "not ready" or "undetermined"
    [f for f in result.findings if f.status == "gap"]   # typed Findings, each with its trace
    result.fails("must,should")                         # whether the command line would exit with 1

See the README's "The library" section.

Names are imported on first use, so ``import icscheck`` stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "check": "api",
    "check_fixture": "api",
    "Result": "api",
    "Finding": "findings",
    "Summary": "scoring",
    "Readiness": "scoring",
    "DomainScore": "scoring",
    "ArrangementRag": "scoring",
    "Selection": "api",
    "select": "api",
    "InputError": "errors",
    "InputErrors": "errors",
    "EngineError": "errors",
    "load_fixture": "fixture",
    "load_rules": "rules",
}
__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:  # pragma: no cover
    from .api import Result, Selection, check, check_fixture, select
    from .errors import EngineError, InputError, InputErrors
    from .findings import Finding
    from .fixture import load_fixture
    from .rules import load_rules
    from .scoring import ArrangementRag, DomainScore, Readiness, Summary


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'icscheck' has no attribute {name!r}")

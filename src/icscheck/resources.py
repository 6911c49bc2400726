"""Where the bundled rules and example system are.

An installed wheel carries them as ``icscheck/_data``; a source checkout
(including an editable install) has them at the top of the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
EXAMPLE = "real/cambridgeshire-and-peterborough-2021.yaml"


def data_root() -> Path:
    bundled = _PACKAGE / "_data"
    if (bundled / "rules").is_dir():
        return bundled
    return _PACKAGE.parent.parent


def rules_dir() -> Path:
    """The national rulebook."""
    return data_root() / "rules"


def local_rule_dirs() -> list[Path]:
    """The bundled local rule packs (one folder each under rules-local/)."""
    root = data_root() / "rules-local"
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def fixtures_dir() -> Path:
    return data_root() / "fixtures"


def example_fixture() -> Path:
    """The bundled example system description."""
    return fixtures_dir() / EXAMPLE

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from icscheck.cli import main
from icscheck.engine import durable_available

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
RULES = ROOT / "rules"
SHARED = ROOT.parent / "shared"
ALL_FIXTURES = sorted(FIXTURES.rglob("*.yaml"))
REAL_FIXTURES = sorted((FIXTURES / "real").glob("*.yaml"))
CP = FIXTURES / "real" / "cambridgeshire-and-peterborough-2021.yaml"
EXEMPLAR = FIXTURES / "synthetic" / "exemplar-ics.yaml"
PLANTED = FIXTURES / "synthetic" / "planted-gaps.yaml"
EXEMPLAR_2023 = FIXTURES / "synthetic" / "exemplar-ics-2023.yaml"
#: durable-rules does not build for Python 3.13 and later: there the tests run the Python evaluator alone.
DURABLE = durable_available()
NOT_HERE = "durable-rules cannot be imported on this Python (it does not build for 3.13 and later)"
needs_durable = pytest.mark.skipif(not DURABLE, reason=NOT_HERE)
ENGINE = "durable" if DURABLE else "python"
ENGINES_HERE = [pytest.param("durable", marks=needs_durable), "python"]


@pytest.fixture
def run():
    """Run the CLI in-process; return (exit code, stdout, stderr).

    Where durable-rules cannot be imported (Python 3.13 and later) every command that evaluates says
    so once on standard error; the tests that count error lines are about other lines, so that
    notice is left out unless ``raw=True``.
    """

    def invoke(*args: str, raw: bool = False):
        result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
        err = result.stderr
        if not raw and not DURABLE:
            err = "".join(line for line in err.splitlines(keepends=True) if "durable-rules cannot be imported" not in line)
        return result.exit_code, result.stdout, err

    return invoke


def problem_lines(err: str, name: str = "") -> list[str]:
    """The problems icscheck reported on standard error, one line each (``file:line: what is wrong``), with the
    closing count (``file: N problems``) that follows more than one left out; no traceback."""
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert lines and all(line.startswith("icscheck: ") for line in lines), err
    if len(lines) > 1:
        assert re.search(r": \d+ problems(; the first \d+ are shown)?$", lines[-1]), err
        lines = lines[:-1]
        assert int(re.search(r": (\d+) problems", err).group(1)) >= len(lines), err
    if name:
        assert all(name in line for line in lines), err
    return lines


def error_lines(err: str) -> list[str]:
    """Standard error without the notice that the Python evaluator ran where durable-rules cannot be imported."""
    return [line for line in err.strip().splitlines() if "durable-rules cannot be imported" not in line]


#: Debian's chromium, for the tests that open reports in a real headless browser, and the flags they use.
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
]

"""SARIF, JUnit, CSV and HTML reports."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icscheck import api, formats, report, textreport
from icscheck.fixture import load_fixture
from icscheck.rules import load_rules

from conftest import CHROMIUM, CHROMIUM_FLAGS, EXEMPLAR, PLANTED, REAL_FIXTURES, RULES, SHARED

RULEBOOK = load_rules([RULES])
SARIF_SCHEMA = SHARED / "reference" / "schemas" / "sarif-schema-2.1.0.json"


def _result(path, **kwargs):
    return api.check_fixture(load_fixture(path), RULEBOOK, "python", **kwargs)


@pytest.mark.skipif(not SARIF_SCHEMA.is_file(), reason="the SARIF 2.1.0 schema is not beside the project (../shared/reference/schemas)")
@pytest.mark.parametrize("path", [*REAL_FIXTURES, PLANTED], ids=lambda p: p.stem)
def test_sarif_validates_against_the_official_schema(path):
    schema = json.loads(SARIF_SCHEMA.read_text())
    log = json.loads(formats.to_sarif(_result(path)))
    jsonschema.validate(log, schema)


def test_sarif_content():
    result = _result(PLANTED)
    log = json.loads(formats.to_sarif(result))
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.id for r in RULEBOOK]
    assert "para 2.31" in next(r for r in rules if r["id"] == "IC-PLACE-005")["help"]["text"]
    assert len(run["results"]) == len(result.findings)
    kinds = {r["kind"] for r in run["results"]}
    assert kinds == {"pass", "fail", "notApplicable", "informational"}
    west = next(r for r in run["results"] if r["ruleId"] == "IC-PLACE-005" and r["kind"] == "fail")
    assert west["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "place/west"
    assert west["locations"][0]["physicalLocation"]["region"]["startLine"] > 1
    assert west["level"] == "warning"  # a should rule


def test_junit_has_one_case_per_rule_and_subject():
    result = _result(PLANTED)
    root = ET.fromstring(formats.to_junit(result))
    cases = root.findall(".//testcase")
    assert len(cases) == len(result.findings)
    assert len(root.findall(".//failure")) == 4
    assert root.find("testsuite").get("failures") == "4"


def test_csv_has_one_row_per_finding():
    result = _result(PLANTED)
    rows = list(csv.DictReader(io.StringIO(formats.to_csv(result))))
    assert len(rows) == len(result.findings)
    assert {row["status"] for row in rows} == {"pass", "gap", "info", "not_applicable"}
    assert all(row["source"] for row in rows)
    assert list(rows[0])[:5] == ["system_id", "system_name", "ods_code", "as_of", "rule_id"]
    assert {(row["system_id"], row["system_name"], row["ods_code"], row["as_of"]) for row in rows} == {
        ("planted", "Planted-gaps ICS (synthetic)", "XQA", "2021-09-30")
    }


def test_format_options(run, tmp_path):
    paths = {fmt: tmp_path / f"r.{fmt}" for fmt in ("html", "sarif", "junit", "csv", "markdown")}
    args = [item for fmt, path in paths.items() for item in ("--format", f"{fmt}={path}")]
    code, out, _ = run("check", PLANTED, *args, "--format", "json")
    assert code == 1
    assert json.loads(out)["system"]["id"] == "planted"
    assert all(path.stat().st_size > 0 for path in paths.values())
    code, _, err = run("check", PLANTED, "--format", "html", "--format", "csv")
    assert code == 2 and "its own file" in err
    code, _, err = run("check", PLANTED, "--format", "pdf")
    assert code == 2 and "unknown format" in err


HOSTILE_NAME = "<script>document.title='PWNED'</script><img src=x onerror=alert(1)>"


def _hostile(tmp_path):
    text = PLANTED.read_text()
    text = text.replace("name: Planted-gaps ICS (synthetic)", f'name: "{HOSTILE_NAME}"')
    text = text.replace("{id: west, name: West,", '{id: west, name: "West <b onmouseover=alert(2)>x</b>",')
    text = text.replace(
        "    title: Exemplar place partnership terms of reference (synthetic)\n",
        "    title: \"Terms <script>alert(3)</script>\"\n    url: \"javascript:alert(4)\"\n",
    )
    path = tmp_path / "hostile.yaml"
    path.write_text(text)
    return path


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend(attrs)


def test_html_escapes_every_fixture_string(tmp_path):
    html = report.to_html(_result(_hostile(tmp_path)))
    parser = _Tags()
    parser.feed(html)
    assert "script" not in parser.tags and "img" not in parser.tags and "b" not in parser.tags
    assert not [name for name, _ in parser.attributes if name.startswith("on")], "no event handler attributes"
    links = [value for name, value in parser.attributes if name == "href" and value]
    assert not [v for v in links if not v.startswith(("http://", "https://", "#"))], "web addresses and links within the report only"
    assert "&lt;script&gt;" in html
    assert "Content-Security-Policy" in html
    assert not [value for name, value in parser.attributes if name == "src"], "the report loads nothing: no network requests"


FLAGS = CHROMIUM_FLAGS


def _chromium(tmp_path, html_path, *extra):
    profile = tmp_path / "profile"
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *extra, html_path.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_html_renders_in_a_real_browser_without_console_errors(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(report.to_html(_result(EXEMPLAR)))
    done = _chromium(tmp_path, page, "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Designation readiness" in done.stdout and "<svg" in done.stdout
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line]
    assert not console, console
    shot = tmp_path / "shot.png"
    done = _chromium(tmp_path, page, f"--screenshot={shot}", "--window-size=1200,1600")
    assert shot.is_file() and shot.stat().st_size > 10_000


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_hostile_fixture_runs_no_script_in_a_real_browser(tmp_path):
    page = tmp_path / "hostile.html"
    page.write_text(report.to_html(_result(_hostile(tmp_path))))
    done = _chromium(tmp_path, page, "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert "<title>PWNED" not in dom and "PWNED</title>" not in dom.split("<body")[0].replace("&lt;", "")
    assert "<script" not in dom.lower()
    assert "<img" not in dom.lower()
    assert 'href="javascript:' not in dom
    assert not [line for line in done.stderr.splitlines() if "CONSOLE" in line]


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_the_console_check_sees_console_errors(tmp_path):
    """The browser tests read console messages from chromium's log; make sure they would see one."""
    page = tmp_path / "noisy.html"
    page.write_text('<html><body><script>console.error("icscheck-console-marker")</script></body></html>')
    done = _chromium(tmp_path, page, "--dump-dom")
    assert any("CONSOLE" in line and "icscheck-console-marker" in line for line in done.stderr.splitlines())


def test_the_text_grid_keeps_every_word_in_order_within_the_width():
    """The full listing lays out its long tables as text: every word of a cell kept, in order, lines within the width."""
    import io
    import random
    import re

    from rich.console import Console

    from icscheck.textreport import _grid

    rng = random.Random(3)
    words = ["alpha", "b", "gamma-delta", "x" * 30, "long_identifier_with_underscores", "(file.yaml:12)", "'quoted'", "—"]
    for _ in range(200):
        rows = []
        for _ in range(rng.randint(1, 4)):
            parts = [(" ".join(rng.choice(words) for _ in range(rng.randint(0, 25))), rng.choice(["", "bold"])) for _ in range(rng.randint(1, 3))]
            rows.append(([("GAP  ", "red"), ("RULE-1", "bold")], parts))
        width = rng.randint(60, 120)
        buffer = io.StringIO()
        Console(file=buffer, width=width, color_system=None).print(_grid(rows, width))
        out = buffer.getvalue()
        for _, parts in rows:
            assert re.sub(r"\s+", "", "".join(text for text, _ in parts)) in re.sub(r"\s+", "", out)
        assert all(len(line) <= width for line in out.splitlines())


def _greedy(text: str, room: int) -> list[tuple[int, int]]:
    """The greedy word wrap, word by word: a line takes each next word that ends within the room of its start."""
    lines: list[tuple[int, int]] = []
    begin = end = None
    for word in re.finditer(r"\S+", text):
        w_start, w_end = word.span()
        while w_end - w_start > room:  # a word longer than a line: cut it
            if begin is not None:
                lines.append((begin, end))
                begin = None
            lines.append((w_start, w_start + room))
            w_start += room
        if begin is None:
            begin, end = w_start, w_end
        elif w_end - begin <= room:
            end = w_end
        else:
            lines.append((begin, end))
            begin, end = w_start, w_end
    if begin is not None:
        lines.append((begin, end))
    return lines or [(0, 0)]


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(text=st.lists(st.sampled_from(["a", "bb", "x" * 9, " ", "  ", "\u3000", "東"]), max_size=60).map("".join), room=st.integers(1, 25))
def test_the_grid_wraps_greedily(text, room):
    assert textreport._wrap(text, room) == _greedy(text, room)

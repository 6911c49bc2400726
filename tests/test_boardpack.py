"""The HTML report as a board pack, and the regional dashboard: what they hold, and how they look in a browser
and on paper (headless Chromium; those tests skip where it is not installed)."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pypdf
import pytest

from icscheck import api, report
from icscheck.boardpack import finding_anchor, rule_anchor
from icscheck.fixture import load_fixture
from icscheck.report import counts_by_strength
from icscheck.rules import PARAPHRASE_LABEL, load_rules

from conftest import CHROMIUM, CHROMIUM_FLAGS, CP, EXEMPLAR, PLANTED, REAL_FIXTURES, RULES

RULEBOOK = load_rules([RULES])
#: The most A4 pages the Cambridgeshire and Peterborough 2021 report may print on.
MAX_PAGES = 22


def _result(path, **kwargs):
    return api.check_fixture(load_fixture(path), RULEBOOK, "python", **kwargs)


@pytest.fixture(scope="module")
def cp():
    return _result(CP)


@pytest.fixture(scope="module")
def cp_html(cp):
    return report.to_html(cp)


class _Page(HTMLParser):
    """Every element's tag, attributes and position; the text inside each element with an id; tables' structure."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.tables: list[dict] = []
        self._open: list[tuple[str, str | None]] = []
        self.text_of: dict[str, list[str]] = {}
        self._section: list[str] = []
        self._in_thead = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.elements.append((tag, a))
        if a.get("id"):
            self.ids.append(a["id"])
            self.text_of[a["id"]] = []
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        if tag == "table":
            self.tables.append({"caption": False, "header_cells": [], "class": a.get("class") or ""})
        elif tag == "caption" and self.tables:
            self.tables[-1]["caption"] = True
        elif tag == "thead":
            self._in_thead = True
        elif tag == "th" and self.tables:
            self.tables[-1]["header_cells"].append((self._in_thead, a.get("scope")))
        if tag not in ("br", "col", "meta", "img", "input", "link", "hr", "wbr"):
            self._open.append((tag, a.get("id")))

    def handle_endtag(self, tag):
        if tag == "thead":
            self._in_thead = False
        while self._open:
            t, _ = self._open.pop()
            if t == tag:
                break

    def handle_data(self, data):
        for _, ident in self._open:
            if ident:
                self.text_of[ident].append(data)

    def text(self, ident: str) -> str:
        return " ".join("".join(self.text_of[ident]).split())


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _cards(page: _Page) -> list[tuple[str, str]]:
    """The finding cards in document order: (id, class)."""
    return [(a["id"], a.get("class") or "") for tag, a in page.elements if tag == "article" and "card" in (a.get("class") or "")]


# -- what the report holds -------------------------------------------------------------------------------


def test_every_link_in_the_report_lands_on_something_in_it(cp_html):
    page = _parse(cp_html)
    assert len(page.ids) == len(set(page.ids)), "ids are unique"
    internal = [h[1:] for h in page.hrefs if h.startswith("#")]
    assert internal, "the report links within itself"
    assert not sorted(set(internal) - set(page.ids))
    for section in ("summary", "maturity", "arrangements", "roadmap", "gaps", "system", "evidence", "freedoms", "sources", "rules"):
        assert f"#{section}" in page.hrefs, f"the contents list links to {section}"


@pytest.mark.parametrize("frameworks", [("planning",), ("operating-arrangements", "governance")])
def test_a_report_of_some_rules_keeps_the_whole_roadmap_and_every_link_lands(frameworks):
    """The scores (and so the roadmap) read every rule; a rule the selection leaves out is named, not linked."""
    result = api.check(CP, frameworks=frameworks)
    page = _parse(report.to_html(result))
    internal = [h[1:] for h in page.hrefs if h.startswith("#")]
    assert not sorted(set(internal) - set(page.ids))
    assert "selection leaves out" in report.to_html(result)


def test_totals_panel_counts_gaps_and_not_evidenced_by_strength_and_beyond_the_target(cp, cp_html):
    counted = counts_by_strength(cp)
    beyond = counts_by_strength(cp, beyond=True)
    panel = cp_html.split('<table class="totals">')[1].split("</table>")[0]
    for status, label in (("gap", "Gaps"), ("unknown", "Not evidenced (to evidence)"), ("pass", "Passed"), ("waived", "Waived")):
        row = re.search(rf'<tr class="t-{status}"><th scope="row">{re.escape(label)}</th>(.*?)</tr>', panel)
        assert row, status
        cells = re.findall(r">(\d+)</td>", row.group(1))
        expected = [counted[status][s] for s in ("must", "should", "may")]
        assert [int(c) for c in cells] == [*expected, sum(expected), sum(beyond[status].values())], status
    assert beyond["gap"]["must"] == 6 and sum(counted["gap"].values()) == 30  # C&P 2021: 30 gaps counted, 6 beyond the target


def test_every_gap_is_a_card_grouped_by_framework_and_domain_must_before_should(cp, cp_html):
    page = _parse(cp_html)
    cards = _cards(page)
    listed = [f for f in cp.findings if f.status in ("gap", "error", "waived", "info")]
    assert sorted(i for i, _ in cards) == sorted(finding_anchor(f) for f in listed)
    strengths = {r.id: r.spec.strength for r in cp.rules}
    by_anchor = {finding_anchor(f): f for f in listed}
    gaps_section = cp_html.split('<section id="gaps"')[1].split("</section>")[0]
    groups = re.split(r'<h3 class="group-h" id="', gaps_section)[1:]
    assert len(groups) >= 5
    for group in groups:
        order = [strengths[by_anchor[a].rule_id] for a in re.findall(r'<article class="card [^"]*" id="([^"]+)"', group)]
        assert order == sorted(order, key=("must", "should", "may").index), order
    for ident, cls in cards:
        f = by_anchor[ident]
        assert strengths[f.rule_id] in cls.split() and f.status in cls.split()
        card = page.text(ident)
        assert f.rule_id in card and f.message.split(":")[0][:60] in card
        assert "Evidence cited:" in card
    must, should = next(c for _, c in cards if "must" in c.split()), next(c for _, c in cards if "should" in c.split())
    assert must != should, "must and should gaps look different"


def test_findings_not_evidenced_are_listed_to_evidence_never_as_gaps(cp, cp_html):
    page = _parse(cp_html)
    unknown = [f for f in cp.findings if f.status == "unknown"]
    card_ids = {i for i, _ in _cards(page)}
    rows = {a["id"] for tag, a in page.elements if tag == "tr" and a.get("id")}
    for f in unknown:
        assert finding_anchor(f) not in card_ids
        assert finding_anchor(f) in rows
    evidence = cp_html.split('<section id="evidence"')[1].split("</section>")[0]
    assert "card" not in evidence and "st-gap" not in evidence
    assert "not a gap" in evidence


def test_every_finding_links_to_its_rule_entry_with_requirement_source_and_words(cp, cp_html):
    page = _parse(cp_html)
    rules = {r.id: r for r in cp.rules}
    shown = {f.rule_id for f in cp.findings if f.status in ("gap", "error", "waived", "info", "unknown")}
    for rule_id in shown:
        anchor = rule_anchor(rule_id)
        assert f'href="#{anchor}"' in cp_html
        entry = page.text(anchor)
        source = rules[rule_id].spec.source
        assert " ".join(source.paragraph.split()) in entry, rule_id
        assert " ".join(source.requirement.split()).rstrip(".") in entry or " ".join(rules[rule_id].spec.title.split()) in entry
        if source.quote:
            assert " ".join(source.quote.split()) in entry or "The same words as" in entry, rule_id
    sources = cp_html.split("<caption>Source documents</caption>")[1].split("</table>")[0]
    assert "Designing integrated care systems (ICSs) in England: ICS maturity matrix (NHS England and NHS Improvement, June 2019)" in sources
    # each finding's row or card shows the documents' words
    vision = next(f for f in cp.findings if f.rule_id == "MM-LEAD-M2")
    assert "In the documents' words:" in page.text(finding_anchor(vision))


def test_a_paraphrased_source_is_marked_as_such():
    result = _result(CP, as_of=dt.date(2023, 1, 1))  # the Health and Care Act 2022 rules are in force
    html = report.to_html(result)
    page = _parse(html)
    paraphrased = [r for r in result.rules if r.spec.source.paraphrase and result.summary.by_rule[r.id]["unknown"]]
    assert paraphrased
    for rule in paraphrased:
        entry = page.text(rule_anchor(rule.id))
        assert f"{PARAPHRASE_LABEL}: {' '.join(rule.spec.source.paraphrase.split())}" in entry
        assert "\u201c" + rule.spec.source.paraphrase not in html, "a paraphrase is never shown as a quote"


def test_tables_have_captions_and_scoped_header_cells(cp_html):
    page = _parse(cp_html)
    assert len(page.tables) >= 8
    for table in page.tables:
        assert table["caption"], table
        assert table["header_cells"], table
        assert all(scope in ("col", "row", "rowgroup", "colgroup") for _, scope in table["header_cells"]), table
        assert all(scope == "col" for in_thead, scope in table["header_cells"] if in_thead), table


def test_the_report_loads_nothing_and_runs_no_script(cp_html):
    page = _parse(cp_html)
    assert 'content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:"' in cp_html
    assert not [t for t, _ in page.elements if t in ("script", "img", "iframe", "object", "embed", "link")]
    assert not [a for _, a in page.elements if any(k.startswith("on") or k == "src" for k in a)]
    assert "@import" not in cp_html and "url(" not in cp_html


@pytest.mark.parametrize("path", [*REAL_FIXTURES, PLANTED, EXEMPLAR], ids=lambda p: p.stem)
def test_the_report_is_deterministic(path):
    assert report.to_html(_result(path)) == report.to_html(_result(path))


def test_a_system_with_no_gaps_says_so():
    html = report.to_html(_result(EXEMPLAR))
    assert "<p>No gaps.</p>" in html and "Every rule could be decided" in html


# -- the regional dashboard -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def batch_dir(tmp_path_factory):
    from click.testing import CliRunner

    from icscheck.cli import main

    out = tmp_path_factory.mktemp("batch")
    done = CliRunner().invoke(main, ["batch", str(CP.parent), "-o", str(out), "--engine", "python"], catch_exceptions=False)
    assert done.exit_code in (0, 1), done.stderr
    return out


def test_batch_writes_the_dashboard_and_each_systems_report(batch_dir):
    names = {p.name for p in batch_dir.iterdir()}
    assert "regional.html" in names
    for fixture in REAL_FIXTURES:
        assert f"{fixture.stem}.html" in names


def test_dashboard_links_land_on_the_systems_reports(batch_dir):
    html = (batch_dir / "regional.html").read_text()
    page = _parse(html)
    assert not sorted({h[1:] for h in page.hrefs if h.startswith("#")} - set(page.ids))
    external = [h for h in page.hrefs if not h.startswith("#")]
    assert external
    for href in external:
        assert href.startswith("./") and "://" not in href
        name, _, fragment = href[2:].partition("#")
        target = batch_dir / name
        assert target.is_file(), href
        if fragment:
            assert f'id="{fragment}"' in target.read_text(), href


def test_dashboard_holds_heatmap_rag_grid_readiness_and_common_gaps(batch_dir):
    html = (batch_dir / "regional.html").read_text()
    page = _parse(html)
    results = [_result(p) for p in sorted(REAL_FIXTURES)]
    for result in results:
        system = result.fixture.description.system
        assert f"ODS {system.ods_code} · as of {result.as_of.isoformat()}" in html
    verdicts = [r.summary.readiness.verdict for r in results]
    for verdict in ("ready", "not ready", "undetermined"):
        tile = re.search(rf'<span class="n">(\d+)</span> {verdict}<', html)
        assert tile and int(tile.group(1)) == verdicts.count(verdict), verdict
    heat = html.split('<table class="heat">')[1].split("</table>")[0]
    assert heat.count("<tr>") == 1 + len(results)
    assert "stage-emerging" in heat and "state-ne" in heat
    grid = html.split('<table class="rag-grid">')[1].split("</table>")[0]
    assert grid.count('class="rag rag-') == 7 * len(results)
    assert 'rag rag-G"' in grid  # C&P 2021's system capabilities
    common = html.split('<section id="common"')[1].split("</section>")[0]
    assert "MM-ARCH-M3" in common and "PLAN-005" in common
    assert all(t["caption"] for t in page.tables)


def test_dashboard_escapes_every_description_value(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    text = PLANTED.read_text().replace("name: Planted-gaps ICS (synthetic)", 'name: "<script>alert(1)</script><b onmouseover=x>ICS</b>"')
    (folder / "hostile.yaml").write_text(text)
    html = report.regional_html([_result(folder / "hostile.yaml")], "maturing", ["java script:x\".html"])
    page = _parse(html)
    assert not [t for t, _ in page.elements if t in ("script", "b", "img")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not [a for _, a in page.elements if any(k.startswith("on") for k in a)]
    assert all(h.startswith(("#", "./")) for h in page.hrefs)
    assert 'href="./java%20script%3Ax%22.html"' in html


def test_dashboard_is_deterministic(batch_dir, tmp_path):
    results = [_result(p) for p in sorted(REAL_FIXTURES)]
    links = [f"{p.stem}.html" for p in sorted(REAL_FIXTURES)]
    assert report.regional_html(results, "maturing", links) == report.regional_html(results, "maturing", links)


# -- as people see it: headless Chromium ------------------------------------------------------------------

needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)")
FLAGS = CHROMIUM_FLAGS


def _chromium(tmp_path: Path, page: Path, *extra: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{page.stem}"
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
    )


def _page_requests(net_log: Path) -> list[str]:
    """The requests a page made (the browser's own, for updates and the like, have no origin)."""
    events = json.loads(net_log.read_text())["events"]
    return sorted(
        {e["params"]["url"] for e in events if "url" in (e.get("params") or {}) and e["params"].get("initiator", "not an origin") != "not an origin"}
    )


def _render(tmp_path: Path, page: Path) -> tuple[str, list[str], list[str]]:
    """Open a page: its DOM, the console messages, and the requests it made; and write a screenshot beside it."""
    net_log = tmp_path / f"{page.stem}.netlog.json"
    done = _chromium(tmp_path, page, "--dump-dom", f"--log-net-log={net_log}")
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line]
    shot = tmp_path / f"{page.stem}.png"
    _chromium(tmp_path, page, f"--screenshot={shot}", "--window-size=1300,3000")
    assert shot.is_file() and shot.stat().st_size > 20_000, "a screenshot for review"
    return done.stdout, console, _page_requests(net_log)


@needs_chromium
def test_the_request_check_sees_a_request(tmp_path):
    """The browser tests read the page's requests from chromium's net log; make sure they would see one."""
    page = tmp_path / "leaky.html"
    page.write_text('<html><body><img src="http://icscheck-probe.invalid/x.png"></body></html>')
    net_log = tmp_path / "leaky.netlog.json"
    _chromium(tmp_path, page, "--dump-dom", f"--log-net-log={net_log}")
    assert _page_requests(net_log) == ["http://icscheck-probe.invalid/x.png"]


@needs_chromium
def test_the_report_renders_with_no_console_errors_and_no_requests(tmp_path, cp_html):
    page = tmp_path / "report.html"
    page.write_text(cp_html)
    dom, console, requests = _render(tmp_path, page)
    assert not console, console
    assert not requests, requests
    assert "Designation readiness" in dom and "<svg" in dom and 'id="rules"' in dom


@needs_chromium
def test_the_dashboard_renders_with_no_console_errors_and_no_requests(tmp_path, batch_dir):
    page = tmp_path / "regional.html"
    shutil.copy(batch_dir / "regional.html", page)
    dom, console, requests = _render(tmp_path, page)
    assert not console, console
    assert not requests, requests
    assert "Regional dashboard" in dom and 'class="heat"' in dom


@needs_chromium
def test_the_report_prints_on_a4_in_few_pages_with_every_gap(tmp_path, cp, cp_html):
    page = tmp_path / "report.html"
    page.write_text(cp_html)
    pdf = tmp_path / "report.pdf"
    done = _chromium(tmp_path, page, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert pdf.is_file(), done.stderr[-2000:]
    reader = pypdf.PdfReader(pdf)
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297), "A4"
    assert len(reader.pages) <= MAX_PAGES, f"{len(reader.pages)} pages"
    text = "".join("".join(p.extract_text().split()) for p in reader.pages)
    gaps = sorted({f.rule_id for f in cp.findings if f.status == "gap"})
    assert len(gaps) == 36
    assert not [rule_id for rule_id in gaps if rule_id not in text], "every gap is in the printed report"
    assert text.count("GAP") >= len([f for f in cp.findings if f.status == "gap"]), "every gap card is printed"


def test_the_html_report_does_not_depend_on_the_hash_seed(tmp_path):
    """The system picture is laid out from the graph alone: two processes with other hash seeds write the same bytes."""
    import os
    import subprocess
    import sys

    from conftest import CP

    outputs = []
    for seed in ("1", "2024"):
        out = tmp_path / f"cp-{seed}.html"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-m", "icscheck", "check", str(CP), "--engine", "python", "--format", f"html={out}"],
            capture_output=True, text=True, env=env, check=False,
        )
        assert done.returncode in (0, 1), done.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_pages_joined_as_they_go_are_the_rendered_page(cp):
    """The board pack is written from the template's pieces a few hundred at a time: the same text as
    rendering it whole, however many pieces there are and whichever of them are empty."""
    from icscheck.boardpack import report_context, report_html, written
    from icscheck.templating import html_environment

    assert written(iter(["a", "", "<b>", ""] * 1001)) == "a<b>" * 1001
    assert written(iter([])) == ""
    assert report_html(cp) == html_environment().get_template("report.html.j2").render(**report_context(cp))


def test_the_picture_draws_every_subject_and_link_and_names_them_escaped(tmp_path):
    """One shape and one number per subject of the picture, one line per link; names, and the rules with gaps,
    are written (escaped) in each subject's title and in the legend, never in the drawing."""
    from icscheck.graph import picture_graph

    text = PLANTED.read_text().replace("{id: west, name: West,", '{id: west, name: "West <b>&amp;</b> \u202eend",', 1)
    path = tmp_path / "planted.yaml"
    path.write_text(text)
    result = _result(path)
    picture = picture_graph(result.graph)
    svg = report.picture_svg(result)
    drawing = svg.split("</svg>")[0]
    assert drawing.count("<line ") == picture.number_of_edges()
    assert drawing.count("<g>") == drawing.count("<text ") == picture.number_of_nodes()
    assert drawing.count("<circle ") + drawing.count("<rect ") + drawing.count("<polygon ") == picture.number_of_nodes()
    shown = "West &lt;b&gt;&amp;amp;&lt;/b&gt; &lt;U+202E&gt;end"
    assert f". {shown} (place) — gaps: IC-PLACE-005</title>" in drawing
    assert f"{shown} <span class=\"small\">(place; gaps: IC-PLACE-005)</span></li>" in svg
    assert "<b>" not in svg and "\u202e" not in svg
    for element in re.findall(r"<(?:line|circle|rect|polygon|text) [^>]*>", drawing):
        assert re.fullmatch(r'<[a-z]+( [a-z0-9-]+="[-0-9., #a-z]*")+/?>', element), element

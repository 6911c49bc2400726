"""The full listing without colour (the ``.txt`` reports, ``--full`` piped) is made without rich's console
for its large parts; rich's own rendering of the same listing is the oracle: the text must be the same,
character for character, for every bundled fixture and for hostile text (long unbroken words, wide and
combining characters, emoji, control characters, long names) at several widths."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Group
from rich.text import Text

from icscheck import api, cli, textreport
from icscheck.fixture import load_fixture
from icscheck.rules import load_rules

from conftest import ALL_FIXTURES, PLANTED, RULES

RULEBOOK = load_rules([RULES])
WIDTHS = (100, 61, 30)
SETTINGS = settings(
    max_examples=300, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow],
)


def _result(path):
    return api.check_fixture(load_fixture(path), RULEBOOK, "python")


def _rich(renderable, width: int) -> str:
    """What the command line prints without colour, laid out by rich's console."""
    return cli._render(renderable, False, width)


def _same(result, widths=WIDTHS) -> None:
    for width in widths:
        assert textreport.full_text(result, width) == _rich(textreport.full_view(result, width), width), width


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=lambda p: p.stem)
def test_the_plain_listing_is_what_rich_prints_for_every_fixture(path):
    _same(_result(path))


def test_the_txt_report_and_the_piped_listing_are_the_plain_listing():
    result = _result(PLANTED)
    expected = _rich(textreport.full_view(result), cli.FILE_WIDTH)
    assert cli._stem_outputs(result, "x")["x.txt"] == expected
    assert cli._format(result, "text", False, cli.FILE_WIDTH, {"view": "full"}) == expected


HOSTILE = "\x1b[31mRED\u202eevil\x01 <script> | cell | `tick`\n# heading\r\x07\t https://evil.example"
ADVERSARIAL = {  # the system's name, one place's, and another's (also a council's)
    "control characters": (HOSTILE, HOSTILE, "=HYPERLINK(\"x\")\x00\x7f\x9b"),
    "wide characters and emoji": ("東京統合ケアシステム🏥" * 12, "東区" * 70, "西区 🏥🚑 病院 " * 15),
    "long unbroken words": ("L" * 260, "W" * 250, "supercalifragilistic" * 12 + " short " + "x" * 99),
    "combining marks and flags": ("Cafe\u0301 " * 40, "e\u0301" * 120, "nai\u0308ve\ufe0f " * 30 + "🇬🇧" * 40),
    "long names": ("A very long system name " * 20, "East " + "place name with many words " * 10, "W" * 95 + " V"),
    "a wide character at the edge": ("x" * 98 + "東京" + "y" * 10, "a" * 97 + "東" + "b" * 30, "ab" * 48 + "🏥🏥" + "z" * 10),
}


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar: every character that is not printable written as an escape."""
    return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\U{ord(c):08x}" for c in text) + '"'


def _adversarial(tmp_path, system: str, east: str, west: str):
    text = PLANTED.read_text()
    for old, new in (
        ("name: Planted-gaps ICS (synthetic)", f"name: {_quoted(system)}"),
        ("{id: east, name: East,", f"{{id: east, name: {_quoted(east)},"),
        ("{id: west, name: West,", f"{{id: west, name: {_quoted(west)},"),
        ("name: Exemplar acute and ambulance collaborative", f"name: {_quoted(east + ' collaborative')}"),
        ("{id: x-county, name: Exemplar County Council,", f"{{id: x-county, name: {_quoted(west + ' council')},"),
    ):
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "adversarial.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("case", ADVERSARIAL)
def test_the_plain_listing_is_what_rich_prints_for_hostile_text(tmp_path, case):
    result = _result(_adversarial(tmp_path, *ADVERSARIAL[case]))
    _same(result, (100, 41))


# -- the parts, against rich, on any text ---------------------------------------------------------

PIECES = [
    "a", "word", "x" * 30, " ", "  ", "\u3000", "\u00a0", "東", "京都", "🏥", "🇬🇧", "e\u0301", "\u0301", "\u200d", "\ufe0f",
    "·", "—", "\x1b", "\x07", "\r", "\t", "\x0b", "\x7f", "\u202e", "-", "'",
]
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


styled_texts = st.lists(st.tuples(texts, st.sampled_from(["", "bold", "dim"])), min_size=1, max_size=3)


@SETTINGS
@given(pieces=styled_texts, style=st.sampled_from(["", "dim"]), width=st.integers(3, 50))
def test_a_line_of_text_wraps_as_rich_wraps_it(pieces, style, width):
    text = Text.assemble(*pieces, style=style)
    assert textreport._plain_text([text], width) == _rich(Group(text), width)


def test_the_ordinary_characters_are_one_cell_wide_and_kept_by_a_text():
    ordinary = [chr(c) for c in range(0x3000) if not textreport._NOT_ORDINARY.match(chr(c)) and c != 10]
    assert len(ordinary) > 700
    assert all(cell_len(char) == 1 and Text(char).plain == char for char in ordinary)


cells = st.lists(st.tuples(texts.map(lambda text: text[:12]), st.sampled_from(["", "bold", "red"])), max_size=3)


@SETTINGS
@given(rows=st.lists(st.tuples(cells, styled_texts), min_size=1, max_size=4), width=st.integers(3, 50))
def test_a_grid_without_styles_is_the_styled_grid_as_rich_prints_it(rows, width):
    plain = textreport._plain_text([textreport._grid_plain(rows, width)], width)
    assert plain == _rich(Group(textreport._grid(rows, width)), width)

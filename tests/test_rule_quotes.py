"""A rule's quote is its source's own words: checked against the source texts when they are beside the project.

The source documents lie in ``shared/seeds/`` next to the repository (as in CI).  Quotes and sources are
compared after normalising what extraction changes: markup (HTML tags, Markdown emphasis and links),
table separators, bullets, quotation marks, dashes, hyphenation, case and whitespace.  Rules whose
document is not among the sources carry a ``paraphrase`` instead, which is not checked.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from icscheck.rules import load_rules, rule_files

from conftest import ROOT, RULES

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
LOCAL_PACKS = sorted(p for p in (ROOT / "rules-local").iterdir() if p.is_dir())
RULEBOOK = load_rules([RULES, *LOCAL_PACKS])

QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00a0": " "})


def normalise(text: str) -> str:
    text = html.unescape(text)
    text = re.sub(r"<[^>]+>", " ", text)  # HTML list markup in table cells
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # Markdown links
    text = text.translate(QUOTES)
    text = re.sub(r"[*_`|\t\u2022]", " ", text)  # emphasis, table separators, bullets
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)  # words broken across lines
    text = re.sub(r"\s*-\s*", "-", text)
    text = text.replace("-", " ")  # 'clinically-led' and 'clinically led' are the same words
    text = re.sub(r"[\s\"']+", " ", text)
    text = re.sub(r" ([,.;:)])", r"\1", text)  # emphasis markers left a space before punctuation
    return text.strip().lower().rstrip(".;:, ")


@pytest.fixture(scope="module")
def sources() -> str:
    if not SEEDS.is_dir():
        pytest.skip(f"the source texts are not beside the project ({SEEDS}); quotes cannot be checked here")
    return "\n".join(normalise(p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt")))


def _cited(rule):
    yield "source", rule.spec.source
    for i, cite in enumerate(rule.spec.also_cites):
        yield f"also_cites[{i}]", cite


@pytest.mark.parametrize("rule", RULEBOOK, ids=lambda r: r.id)
def test_quote_is_in_the_source(rule, sources):
    for where, cite in _cited(rule):
        if cite.quote:
            assert normalise(cite.quote) in sources, f"{rule.id} {where}: the quote is not the source's words: {cite.quote!r}"


@pytest.mark.parametrize("rule", RULEBOOK, ids=lambda r: r.id)
def test_paraphrase_only_for_documents_outside_the_sources(rule):
    outside = ("Health and Care Act", "Integrated care systems: design framework", "Working together at scale")
    for where, cite in _cited(rule):
        if cite.paraphrase:
            assert cite.document.startswith(outside), f"{rule.id} {where}: a document among the sources is quoted, not paraphrased"
        elif where == "source":
            assert not cite.document.startswith(outside), f"{rule.id}: {cite.document} is not among the sources: use paraphrase"


def test_normalising_keeps_words_and_drops_markup():
    assert normalise("<p>Plans **must** be\tclinically-led.</p>") == normalise("Plans must be clinically led")
    assert normalise("the \u2018place\u2019 \u2013 level") == normalise("the 'place' - level")
    assert normalise("[NHS planning guidance](#) for 2020/21") == "nhs planning guidance for 2020/21"


def test_rule_files_all_loaded():
    assert len(RULEBOOK) == len(rule_files(RULES)) + sum(len(rule_files(p)) for p in LOCAL_PACKS)

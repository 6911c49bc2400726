"""Checking a description's quotes against the source documents themselves.

A claim may cite an evidence item with the words it rests on
(``evidence: [{id: ..., quote: "...", locator: "..."}]``), and an evidence
item may carry a ``quote`` of its own.  Given a folder of the documents, each
quote is looked for in the document of its evidence item and reported as:

* ``found``: it occurs verbatim in the document's text;
* ``normalised``: it occurs once whitespace, quotation marks, dashes and
  hyphens, line-end hyphenation, letter case and markup (HTML tags and
  entities, Markdown emphasis, links, headings and table bars) are made alike;
* ``not_found``: it does not occur; the nearest passage is given;
* ``no_document``: no document in the folder is the evidence item's.

A document is the evidence item's when its file name is the item's
``document``; an item without one is matched by title (a file whose name,
less its suffix, reads as the title, or else the one document whose opening
contains the title).  Documents may be plain text, Markdown, HTML or PDF.

Everything here is pure and deterministic: the CLI prints the result.
"""

from __future__ import annotations

import difflib
import html
import re
import unicodedata
from bisect import bisect_right
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from .errors import InputError, Location
from .fixture import Fixture
from .model import Cited, EvidenceItem
from .yamlsource import read_limited

QuoteStatus = Literal["found", "normalised", "not_found", "no_document"]
STATUSES: tuple[QuoteStatus, ...] = ("found", "normalised", "not_found", "no_document")
TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml", ".csv", ".tsv", ""})
PDF_SUFFIXES = frozenset({".pdf"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
#: The largest source document read (100 MiB).
MAX_DOCUMENT_BYTES = 100 * 1024 * 1024
TITLE_WINDOW = 3000  # characters of a document's opening searched for an item's title

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d"), "-")
_QUOTES = {
    **dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u2032\u0060\u00b4"), "'"),
    **dict.fromkeys(map(ord, "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"), '"'),
}
_SOFT = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\ufeff"), None)
_TAG = re.compile(r"<(?:[a-zA-Z/!?][^<>]*)>")
_INLINE = re.compile(r"</?(?:a|abbr|b|bdi|bdo|cite|code|data|dfn|em|font|i|kbd|mark|q|s|samp|small|span|strong|sub|sup|time|u|var)\b[^<>]*>", re.IGNORECASE)
_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_MARKERS = str.maketrans("", "", "*_`-")
_NOISE = re.compile(r"^[#>•·▪◦‣+=~:|]+$")


@dataclass(frozen=True)
class Spot:
    """Where in a document: a page (PDF only) and a line (1-based)."""

    page: int | None
    line: int

    def __str__(self) -> str:
        return f"page {self.page}, line {self.line}" if self.page is not None else f"line {self.line}"


@dataclass(frozen=True)
class Nearest:
    """The passage of the document most like a quote that was not found."""

    passage: str
    similarity: float
    at: Spot


@dataclass(frozen=True)
class QuoteResult:
    """The verdict on one quote of a description."""

    line: int
    where: str
    evidence: str
    quote: str
    locator: str | None
    document: str | None
    status: QuoteStatus
    at: Spot | None = None
    nearest: Nearest | None = None
    note: str | None = None

    def as_dict(self) -> dict:
        out = asdict(self)
        out["at"] = str(self.at) if self.at else None
        if self.nearest:
            out["nearest"] = {"passage": self.nearest.passage, "similarity": self.nearest.similarity, "at": str(self.nearest.at)}
        return out


@dataclass(frozen=True)
class QuotesReport:
    """Every quote of one description, checked against one folder of documents."""

    file: str
    documents: str
    results: tuple[QuoteResult, ...]
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def all_found(self) -> bool:
        return all(r.status in ("found", "normalised") for r in self.results)

    def as_dict(self) -> dict:
        return {"file": self.file, "documents": self.documents, "totals": self.totals, "quotes": [r.as_dict() for r in self.results]}


# --- documents -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    text: str  # as the document shows it (markup removed)
    canon: str  # compared form
    at: Spot


@dataclass
class Document:
    """One source document: its text (pages) and its words in compared form."""

    name: str
    pages: tuple[str, ...]
    is_pdf: bool
    tokens: list[Token] = field(default_factory=list)
    canon: str = ""
    starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        tokens: list[Token] = []
        for number, page in enumerate(self.pages, start=1):
            for line_no, line in enumerate(_clean(page).split("\n"), start=1):
                spot = Spot(number if self.is_pdf else None, line_no)
                for word in _line_words(line):
                    canon = canonical_word(word)
                    if not canon:
                        continue
                    previous = tokens[-1] if tokens else None
                    if (
                        previous is not None
                        and previous.at.line != line_no
                        and previous.text.endswith("-")
                        and len(previous.text) > 1
                        and previous.text[-2].isalpha()
                        and word[:1].isalpha()
                    ):  # a word hyphenated across a line end
                        tokens[-1] = Token(previous.text[:-1] + word, previous.canon + canon, previous.at)
                        continue
                    tokens.append(Token(word, canon, spot))
        self.tokens = tokens
        offset, starts = 0, []
        for token in tokens:
            starts.append(offset)
            offset += len(token.canon) + 1
        self.starts = starts
        self.canon = " ".join(t.canon for t in tokens)

    def token_at(self, offset: int) -> int:
        return max(0, bisect_right(self.starts, offset) - 1)

    def exact(self, quote: str) -> Spot | None:
        for number, page in enumerate(self.pages, start=1):
            index = page.find(quote)
            if index >= 0:
                return Spot(number if self.is_pdf else None, page.count("\n", 0, index) + 1)
        return None

    def normalised(self, quote: str) -> Spot | None:
        target = canonical_text(quote)
        index = self.canon.find(target) if target else -1
        return self.tokens[self.token_at(index)].at if index >= 0 else None

    def nearest(self, quote: str) -> Nearest | None:
        """The window of the document's words most like the quote (ties: the earliest)."""
        wanted = [canonical_word(w) for w in _line_words(_clean(quote))]
        wanted = [w for w in wanted if w]
        if not wanted or not self.tokens:
            return None
        size, pool = len(wanted), set(wanted)
        hits = [0]
        for token in self.tokens:
            hits.append(hits[-1] + (token.canon in pool))
        last = max(0, len(self.tokens) - size)
        overlap = sorted(range(last + 1), key=lambda i: (-(hits[min(i + size, len(self.tokens))] - hits[i]), i))[:12]
        target = " ".join(wanted)
        best: tuple[float, int, int] | None = None
        seen: set[tuple[int, int]] = set()
        for start in overlap:
            for begin in range(max(0, start - 3), min(last, start + 3) + 1):
                for length in (size, size + 1, size + 2):
                    end = min(len(self.tokens), begin + max(1, length))
                    if (begin, end) in seen:
                        continue
                    seen.add((begin, end))
                    ratio = difflib.SequenceMatcher(None, target, " ".join(t.canon for t in self.tokens[begin:end]), autojunk=False).ratio()
                    key = (round(ratio, 6), -begin, -end)
                    if best is None or key > (round(best[0], 6), -best[1], -best[2]):
                        best = (ratio, begin, end)
        assert best is not None
        ratio, begin, end = best
        passage = " ".join(t.text for t in self.tokens[begin:end])
        return Nearest(passage, round(ratio, 3), self.tokens[begin].at)


def _clean(text: str) -> str:
    """Markup out, characters made alike; line structure kept."""
    text = html.unescape(_strip_tags(text))
    text = _MD_LINK.sub(r"\1", text)
    text = unicodedata.normalize("NFKC", text).translate(_SOFT).translate(_DASHES).translate(_QUOTES)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("|", " ")


def _strip_tags(text: str) -> str:
    """Tags out (inline ones joined, others a space), line count kept; script and style dropped."""
    text = _SCRIPT.sub(lambda m: "\n" * m.group().count("\n"), text)
    text = _INLINE.sub(lambda m: "\n" * m.group().count("\n"), text)
    return _TAG.sub(lambda m: "\n" * m.group().count("\n") or " ", text)


def _line_words(line: str) -> list[str]:
    return line.split()


def canonical_word(word: str) -> str:
    """A word as compared: case folded, hyphens, dashes and emphasis markers dropped."""
    if _NOISE.match(word):
        return ""
    return word.casefold().translate(_MARKERS)


def canonical_text(text: str) -> str:
    words = (canonical_word(w) for w in _clean(text).split())
    return " ".join(w for w in words if w)


def _plain_text(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(Location(name, line), f"not UTF-8 text (byte 0x{raw[exc.start]:02x})") from None


def read_document(path: Path, name: str | None = None) -> Document:
    """Read a document as pages of text: PDF via pypdf, HTML without its markup, other files as text."""
    name = name or path.name
    suffix = path.suffix.lower()
    raw = read_limited(path, name, MAX_DOCUMENT_BYTES, "document")
    if suffix in PDF_SUFFIXES or raw.startswith(b"%PDF-"):
        return Document(name, _pdf_pages(raw, name), True)
    text = _plain_text(raw, name)
    if suffix in HTML_SUFFIXES:  # its text is what a reader sees: no markup, entities decoded
        text = html.unescape(_strip_tags(text))
    return Document(name, (text,), False)


def _pdf_pages(raw: bytes, name: str) -> tuple[str, ...]:
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            raise InputError(name, "the PDF is encrypted")
        return tuple(page.extract_text() or "" for page in reader.pages)
    except InputError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise InputError(name, f"cannot read the PDF ({type(exc).__name__}: {exc})") from None


# --- the description's quotes ---------------------------------------------------------------


@dataclass(frozen=True)
class QuoteSite:
    """One quote in a description, with where it is and what it cites."""

    path: tuple[str | int, ...]
    evidence: str
    quote: str
    locator: str | None


def _dotted(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def quote_sites(fixture: Fixture) -> list[QuoteSite]:
    """Every quote of a description, in file order: evidence items' own, then each claim's citations."""
    sites: list[QuoteSite] = []

    def walk(value: object, path: tuple[str | int, ...]) -> None:
        if isinstance(value, EvidenceItem):
            if value.quote:
                sites.append(QuoteSite(path + ("quote",), value.id, value.quote, value.section))
            return
        if isinstance(value, Cited):
            for index, citation in enumerate(value.citations):
                if citation.quote:
                    sites.append(QuoteSite(path + ("evidence", index, "quote"), citation.id, citation.quote, citation.locator))
        if isinstance(value, BaseModel):
            for name in type(value).model_fields:
                if name != "evidence" or not isinstance(value, Cited):
                    walk(getattr(value, name), path + (name,))
        elif isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                walk(item, path + (index,))

    walk(fixture.description, ())
    return sorted(sites, key=lambda s: (fixture.source.line(s.path), _dotted(s.path)))


def _slug(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKC", text).casefold()))


class Library:
    """A folder of source documents, read once each, matched to evidence items."""

    def __init__(self, folder: Path):
        if not folder.is_dir():
            raise InputError(str(folder), "is not a folder of documents")
        self.folder = folder
        self.files = sorted(
            p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".") and (p.suffix.lower() in TEXT_SUFFIXES | PDF_SUFFIXES)
        )
        self._read: dict[Path, Document] = {}

    def read(self, path: Path) -> Document:
        if path not in self._read:
            self._read[path] = read_document(path, path.name)
        return self._read[path]

    def match(self, item: EvidenceItem, fixture: Fixture, index: int) -> tuple[Path | None, str | None]:
        """The document of an evidence item and, when there is none, why."""
        if item.document:
            declared = Path(item.document)
            if declared.is_absolute() or ".." in declared.parts:
                where = fixture.source.location(("evidence", index, "document"))
                raise InputError(where, f"document '{item.document}' must be a file name inside the documents folder")
            path = self.folder / declared
            return (path, None) if path.is_file() else (None, f"document '{item.document}' is not in the folder")
        title = _slug(item.title)
        by_name = [p for p in self.files if _slug(p.stem) == title]
        if len(by_name) == 1:
            return by_name[0], None
        wanted = canonical_text(item.title)
        by_text = [p for p in self.files if wanted and wanted in canonical_text(self._opening(p))]
        if len(by_text) == 1:
            return by_text[0], None
        if len(by_text) > 1:
            return None, f"several documents open with the title '{item.title}': " + ", ".join(p.name for p in by_text)
        return None, f"no document is named or titled '{item.title}'; give the item a 'document'"

    def _opening(self, path: Path) -> str:
        return "\n".join(self.read(path).pages)[:TITLE_WINDOW]


def check_quotes(fixture: Fixture, folder: Path, folder_name: str | None = None) -> QuotesReport:
    """Verify every quote of a description against the documents in ``folder``."""
    library = Library(folder)
    items = {item.id: (index, item) for index, item in enumerate(fixture.description.evidence)}
    matched: dict[str, tuple[Path | None, str | None]] = {}
    results: list[QuoteResult] = []
    for site in quote_sites(fixture):
        line = fixture.source.line(site.path)
        index, item = items[site.evidence]
        if site.evidence not in matched:
            matched[site.evidence] = library.match(item, fixture, index)
        path, why = matched[site.evidence]
        base = dict(line=line, where=_dotted(site.path), evidence=site.evidence, quote=site.quote, locator=site.locator)
        if path is None:
            results.append(QuoteResult(**base, document=item.document, status="no_document", note=why))
            continue
        document = library.read(path)
        spot = document.exact(site.quote)
        if spot is not None:
            results.append(QuoteResult(**base, document=path.name, status="found", at=spot))
            continue
        spot = document.normalised(site.quote)
        if spot is not None:
            results.append(QuoteResult(**base, document=path.name, status="normalised", at=spot))
            continue
        results.append(QuoteResult(**base, document=path.name, status="not_found", nearest=document.nearest(site.quote)))
    totals = {status: sum(r.status == status for r in results) for status in STATUSES}
    totals["quotes"] = len(results)
    return QuotesReport(fixture.file, folder_name or str(folder), tuple(results), totals)


LABELS = {"found": "found", "normalised": "found after normalising", "not_found": "NOT FOUND", "no_document": "NO DOCUMENT"}


def render_text(report: QuotesReport, verbose: bool = True) -> str:
    """One line per quote (misses with their nearest passage), then the totals."""
    lines: list[str] = []
    for r in report.results:
        if not verbose and r.status in ("found", "normalised"):
            continue
        where = f" ({r.document}, {r.at})" if r.at else (f" ({r.document})" if r.document else "")
        lines.append(f"{report.file}:{r.line}: {LABELS[r.status]}: {r.evidence}{where}: \"{_short(r.quote)}\"")
        if r.nearest:
            lines.append(f"    nearest ({r.nearest.at}, similarity {r.nearest.similarity:.2f}): \"{_short(r.nearest.passage, 240)}\"")
        if r.note:
            lines.append(f"    {r.note}")
    t = report.totals
    lines.append(
        f"{report.file}: {t['quotes']} quotes: {t['found']} found, {t['normalised']} found after normalising, "
        f"{t['not_found']} not found, {t['no_document']} without their document"
    )
    return "\n".join(lines) + "\n"


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"

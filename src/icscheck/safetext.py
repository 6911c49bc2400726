"""Text from a description made safe for each output format.

A description (or a rule file, waiver file or report given on the command
line) is text a person wrote, and may hold anything: control characters,
terminal escape sequences, right-to-left overrides, Markdown, HTML, spreadsheet
formulas.  Every format shows it as the characters it is and never acts on it:

* :func:`visible` — terminal and text files: control and format characters
  (C0 and C1 controls, ESC, DEL, right-to-left overrides and other invisible
  formatting characters) are shown as ``\\x1b`` or ``<U+202E>``, never emitted;
* :func:`md_text` and :func:`md_code` — Markdown: text never becomes HTML, a
  link, a heading, emphasis or a table cell boundary;
* :func:`csv_cell` — CSV: a cell that a spreadsheet would read as a formula
  (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) is
  prefixed with ``'`` (OWASP's advice on CSV injection);
* :func:`xml_clean` — XML (JUnit, GraphML): characters XML 1.0 does not allow
  are shown as ``\\x01``, so the document is well formed;
* :func:`uri` — SARIF: a file name as a percent-encoded URI reference.

HTML is escaped by Jinja2's autoescaping; its templates also pass every value
through :func:`visible`, so a right-to-left override is shown, not obeyed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import quote

_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_CACHE: dict[str, str] = {}


def _show(char: str) -> str:
    shown = _CACHE.get(char)
    if shown is None:
        code = ord(char)
        shown = f"\\x{code:02x}" if code < 0x100 else f"<U+{code:04X}>"
        _CACHE[char] = shown
    return shown


def _needs(text: str) -> bool:
    return not text.isprintable()


def visible(value: object, keep_newlines: bool = False) -> str:
    """The text with every control or invisible formatting character shown as an escape."""
    text = str(value)
    if not _needs(text):  # fast path: isprintable() is false for every character we show
        return text
    out = []
    for char in text:
        if char == "\n" and keep_newlines:
            out.append(char)
        elif char != " " and unicodedata.category(char) in _INVISIBLE_CATEGORIES:
            out.append(_show(char))
        else:
            out.append(char)
    return "".join(out)


class MdSafe(str):
    """Markdown already made safe (by :func:`md_text` or :func:`md_code`): not escaped again."""


#: Always escaped: backslash, code, emphasis, links and images, HTML, table cells, strikethrough.
_MD_SPECIAL = re.compile(r"([\\`*\[\]<|~])")
#: An underscore opens or closes emphasis only at the edge of a word: ``to_be_developed`` is left alone.
_MD_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
#: An ampersand only matters where it starts an entity (``&lt;``, ``&#60;``).
_MD_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
#: At the start of a line: a heading, a quote, a list item, a setext underline.
_MD_LEADING = re.compile(r"^(?:[#>]|[-+] |=+$|-+$)")


#: Every character or sequence :func:`md_text` escapes anywhere in a line (the start of a line aside).
_MD_ACTS = re.compile(r"[\\`*\[\]<|~_&@]|://|www\.")


def md_text(value: object) -> MdSafe:
    """Text safe anywhere in a Markdown line, table cells included: shown as written, never as markup.

    Newlines become spaces (no new block can start); the punctuation Markdown acts on is
    backslash-escaped; bare web and e-mail addresses are broken up so that they are not made links.
    """
    if isinstance(value, MdSafe):
        return value
    text = str(value)
    # Most text has nothing to escape: no control, invisible or line-breaking character (isprintable),
    # nothing the escapes below act on, no block marker at its start.  It is shown as it is.
    if text.isprintable() and _MD_ACTS.search(text) is None and _MD_LEADING.match(text) is None:
        return MdSafe(text)
    return _md_escape(text)


@lru_cache(maxsize=4096)
def _md_escape(text: str) -> MdSafe:
    """:func:`md_text` in full; the same few texts (titles, messages) recur across a report's tables."""
    text = " ".join(visible(text, keep_newlines=True).splitlines())
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _MD_UNDERSCORE.sub(r"\\_", text)
    text = _MD_ENTITY.sub(r"\\&", text)
    text = text.replace("://", ":\\/\\/").replace("www.", "www\\.").replace("@", "\\@")
    if _MD_LEADING.match(text):
        text = "\\" + text
    return MdSafe(text)


def md_code(value: object) -> MdSafe:
    """Text as a Markdown code span (file names, ids): shown verbatim, safe in a table cell."""
    text = " ".join(visible(value, keep_newlines=True).splitlines()).replace("|", "\\|")
    run = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (run + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ") and text.strip()) else ""
    return MdSafe(f"{fence}{pad}{text}{pad}{fence}")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet will not run: text that starts like a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def xml_clean(text: str) -> str:
    """Serialised XML with the characters XML 1.0 forbids (and the invisible direction controls) shown as escapes."""
    return _XML_ILLEGAL.sub(lambda m: _show(m.group(0)).replace("<", "&lt;").replace(">", "&gt;"), text)  # text already XML


def uri(path: str) -> str:
    """A relative file name as a URI reference: every character that is not safe in one percent-encoded."""
    return quote(visible(path), safe="/")

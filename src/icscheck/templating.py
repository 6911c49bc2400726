"""The Jinja2 environments for Markdown (and other text) and HTML output.

Each environment is made once per process (and its templates compiled once, on first use): no
caller changes an environment after it is made, so sharing one changes nothing but the time.
"""

from __future__ import annotations

from functools import cache

import jinja2
from markupsafe import Markup

from .findings import render_value
from .safetext import MdSafe, md_code, md_text, visible


def md_cell(text: object) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def safe_url(url: object) -> bool:
    """Only web addresses become links; 'javascript:' and other schemes stay text."""
    text = str(url).strip().lower()
    return text.startswith(("https://", "http://"))


def _html_finalize(value: object) -> object:
    """Every value an HTML template shows: control and bidi characters made visible (then autoescaped)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(value)
    return value


def _markdown_finalize(value: object) -> object:
    """Every value a Markdown report shows is text, never markup (see :func:`icscheck.safetext.md_text`)."""
    if isinstance(value, str) and not isinstance(value, MdSafe):
        return md_text(value)
    return value


def _environment(autoescape: bool, finalize=None) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("icscheck", "templates"),
        autoescape=autoescape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        finalize=finalize,
    )
    env.filters["cell"] = md_cell
    env.filters["value"] = render_value
    env.filters["safe_url"] = safe_url
    return env


@cache
def html_environment() -> jinja2.Environment:
    """HTML and SVG: every value from a fixture is escaped, its control and bidi characters shown."""
    return _environment(autoescape=True, finalize=_html_finalize)


@cache
def environment() -> jinja2.Environment:
    """Markdown and other text from the rule files (rule documentation)."""
    return _environment(autoescape=False)


@cache
def markdown_environment() -> jinja2.Environment:
    """Markdown reports: every value is shown as text (escaped), file names as code spans (``| code``)."""
    env = _environment(autoescape=False, finalize=_markdown_finalize)
    env.filters["cell"] = md_text
    env.filters["code"] = md_code
    return env

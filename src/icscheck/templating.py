"""The Jinja2 environment for Markdown (and other text) output."""

from __future__ import annotations

import jinja2

from .findings import render_value


def md_cell(text: object) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def safe_url(url: object) -> bool:
    """Only web addresses become links; 'javascript:' and other schemes stay text."""
    text = str(url).strip().lower()
    return text.startswith(("https://", "http://"))


def _environment(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("icscheck", "templates"),
        autoescape=autoescape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["cell"] = md_cell
    env.filters["value"] = render_value
    env.filters["safe_url"] = safe_url
    return env


def html_environment() -> jinja2.Environment:
    """HTML and SVG: every value from a fixture is escaped."""
    return _environment(autoescape=True)


def environment() -> jinja2.Environment:
    """Markdown and other text."""
    return _environment(autoescape=False)

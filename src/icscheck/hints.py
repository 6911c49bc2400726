"""Suggestions for mistyped names: "did you mean ...?" (stdlib only, so any module may use it)."""

from __future__ import annotations

from typing import Iterable


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice ``word`` most likely meant: the same but for case, hyphens and underscores, else the nearest by
    difflib's ratio (at least 0.6), else ``None``."""
    options = sorted(set(choices))
    if not isinstance(word, str) or not options:
        return None

    def plain(text: str) -> str:
        return text.lower().replace("-", "_").replace(" ", "_")

    same = [c for c in options if plain(c) == plain(word)]
    if same:
        return same[0]
    if len(plain(word)) >= 3:  # 'agreed' for agreed_on_track: the one choice that starts with it
        starting = [c for c in options if plain(c).startswith(plain(word))]
        if len(starting) == 1:
            return starting[0]
    import difflib

    near = difflib.get_close_matches(plain(word), [plain(c) for c in options], n=1, cutoff=0.6)
    if not near:
        return None
    return next(c for c in options if plain(c) == near[0])


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` when a choice is close to ``word``, else an empty string."""
    guess = closest(word, choices)
    return f"; did you mean '{guess}'?" if guess is not None and guess != word else ""


def one_of(choices: Iterable[str], limit: int = 10) -> str:
    """The choices in words, quoted: all of them when there are at most ``limit``, else how many there are."""
    options = list(choices)
    if len(options) <= limit:
        return ", ".join(f"'{c}'" for c in options)
    return f"{len(options)} values"

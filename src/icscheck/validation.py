"""Turn pydantic validation errors into one positioned line."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import InputError
from .yamlsource import PathKey, SourceMap

M = TypeVar("M", bound=BaseModel)


def _data_path(data: Any, loc: tuple) -> PathKey:
    """Keep the parts of a pydantic location that index into the data.

    Pydantic inserts union-member and validator tags into ``loc``; they are
    dropped so that the path names keys and items a person can find.
    """
    path: list[str | int] = []
    node = data
    for index, part in enumerate(loc):
        if isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif index == len(loc) - 1 and isinstance(part, str):
            path.append(part)  # a missing key: keep its name
    return tuple(path)


def dotted(path: PathKey) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _describe(error: Any, path: PathKey) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown key '{path[-1]}'" if path else "unknown key"
    if kind == "missing":
        return f"missing required key '{path[-1]}'" if path else "missing required key"
    return f"{dotted(path)}: {error['msg']}"


def validate(model: type[M], data: Any, smap: SourceMap) -> M:
    """Validate ``data`` against ``model``; raise one positioned InputError on failure."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        located = []
        for error in exc.errors():
            path = _data_path(data, tuple(error["loc"]))
            located.append((smap.line(path), len(path), path, error))
        line, _, path, error = min(located, key=lambda item: (item[0], -item[1], str(item[2])))
        where = dotted(path[:-1]) if error["type"] in ("extra_forbidden", "missing") and len(path) > 1 else None
        message = _describe(error, path)
        if where:
            message = f"{where}: {message}"
        raise InputError(smap.location(path), message) from None

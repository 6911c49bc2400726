"""Turn pydantic validation errors into positioned messages a person can act on.

Every error pydantic finds is reported (up to :data:`~icscheck.errors.MAX_PROBLEMS`), each at its
``file:line``, in the order of the file, with "did you mean" for a mistyped key or value and a plain
word for the common mistakes: a date written ``31/03/2024``, an id with capitals or spaces, a number
in quotes, ``yes`` for true.
"""

from __future__ import annotations

import datetime as dt
import re
import types
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from .errors import InputError, InputErrors
from .hints import closest, did_you_mean, one_of
from .yamlsource import PathKey, SourceMap

M = TypeVar("M", bound=BaseModel)

#: The pattern of an id in a description; see :data:`icscheck.model.Id`.
ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"
ID_RULE = "an id is lower-case letters, digits, '_', '.' and '-', starting with a letter or digit"
DATE_ERRORS = frozenset({"date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact", "datetime_type"})
#: At most this many choices are listed in a message; beyond, the message points to the schema.
CHOICES_LISTED = 20


def data_path(data: Any, loc: tuple) -> PathKey:
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
        elif index == len(loc) - 1 and isinstance(part, str) and part != "[key]":
            path.append(part)  # a missing key: keep its name
    return tuple(path)


def dotted(path: PathKey) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _unwrap(tp: Any) -> list[Any]:
    """The types a value of ``tp`` may be: Annotated and unions taken apart."""
    origin = get_origin(tp)
    if origin is Annotated:
        return _unwrap(get_args(tp)[0])
    if origin is Union or origin is types.UnionType:
        return [t for arg in get_args(tp) for t in _unwrap(arg)]
    return [tp]


def fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """The keys allowed where ``loc`` (a pydantic location, tags and all) points: the fields of the model there."""
    candidates: list[Any] = [model]
    for part in loc:
        following: list[Any] = []
        for c in candidates:
            if isinstance(c, type) and issubclass(c, BaseModel):
                if isinstance(part, str) and part in c.model_fields:
                    following += _unwrap(c.model_fields[part].annotation)
                elif isinstance(part, str):
                    following.append(c)  # a union tag: the same model
            elif get_origin(c) is list and isinstance(part, int):
                following += _unwrap(get_args(c)[0])
            elif get_origin(c) is dict:
                following += _unwrap(get_args(c)[1])
        candidates = following
    names: list[str] = []
    for c in candidates:
        if isinstance(c, type) and issubclass(c, BaseModel):
            names += [field.alias or name for name, field in c.model_fields.items() if name not in names]
    return names


def fixed_id(value: str) -> str:
    """An id made valid: lower case, runs of spaces and other characters as '-'."""
    text = re.sub(r"[^a-z0-9_.-]+", "-", value.strip().lower()).strip("-._")
    return text or "x"


def _date_example(value: Any) -> str:
    """A date written otherwise, as it is written in a description (day before month, as in England)."""
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s*", value)
        if match:
            day, month, year = (int(g) for g in match.groups())
            if 1 <= month <= 12 and 1 <= day <= 31:
                return f"{year:04d}-{month:02d}-{day:02d}"
    return "2024-03-31"


def _choices(ctx: dict | None) -> list[str]:
    expected = (ctx or {}).get("expected", "")
    return re.findall(r"'((?:[^'\\]|\\.)*)'", str(expected))


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _q(value: Any) -> str:
    """A value as the description wrote it: text in quotes, true/false, numbers and dates as they are."""
    if isinstance(value, str):
        return f"'{_shown(value)}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return _shown(value)


def _message(error: dict, path: PathKey, model: type[BaseModel]) -> str:
    """What is wrong, in words, without the location."""
    kind = error["type"]
    value = error.get("input")
    loc = tuple(error["loc"])
    here = dotted(path)
    if kind == "extra_forbidden":
        key = str(path[-1]) if path else str(loc[-1])
        allowed = fields_at(model, loc[:-1])
        where = f"{dotted(path[:-1])}: " if len(path) > 1 else ""
        return f"{where}unknown key '{key}'{did_you_mean(key, allowed)}"
    if kind == "missing":
        where = f"{dotted(path[:-1])}: " if len(path) > 1 else ""
        return f"{where}missing required key '{path[-1] if path else loc[-1]}'"
    if kind in ("enum", "literal_error"):
        choices = _choices(error.get("ctx"))
        key = loc[-2] if loc and loc[-1] == "[key]" else None
        what = f"key {_q(value)}" if key else _q(value)
        where = dotted(path[:-1]) if key else here
        field = loc[-3] if key and len(loc) >= 3 else loc[-1] if loc else None
        noun = f"a valid {field if isinstance(field, str) else 'value'}"
        if key:
            noun = f"a valid key of {field}" if isinstance(field, str) else "a valid key"
        guess = did_you_mean(str(value), choices)
        if guess:
            return f"{where}: {what} is not {noun}{guess}"
        if len(choices) <= CHOICES_LISTED:
            return f"{where}: {what} is not {noun}; choose from {one_of(choices, CHOICES_LISTED)}"
        return f"{where}: {what} is not {noun}; it is one of {len(choices)} values listed in the schema (icscheck schema)"
    if kind == "string_pattern_mismatch" and (error.get("ctx") or {}).get("pattern") == ID_PATTERN and isinstance(value, str):
        return f"{here}: '{_shown(value)}' is not a valid id ({ID_RULE}); write '{fixed_id(value)}'"
    if kind in DATE_ERRORS and isinstance(value, dt.datetime):
        return f"{here}: {_q(value)} is a date and time; write the date alone as YYYY-MM-DD, e.g. {value.date().isoformat()}"
    if kind in DATE_ERRORS:
        return f"{here}: {_q(value)} is not a date; write dates as YYYY-MM-DD, e.g. {_date_example(value)}"
    if kind in ("int_type", "float_type", "int_from_float") and isinstance(value, str):
        number = value.strip().replace(",", "")
        if re.fullmatch(r"[-+]?\d+(\.\d+)?", number):
            return f"{here}: '{_shown(value)}' is text, not a number; write it without quotes (and without commas): {number}"
        return f"{here}: '{_shown(value)}' is not a number"
    if kind == "int_from_float" or (kind == "int_type" and isinstance(value, float)):
        return f"{here}: {_q(value)} is not a whole number"
    if kind in ("int_type", "float_type"):
        return f"{here}: {_q(value)} is not a number"
    if kind == "bool_type":
        if isinstance(value, str) and value.strip().lower() in ("yes", "no", "y", "n", "on", "off", "true", "false"):
            return f"{here}: '{_shown(value)}' is text; write true or false (without quotes)"
        return f"{here}: {_q(value)} is not true or false; write true or false"
    if kind == "string_type" and isinstance(value, (int, float, bool, dt.date)):
        return f"{here}: {_q(value)} is not text; put it in quotes: '{_q(value)}'"
    if kind == "list_type" and isinstance(value, str):
        return f"{here}: give a list, e.g. [{_shown(value)}], or one item per line starting with '- '"
    if kind == "list_type":
        return f"{here}: give a list"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"{here}: give a mapping of keys and values (key: value), not {_q(value)}"
    message = error["msg"]
    if kind == "value_error":
        message = message.removeprefix("Value error, ")
    return f"{here}: {message}"


def problems(model: type[M], data: Any, smap: SourceMap, exc: ValidationError) -> list[InputError]:
    """Every error of a validation, positioned and in words, in the order of the file."""
    found: dict[tuple, InputError] = {}
    missing: dict[PathKey, list[str]] = {}  # missing keys of one mapping are one problem
    errors = exc.errors()
    meant: set[tuple] = set()  # (parent, key) of missing keys an unknown key beside them was probably meant to be
    for error in errors:
        if error["type"] == "extra_forbidden":
            path = data_path(data, tuple(error["loc"]))
            if path:
                guess = closest(str(path[-1]), fields_at(model, tuple(error["loc"])[:-1]))
                if guess is not None:
                    meant.add((path[:-1], guess))
    for error in errors:
        path = data_path(data, tuple(error["loc"]))
        if error["type"] == "missing" and path:
            if (path[:-1], str(path[-1])) not in meant:  # 'nmae' is unknown and 'name' missing: one problem
                missing.setdefault(path[:-1], []).append(str(path[-1]))
            continue
        message = _message(error, path, model)
        key = (smap.line(path), str(path), message)
        found.setdefault(key, InputError(smap.location(path), message))
    for parent, keys in missing.items():
        where = f"{dotted(parent)}: " if parent else ""
        names = ", ".join(f"'{k}'" for k in keys)
        message = f"{where}missing required key{'s' if len(keys) > 1 else ''} {names}"
        found.setdefault((smap.line(parent), str(parent), message), InputError(smap.location(parent), message))
    return [found[key] for key in sorted(found, key=lambda k: (k[0], k[1], k[2]))]


def validate(model: type[M], data: Any, smap: SourceMap) -> M:
    """Validate ``data`` against ``model``; raise every problem at once (:class:`InputErrors`) on failure."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputErrors(problems(model, data, smap, exc)) from None

"""Safe, bounded YAML reading that remembers where every value came from.

Every input file (a system description, a rule, a waiver file, a coverage or
review file) is read through :func:`load_yaml`, with limits:

* only a regular file is read (a directory, a FIFO, a device or a symbolic
  link loop is an input error, never a hang), and at most
  :data:`MAX_FILE_BYTES` of it;
* the document is composed from the parser's events here, so that nesting
  deeper than :data:`MAX_DEPTH` is refused before anything recurses, and the
  values that aliases repeat are counted: more than :data:`MAX_ALIAS_VALUES`
  (a "billion laughs") is refused in milliseconds, and an alias that refers
  to its own anchor is refused;
* values are constructed with PyYAML's safe constructors (so
  ``!!python/object`` and other unsafe tags are refused), and a value that
  cannot be constructed — ``2021-02-30``, ``!!int abc``, ``!!bool maybe``, a
  5,000-digit integer — is an input error at its line, as are integers beyond
  :data:`MAX_INT`, numbers that are not finite (``.nan``, ``.inf``), text that
  cannot be written as UTF-8, mapping keys that are not text, and the
  ``!!binary``, ``!!set``, ``!!omap`` and ``!!pairs`` types.

Numbers in exponent form (``1e16``, ``2.5E-3``) are numbers, as in YAML 1.2.
The line of every mapping key and sequence item is recorded once (a value an
alias repeats is recorded at the alias); pydantic error locations and graph
provenance are turned back into ``file:line`` through :class:`SourceMap`.

A plain document (no explicit tags, only text keys, every value acceptable) is
read in one pass over the parser's events, which builds the values and records
their lines together, with the same limits.  Any other document, and any
document with something to refuse, is read again as described above, so that
every error is the one that reading gives; both readings give the same values
and lines.
"""

from __future__ import annotations

import math
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from .errors import InputError, Location

PathKey = tuple[str | int, ...]

#: The largest input file read (10 MiB); the real descriptions are under 100 KiB.
MAX_FILE_BYTES = 10 * 1024 * 1024
#: The deepest nesting of mappings and sequences accepted (well below Python's recursion limit).
MAX_DEPTH = 64
#: The most values that aliases may repeat in one document, all aliases together.
MAX_ALIAS_VALUES = 10_000
#: The largest integer accepted (2**53 - 1: every integer up to it is exact as a number anywhere).
MAX_INT = 2**53 - 1

_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_WHAT = {
    "tag:yaml.org,2002:int": "integer",
    "tag:yaml.org,2002:float": "number",
    "tag:yaml.org,2002:bool": "true/false value",
    "tag:yaml.org,2002:timestamp": "date",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:str": "text",
}
_REFUSED_TAGS = {
    "tag:yaml.org,2002:binary": "binary data (!!binary)",
    "tag:yaml.org,2002:set": "a set (!!set)",
    "tag:yaml.org,2002:omap": "an ordered map (!!omap)",
    "tag:yaml.org,2002:pairs": "a list of pairs (!!pairs)",
}
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class SourceMap:
    """Line numbers of the values in one YAML document, by path."""

    file: str
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line(self, path: PathKey) -> int:
        """The line of ``path``, or of its nearest recorded ancestor."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def location(self, path: PathKey) -> Location:
        return Location(self.file, self.line(path))


# -- reading files ------------------------------------------------------------------


def read_limited(path: Path | str, name: str, limit: int = MAX_FILE_BYTES, what: str = "file") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; anything else is an InputError.

    A directory, FIFO, socket or device is refused before it is opened (reading a FIFO or
    ``/dev/zero`` would block or never end), as is a symbolic link loop.
    """
    where = Location(name)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError(where, "no such file") from None
    except OSError as exc:
        raise InputError(where, f"cannot be read ({exc.strerror or exc})") from None
    except ValueError:  # an embedded NUL in the path
        raise InputError(where, "is not a usable file name") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(where, "is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(where, f"is not a regular {what} (a FIFO, device or socket); give a file")
    if info.st_size > limit:
        raise InputError(where, f"is {info.st_size:,} bytes; the limit is {limit:,} bytes")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise InputError(where, f"cannot be read ({exc.strerror or exc})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced since the check above
            raise InputError(where, f"is not a regular {what}; give a file")
        chunks = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise InputError(where, f"cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if size > limit:
        raise InputError(where, f"is more than {limit:,} bytes; the limit is {limit:,} bytes")
    return b"".join(chunks)


def _decode(raw: bytes, name: str) -> str:
    if not raw.strip():
        raise InputError(Location(name, 1), "the file is empty")
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise InputError(Location(name, line), "not a text file (it contains a NUL byte)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(Location(name, line), f"not UTF-8 text (byte 0x{raw[exc.start]:02x})") from None


def display_path(path: Path | str, *roots: Path) -> str:
    """A stable name for a file in reports: relative to the first of ``roots`` it lies in."""
    path = Path(path)
    for base in roots:
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except (ValueError, OSError, RuntimeError):
            continue
    return path.as_posix()


def load_yaml(path: Path | str, display_name: str | None = None) -> tuple[Any, SourceMap]:
    """Read one YAML document safely; return its data and where each value came from."""
    name = display_name or str(path)
    return parse_yaml(_decode(read_limited(path, name), name), name)


# -- parsing ----------------------------------------------------------------------


def _short(text: str, limit: int = 40) -> str:
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return text.encode("unicode_escape").decode("ascii") if not text.isprintable() else text


class _Loader(_BASE):  # type: ignore[misc, valid-type]
    """The safe loader with checked constructors (see the module docstring)."""

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except (yaml.YAMLError, InputError):
            raise
        except RecursionError:
            raise ConstructorError(None, None, "the document is nested too deeply", node.start_mark) from None
        except Exception as exc:  # a value PyYAML cannot construct: a bad date, !!int abc, ...
            what = _WHAT.get(node.tag, f"value of type {node.tag}")
            value = node.value if isinstance(node, yaml.ScalarNode) else ""
            reason = str(exc) if isinstance(exc, ValueError) and "literal" not in str(exc) else ""
            reason = reason.replace("Exceeds the limit (4300 digits) for integer string conversion", "too many digits")
            detail = f" ({reason.split(';')[0]})" if reason else ""
            raise ConstructorError(None, None, f"'{_short(value)}' is not a valid {what}{detail}", node.start_mark) from None

    def construct_yaml_int(self, node):
        value = SafeConstructor.construct_yaml_int(self, node)
        if abs(value) > MAX_INT:
            raise ConstructorError(None, None, f"the integer '{_short(node.value)}' is too large (the limit is {MAX_INT:,})", node.start_mark)
        return value

    def construct_yaml_float(self, node):
        value = SafeConstructor.construct_yaml_float(self, node)
        if not math.isfinite(value):
            raise ConstructorError(None, None, f"'{_short(node.value)}' is not a finite number (NaN and infinity are not allowed)", node.start_mark)
        return value

    def construct_yaml_str(self, node):
        value = SafeConstructor.construct_yaml_str(self, node)
        if _SURROGATE.search(value):
            raise ConstructorError(None, None, "the text holds a lone surrogate escape (\\ud800-\\udfff), which is not a character", node.start_mark)
        return value

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep)
        for key_node, _ in node.value:
            key = self.constructed_objects.get(key_node)
            if key_node in self.constructed_objects and not isinstance(key, str):
                raise ConstructorError(
                    None, None, f"the key '{_short(str(key_node.value))}' is not text; quote it", key_node.start_mark
                )
        return mapping

    def refuse(self, node):
        raise ConstructorError(None, None, f"{_REFUSED_TAGS[node.tag]} is not allowed here", node.start_mark)


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _Loader.construct_yaml_float)
_Loader.add_constructor("tag:yaml.org,2002:str", _Loader.construct_yaml_str)
for _tag in _REFUSED_TAGS:
    _Loader.add_constructor(_tag, _Loader.refuse)
# YAML 1.2 numbers in exponent form (1e16, 1.0e6, 2E-3), which YAML 1.1 reads as text.
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)


#: The first characters of plain scalars that an implicit resolver may read as something other than
#: text (a number, a date, true/false, null, a merge key); every other plain scalar is text.
_RESOLVED_FIRST = frozenset(_Loader.yaml_implicit_resolvers)
_STR_TAG = "tag:yaml.org,2002:str"


class _NotPlain(Exception):
    """The document is not one :func:`_read_plain` reads; the full composer and constructors read it."""


def _read_plain(loader: _Loader) -> tuple[Any, dict[PathKey, int]]:
    """The data and source lines of a plain document, straight from the parser's events in one pass.

    A plain document has no explicit tags, only text keys (no anchors or aliases on keys, no merge
    keys), no duplicate keys, and no value that the full reading would refuse; anchors and aliases of
    values are read with the same limits.  Anything else raises :class:`_NotPlain` (as does any error
    of the parser or of a constructor), and the document is read again by :func:`_compose`,
    :func:`_record` and ``construct_document``, which give the error.  What this returns is what they
    return: the same values (a value an alias repeats is the same object), and the lines of the keys
    and items that :func:`_record` records.
    """
    get = loader.get_event
    resolve = loader.resolve
    constructors = loader.yaml_constructors
    resolved_first = _RESOLVED_FIRST
    any_first = None in resolved_first  # a resolver for every first character
    surrogate = _SURROGATE.search
    ScalarEvent, MappingStartEvent, SequenceStartEvent = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    AliasEvent, ScalarNode, STR = yaml.AliasEvent, yaml.ScalarNode, _STR_TAG

    get()  # stream start
    if type(get()) is not yaml.DocumentStartEvent:
        raise _NotPlain("no document")
    lines: dict[PathKey, int] = {}
    plain_tags: dict[str, str] = {}  # plain scalar -> the tag it resolves to
    anchors: dict[str, tuple[Any, int]] = {}  # anchor -> its value and line
    sizes: dict[int, int] = {}  # id of a collection an alias repeats, or of one in it -> values it stands for
    repeated = 0
    # The open collection (None before the root), its path, and for a mapping the path of the key
    # whose value comes next (None while a key comes next); the enclosing ones are on the stack.
    stack: list[tuple[Any, PathKey, bool]] = []
    current: Any = None
    path: PathKey = ()
    is_mapping = False
    key_path: PathKey | None = None
    root: Any = None

    def size(value: Any) -> int:
        if isinstance(value, list):
            if id(value) not in sizes:
                sizes[id(value)] = 1 + sum(size(item) for item in value)
            return sizes[id(value)]
        if isinstance(value, dict):
            if id(value) not in sizes:
                sizes[id(value)] = 1 + sum(1 + size(item) for item in value.values())
            return sizes[id(value)]
        return 1

    while True:
        event = get()
        kind = type(event)
        if kind is ScalarEvent:
            if event.tag is not None:
                raise _NotPlain("a tag")
            text = event.value
            if event.implicit[0] and (any_first or text[:1] in resolved_first):
                tag = plain_tags.get(text)
                if tag is None:
                    tag = plain_tags[text] = resolve(ScalarNode, text, event.implicit)
            else:
                tag = STR
            # A lone surrogate can only come from an escape, and only double-quoted text has escapes
            # (the parser reads the document as UTF-8, which has none).
            if is_mapping and key_path is None:  # a key
                if tag != STR or event.anchor is not None or text in current or (event.style == '"' and surrogate(text)):
                    raise _NotPlain("a key")
                key_path = path + (text,)
                lines[key_path] = event.start_mark.line + 1
                continue
            if tag == STR:
                if event.style == '"' and surrogate(text):
                    raise _NotPlain("a lone surrogate")
                value = text
            else:
                constructor = constructors.get(tag)
                if constructor is None:
                    raise _NotPlain(tag)
                value = constructor(loader, ScalarNode(tag, text, event.start_mark, event.end_mark, style=event.style))
            if event.anchor is not None:
                if event.anchor in anchors:
                    raise _NotPlain("a second anchor")
                anchors[event.anchor] = (value, event.start_mark.line + 1)
            if is_mapping:
                current[key_path[-1]] = value
                key_path = None
            elif current is not None:
                lines[path + (len(current),)] = event.start_mark.line + 1
                current.append(value)
            else:
                lines[()] = event.start_mark.line + 1
                root = value
                break
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.tag is not None or len(stack) >= MAX_DEPTH:
                raise _NotPlain("a tag or deep nesting")
            value = {} if kind is MappingStartEvent else []
            if is_mapping:
                if key_path is None:
                    raise _NotPlain("a collection as a key")
                current[key_path[-1]] = value
                child = key_path
            elif current is not None:
                child = path + (len(current),)
                lines[child] = event.start_mark.line + 1
                current.append(value)
            else:
                child = ()
                lines[child] = event.start_mark.line + 1
                root = value
            if event.anchor is not None:
                if event.anchor in anchors:
                    raise _NotPlain("a second anchor")
                anchors[event.anchor] = (value, event.start_mark.line + 1)
            stack.append((current, path, is_mapping))
            current, path, is_mapping, key_path = value, child, kind is MappingStartEvent, None
        elif kind is AliasEvent:
            if event.anchor not in anchors or (is_mapping and key_path is None):
                raise _NotPlain("an undefined alias or an alias as a key")
            value, line = anchors[event.anchor]
            if value is current or any(value is open_ for open_, _, _ in stack):
                raise _NotPlain("an alias to its own anchor")
            repeated += size(value)
            if repeated > MAX_ALIAS_VALUES:
                raise _NotPlain("an alias bomb")
            if is_mapping:
                current[key_path[-1]] = value
                key_path = None
            else:  # the root is never an alias: its anchor would be undefined
                lines[path + (len(current),)] = line  # the anchor's line, as _record records it
                current.append(value)
        else:  # the end of a mapping or sequence: a key or item comes next, or the document ends
            current, path, is_mapping = stack.pop()
            key_path = None
            if current is None:
                break
    if type(get()) is not yaml.DocumentEndEvent or type(get()) is not yaml.StreamEndEvent:
        raise _NotPlain("a second document")
    return root, lines


def _compose(loader: _Loader, name: str) -> yaml.Node | None:
    """Compose the single document from the parser's events, with the nesting and alias limits."""
    loader.get_event()  # stream start
    if loader.check_event(yaml.StreamEndEvent):
        loader.get_event()
        return None
    loader.get_event()  # document start
    anchors: dict[str, yaml.Node] = {}
    sizes: dict[int, int] = {}  # node id -> values it stands for, aliases expanded
    open_ids: set[int] = set()
    repeated = 0
    stack: list[tuple[yaml.Node, list]] = []  # open collections and, for a mapping, a pending key
    root: yaml.Node | None = None

    def attach(node: yaml.Node) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        parent, pending = stack[-1]
        if isinstance(parent, yaml.SequenceNode):
            parent.value.append(node)
        elif pending:
            parent.value.append((pending.pop(), node))
        else:
            pending.append(node)

    while not loader.check_event(yaml.DocumentEndEvent):
        event = loader.get_event()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in anchors:
                raise yaml.composer.ComposerError(None, None, f"found undefined alias {event.anchor!r}", event.start_mark)
            node = anchors[event.anchor]
            if id(node) in open_ids:
                raise yaml.composer.ComposerError(None, None, f"the alias *{event.anchor} refers to its own anchor", event.start_mark)
            repeated += sizes[id(node)]
            if repeated > MAX_ALIAS_VALUES:
                raise yaml.composer.ComposerError(
                    None, None, f"aliases repeat more than {MAX_ALIAS_VALUES:,} values (an alias bomb?)", event.start_mark
                )
            attach(node)
            continue
        if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            node, _ = stack.pop()
            node.end_mark = event.end_mark
            open_ids.discard(id(node))
            if isinstance(node, yaml.SequenceNode):
                sizes[id(node)] = 1 + sum(sizes[id(child)] for child in node.value)
            else:
                sizes[id(node)] = 1 + sum(sizes[id(k)] + sizes[id(v)] for k, v in node.value)
            attach(node)
            continue
        anchor = event.anchor
        if anchor is not None and anchor in anchors:
            first = anchors[anchor].start_mark.line + 1
            raise yaml.composer.ComposerError(None, None, f"a second anchor &{anchor} (the first is at line {first})", event.start_mark)
        tag = event.tag
        if isinstance(event, yaml.ScalarEvent):
            if tag is None or tag == "!":
                tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
            node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
            sizes[id(node)] = 1
            if anchor is not None:
                anchors[anchor] = node
            attach(node)
            continue
        if len(stack) >= MAX_DEPTH:
            raise yaml.composer.ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep", event.start_mark)
        if isinstance(event, yaml.SequenceStartEvent):
            if tag is None or tag == "!":
                tag = loader.resolve(yaml.SequenceNode, None, event.implicit)
            node = yaml.SequenceNode(tag, [], event.start_mark, None, flow_style=event.flow_style)
        else:
            if tag is None or tag == "!":
                tag = loader.resolve(yaml.MappingNode, None, event.implicit)
            node = yaml.MappingNode(tag, [], event.start_mark, None, flow_style=event.flow_style)
        if anchor is not None:
            anchors[anchor] = node
        open_ids.add(id(node))
        stack.append((node, []))
    loader.get_event()  # document end
    if not loader.check_event(yaml.StreamEndEvent):
        event = loader.get_event()
        raise yaml.composer.ComposerError(None, None, "a second YAML document; a file holds one", event.start_mark)
    loader.get_event()
    return root


def _record(root: yaml.Node, smap: SourceMap, name: str) -> None:
    """The line of every key and item; a node an alias repeats is recorded once, where it first appears."""
    seen: set[int] = set()
    todo: list[tuple[yaml.Node, PathKey]] = [(root, ())]
    while todo:
        node, path = todo.pop()
        smap.lines.setdefault(path, node.start_mark.line + 1)
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: dict[Any, int] = {}
            children = []
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                line = key_node.start_mark.line + 1
                if key is not None and key in keys:
                    raise InputError(Location(name, line), f"duplicate key '{_short(key)}' (first at line {keys[key]})")
                if key is not None:
                    keys[key] = line
                smap.lines[path + (key,)] = line
                children.append((value_node, path + (key,)))
            todo.extend(reversed(children))  # in document order: a repeated node is recorded where it first appears
        elif isinstance(node, yaml.SequenceNode):
            todo.extend((item, path + (index,)) for index, item in reversed(list(enumerate(node.value))))


def _tab_in_indentation(text: str, line: int) -> int | None:
    """The line (at or just before a YAML error at ``line``) whose indentation holds a tab, if one does."""
    lines = text.splitlines()
    for number in (line, line - 1):
        if 1 <= number <= len(lines):
            current = lines[number - 1]
            indent = current[: len(current) - len(current.lstrip(" \t"))]
            if "\t" in indent and current.strip():
                return number
    return None


def parse_yaml(text: str, name: str) -> tuple[Any, SourceMap]:
    """Parse YAML text (one document) with the safe, bounded loader."""
    loader = _Loader(text)
    try:
        data, lines = _read_plain(loader)
    except Exception:  # not a plain document, or not valid: read it again with every check
        pass
    else:
        smap = SourceMap(name)
        smap.lines = lines
        return data, smap
    finally:
        loader.dispose()
    return _parse_checked(text, name)


def _parse_checked(text: str, name: str) -> tuple[Any, SourceMap]:
    """Parse YAML text (one document) through the composer and constructors that give every error."""
    loader = _Loader(text)
    try:
        node = _compose(loader, name)
        if node is None:
            raise InputError(Location(name, 1), "the file holds no YAML document")
        smap = SourceMap(name)
        _record(node, smap, name)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        if "could not determine a constructor" in problem:
            problem = f"unsafe or unknown YAML tag {problem.split('tag', 1)[-1].strip()}"
        tab = _tab_in_indentation(text, line)
        if tab:
            line, problem = tab, "a tab in the indentation; YAML indents with spaces only: replace the tab with spaces"
        raise InputError(Location(name, line), f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise InputError(Location(name, 1), f"invalid YAML: {exc}") from None
    except RecursionError:
        raise InputError(Location(name, 1), "invalid YAML: the document is nested too deeply") from None
    finally:
        loader.dispose()
    return data, smap


def parse_value(text: str, name: str) -> Any:
    """One scalar written on the command line (``--param``), read as YAML with the same checks."""
    data, _ = parse_yaml(text, name)
    return data

"""Safe YAML reading that remembers where every value came from.

A document is parsed once with PyYAML's SafeLoader (so ``!!python/object`` and
other unsafe tags are refused), and walked to record the line of every mapping
key and sequence item.  Pydantic error locations and graph provenance are
turned back into ``file:line`` through :class:`SourceMap`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, Location

PathKey = tuple[str | int, ...]


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


def _record(node: yaml.Node, path: PathKey, smap: SourceMap, name: str) -> None:
    smap.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            line = key_node.start_mark.line + 1
            if key in seen:
                raise InputError(
                    Location(name, line), f"duplicate key '{key}' (first at line {seen[key]})"
                )
            seen[key] = line
            smap.lines[path + (key,)] = line
            _record(value_node, path + (key,), smap, name)
            smap.lines[path + (key,)] = line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record(item, path + (index,), smap, name)


def display_path(path: Path | str, *roots: Path) -> str:
    """A stable name for a file in reports: relative to the first of ``roots`` it lies in."""
    path = Path(path)
    for base in roots:
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return path.as_posix()


def load_yaml(path: Path | str, display_name: str | None = None) -> tuple[Any, SourceMap]:
    """Read one YAML document safely; return its data and where each value came from."""
    path = Path(path)
    name = display_name or str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(Location(name), "no such file") from None
    except IsADirectoryError:
        raise InputError(Location(name), "is a directory, not a file") from None
    except OSError as exc:
        raise InputError(Location(name), f"cannot be read ({exc.strerror})") from None
    return parse_yaml(_decode(raw, name), name)


def parse_yaml(text: str, name: str) -> tuple[Any, SourceMap]:
    """Parse YAML text (one document) with the safe loader."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError(Location(name, 1), "the file holds no YAML document")
        smap = SourceMap(name)
        _record(node, (), smap, name)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        if "could not determine a constructor" in problem:
            problem = f"unsafe or unknown YAML tag {problem.split('tag', 1)[-1].strip()}"
        raise InputError(Location(name, line), f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise InputError(Location(name, 1), f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    return data, smap

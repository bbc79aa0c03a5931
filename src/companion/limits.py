"""Bounds on what companion reads from outside: ids, short names, TOML and REFI-QDA files.

A file or an argument from outside may be built to hurt: an id past SQLite's 64-bit range,
a TOML or XML file nested thousands deep (Python's parsers recurse), a zip whose members
inflate to gigabytes. Each bound is checked before the parser or the database sees the
input, and a breach is one :class:`~companion.errors.InputError` (one line, exit 2) that
names the bound. The TOML loaders (:mod:`companion.tomlcheck`) and the REFI-QDA import
(:mod:`companion.exchange`) both read their files through here.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from companion.errors import InputError

if TYPE_CHECKING:
    # Imported where a .qdpx is read: the settings loader (the TUI's first frame) reads
    # TOML through here and needs neither.
    import xml.etree.ElementTree as ET
    import zipfile

MAX_ID = 2**63 - 1
"""The largest id SQLite stores (a signed 64-bit integer); Python would pass a larger one
on and SQLite would raise OverflowError."""

MAX_NAME_CHARS = 200
"""A role, an interviewer, a speaker's name: a few words, never a paragraph."""

MAX_TOML_BYTES = 1_000_000
"""A protocol file is a few tens of kilobytes; a settings file less."""

MAX_DEPTH = 32
"""Nesting of tables and arrays in TOML, of elements in XML. REFI-QDA's deepest path is
about ten levels plus the code tree; a codebook nested 32 deep is not a codebook."""

MAX_MEMBER_BYTES = 256 * 1024 * 1024
"""One member of a .qdpx that is read (the project XML, a plain-text source)."""

MAX_TOTAL_BYTES = 512 * 1024 * 1024
"""All members of a .qdpx that are read, together."""

MAX_RATIO = 200
"""Uncompressed size over compressed size of one member. XML and text compress about ten
to one, rarely fifty; a zip bomb a thousand to one or more."""

MIN_RATIO_BYTES = 1024 * 1024
"""Members smaller than this are not held to the ratio (a tiny file of repeated text can
compress very well and hurts no one)."""


def parse_id(field: str, value: object, what: str, *, hint: str = "") -> int:
    """An id as typed (``"12"``): ASCII digits only (``"²"`` is a digit to Python, not to
    int()), from 1 to :data:`MAX_ID`."""
    text = str(value).strip()
    allowed = f"{what} (a positive whole number, at most {MAX_ID})"
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ID)):
        raise InputError(field, value, allowed, hint=hint)
    number = int(text)
    if not 1 <= number <= MAX_ID:
        raise InputError(field, value, allowed, hint=hint)
    return number


def printable_name(field: str, value: str, *, max_chars: int = MAX_NAME_CHARS) -> str:
    """A short name as typed, stripped: no control characters (a terminal escape sequence
    would be echoed raw into every screen and export), no line breaks, bounded length."""
    text = str(value)
    if len(text) > max_chars:
        raise InputError(field, f"{text[:20]}… ({len(text)} characters)",
                         f"at most {max_chars} characters")
    for position, ch in enumerate(text, start=1):
        if unicodedata.category(ch) in ("Cc", "Cs") or ch in "\u2028\u2029\ufffe\uffff":
            raise InputError(field, text, "printable text on one line; control character "
                             f"U+{ord(ch):04X} at position {position} is not allowed")
    return text.strip()


# --- TOML --------------------------------------------------------------------------------

def toml_depth_problem(text: str) -> str | None:
    """Why ``text`` is nested too deep for the TOML parser (which recurses), or None.

    A scan of brackets and braces outside strings and comments, before parsing; table
    headers (``[a.b]``) count for one level while they are open, which is harmless."""
    depth = deepest = 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if ch in "\"'":
            triple = text.startswith(ch * 3, i)
            quote = ch * 3 if triple else ch
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                if ch == '"' and text[i] == "\\":
                    i += 1
                elif not triple and text[i] == "\n":
                    break  # an unclosed string: the parser reports it
                i += 1
            i += len(quote)
            continue
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                line = text.count("\n", 0, i) + 1
                return f"nested deeper than {MAX_DEPTH} levels (line {line})"
        elif ch in "]}":
            depth = max(0, depth - 1)
        i += 1
    return None


def nested_depth(value: Any) -> int:
    """How deep tables and arrays nest in parsed data (dotted keys nest without brackets),
    counted without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth + 1)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


# --- REFI-QDA (.qdpx: a zip holding XML) ---------------------------------------------------

def read_member(archive: zipfile.ZipFile, name: str, *, field: str, shown: str,
                budget: list[int]) -> bytes:
    """One member of ``archive``, inflated no further than the limits allow, whatever its
    header claims. ``budget`` is a one-item list of the bytes still allowed in total."""
    info = archive.getinfo(name)
    allowed = min(MAX_MEMBER_BYTES, budget[0])
    if info.file_size > allowed:
        raise InputError(field, shown, _size_allowed(), hint=f"{name} would be "
                         f"{info.file_size} bytes uncompressed")
    if (info.file_size >= MIN_RATIO_BYTES
            and info.file_size > MAX_RATIO * max(info.compress_size, 1)):
        raise InputError(field, shown, f"a .qdpx whose members compress at most "
                         f"{MAX_RATIO} to 1", hint=f"{name}: {info.file_size} bytes from "
                         f"{info.compress_size} (a zip bomb?)")
    chunks: list[bytes] = []
    read = 0
    # The header's size may lie: read in pieces and stop past the bound.
    with archive.open(info) as handle:
        while piece := handle.read(1 << 20):
            read += len(piece)
            if read > allowed:
                raise InputError(field, shown, _size_allowed(),
                                 hint=f"{name} inflates past its stated size")
            if read >= MIN_RATIO_BYTES and read > MAX_RATIO * max(info.compress_size, 1):
                raise InputError(field, shown, f"a .qdpx whose members compress at most "
                                 f"{MAX_RATIO} to 1", hint=f"{name} (a zip bomb?)")
            chunks.append(piece)
    budget[0] -= read
    return b"".join(chunks)


def _size_allowed() -> str:
    return (f"a .qdpx whose members read are at most {MAX_MEMBER_BYTES // 2**20} MB each "
            f"and {MAX_TOTAL_BYTES // 2**20} MB together")


def total_budget() -> list[int]:
    """A fresh budget for :func:`read_member`: every member read from one file shares it."""
    return [MAX_TOTAL_BYTES]


def parse_xml(data: bytes, *, field: str, shown: str, member: str,
              integers: dict[str, tuple[str, ...]] | None = None) -> ET.Element:
    """The element tree of ``data``, refused beyond :data:`MAX_DEPTH` levels (the readers
    that walk it recurse) and when it declares a document type (REFI-QDA has none, and
    entity declarations are how XML is made to explode). ``integers``: per element tag,
    the attributes that must be whole numbers from 0 to :data:`MAX_ID` where present."""
    import xml.etree.ElementTree as ET

    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise InputError(field, shown, "a REFI-QDA project without a document type "
                         "declaration", hint=f"{member} declares one")
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    depth = 0
    root: ET.Element | None = None
    step = 1 << 16
    try:
        for start in range(0, len(data) or 1, step):
            parser.feed(data[start:start + step])
            for item in parser.read_events():
                event, *rest = item  # ("start" | "end", the element)
                element = rest[0] if rest else None
                depth += 1 if event == "start" else -1
                if root is None and isinstance(element, ET.Element):
                    root = element
                if depth > MAX_DEPTH:
                    raise InputError(field, shown, f"XML nested at most {MAX_DEPTH} levels "
                                     "deep", hint=f"{member} nests deeper")
        parser.close()
    except ET.ParseError as exc:
        raise InputError(field, shown, "a REFI-QDA project with well-formed XML",
                         hint=f"{member}: {exc}") from None
    if root is None:
        raise InputError(field, shown, "a REFI-QDA project with well-formed XML",
                         hint=f"{member} holds no element")
    for tag, names in (integers or {}).items():
        for element in root.iter(tag):
            for name in names:
                value = element.get(name)
                if value is not None and not _whole(value):
                    short = tag.rsplit("}", 1)[-1]
                    raise InputError(field, shown, f"{short} {name} as a whole number from "
                                     f"0 to {MAX_ID}", hint=f"{member} has {value[:40]!r}")
    return root


def _whole(text: str) -> bool:
    text = text.strip()
    return (text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ID))
            and int(text) <= MAX_ID)


def check_file_size(path: Path, *, field: str, limit: int) -> None:
    """Refuse a file larger than ``limit`` before reading it."""
    size = path.stat().st_size
    if size > limit:
        raise InputError(field, str(path), f"a file of at most {limit} bytes",
                         hint=f"it holds {size}")

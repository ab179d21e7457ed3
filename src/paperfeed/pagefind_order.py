"""Pagefind's filter files in one order, so two builds of the same feed are byte-identical.

Pagefind (1.5) writes each filter (tag, year ...) as its values in the order of a Rust
hash map, which is seeded anew every run (Pagefind/pagefind#638): the same papers give
a filter file with other bytes, so another name (the name is a hash of the bytes), so
another meta file that lists the filters, so another `pagefind-entry.json`. A deploy
that uploads what changed would upload them after every build, and a reader's browser
would fetch them again.

After Pagefind has written a bundle, `stabilise` sorts each filter's values, names the
file from its new bytes, lists the filters by name in the meta file, names that from its
bytes, and points `pagefind-entry.json` at it. Nothing else changes: the search reads a
filter as a map from value to pages, so their order means nothing to it, and the names
are only looked up through the meta file. The files are gzip-compressed CBOR after a
signature (`pagefind_dcd`); the small codec here reads and writes the only kinds these
two files hold (whole numbers, text, arrays), in CBOR's shortest form as Pagefind does,
and refuses anything else rather than guess.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
from pathlib import Path
from typing import TypeAlias

from paperfeed.errors import PaperfeedError

_SIGNATURE = b"pagefind_dcd"
_ENTRY = "pagefind-entry.json"
# Pagefind's own lengths for the hashes in file names.
_FILTER_HASH, _META_HASH = 7, 10
# The meta file's fields (Pagefind's MetaIndex): [version, pages, chunks, filters, sorts].
_FILTERS = 3

Cbor: TypeAlias = int | str | list["Cbor"]


class PagefindFormatError(PaperfeedError):
    """A Pagefind file is not in the format this module knows (a newer Pagefind?)."""

    def __init__(self, path: Path, why: str) -> None:
        self.path = path
        self.why = (
            f"{why}: this Pagefind writes a format paperfeed cannot put in a stable order; "
            "install the Pagefind version paperfeed requires"
        )
        super().__init__(f"{path}: {self.why}")


def stabilise(bundle: Path) -> None:
    """Rewrite the filter files and the meta file of the Pagefind `bundle` (a folder
    with `pagefind-entry.json`) so that their bytes and names follow from the index."""
    entry_path = bundle / _ENTRY
    entry_text = entry_path.read_text(encoding="utf-8")
    for language in json.loads(entry_text)["languages"].values():
        old = language["hash"]
        new = _stabilise_language(bundle, old)
        # Replaced in the text: the rest of Pagefind's JSON keeps its bytes.
        entry_text = entry_text.replace(f'"hash":"{old}"', f'"hash":"{new}"')
    entry_path.write_text(entry_text, encoding="utf-8")


def _stabilise_language(bundle: Path, meta_hash: str) -> str:
    """Sort one language's filters; the new hash of its meta file."""
    meta_path = bundle / f"pagefind.{meta_hash}.pf_meta"
    meta = read(meta_path)
    listed = meta[_FILTERS] if isinstance(meta, list) and len(meta) > _FILTERS else None
    if not isinstance(meta, list) or not isinstance(listed, list):
        raise PagefindFormatError(meta_path, "no list of filters where Pagefind 1.5 has it")
    language = meta_hash.rsplit("_", 1)[0]
    filters: list[Cbor] = []
    for item in listed:
        match item:
            case [str(name), str(filter_hash)]:
                filters.append([name, _sort_filter(bundle, language, filter_hash)])
            case _:
                raise PagefindFormatError(meta_path, f"a filter is {item!r}, not [name, hash]")
    meta[_FILTERS] = sorted(filters, key=lambda f: f[0])  # type: ignore[index]
    data = encode(meta)
    new_hash = f"{language}_{_hash(data, _META_HASH)}"
    meta_path.unlink()
    write(bundle / f"pagefind.{new_hash}.pf_meta", data)
    return new_hash


def _sort_filter(bundle: Path, language: str, filter_hash: str) -> str:
    """Sort one filter file's values; its new hash."""
    path = bundle / "filter" / f"{filter_hash}.pf_filter"
    content = read(path)
    match content:
        case [str(name), list(values)] if all(
            isinstance(v, list) and v and isinstance(v[0], str) for v in values
        ):
            ordered: Cbor = [name, sorted(values, key=lambda v: v[0])]  # type: ignore[index]
        case _:
            raise PagefindFormatError(path, "not [name, [[value, pages] ...]]")
    data = encode(ordered)
    new_hash = f"{language}_{_hash(data, _FILTER_HASH)}"
    path.unlink()
    write(path.with_name(f"{new_hash}.pf_filter"), data)
    return new_hash


def _hash(data: bytes, length: int) -> str:
    return hashlib.sha256(data).hexdigest()[:length]


def read(path: Path) -> Cbor:
    """The value in a Pagefind file (gzip, the signature, one CBOR item)."""
    try:
        data = gzip.decompress(path.read_bytes())
    except (OSError, EOFError) as e:
        raise PagefindFormatError(path, f"not gzip-compressed ({e})") from None
    if not data.startswith(_SIGNATURE):
        raise PagefindFormatError(path, "no pagefind_dcd signature")
    try:
        value, end = _decode(data, len(_SIGNATURE))
    except (IndexError, ValueError) as e:
        raise PagefindFormatError(path, f"cut short or not CBOR ({e})") from None
    if end != len(data):
        raise PagefindFormatError(path, "bytes after the CBOR item")
    return value


def write(path: Path, value: bytes) -> None:
    """Write encoded CBOR as Pagefind does: signature, then gzip (no time in the header)."""
    path.write_bytes(gzip.compress(_SIGNATURE + value, compresslevel=9, mtime=0))


def _decode(data: bytes, at: int) -> tuple[Cbor, int]:
    head = data[at]
    major, info = head >> 5, head & 31
    at += 1
    if info < 24:
        argument = info
    elif info <= 27:
        size = 1 << (info - 24)
        if at + size > len(data):
            raise IndexError("a number is cut short")
        argument = int.from_bytes(data[at : at + size], "big")
        at += size
    else:
        raise ValueError(f"CBOR of major type {major} ({info}) is not expected")
    if major == 0:
        return argument, at
    if major == 1:
        return -1 - argument, at
    if major == 3:
        if at + argument > len(data):
            raise IndexError("a text is cut short")
        return data[at : at + argument].decode("utf-8"), at + argument
    if major == 4:
        items: list[Cbor] = []
        for _ in range(argument):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    raise ValueError(f"CBOR of major type {major} is not expected")


def encode(value: Cbor) -> bytes:
    """CBOR in its shortest form: whole numbers, text and arrays."""
    if isinstance(value, bool):
        raise TypeError("booleans are not part of these files")
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    return _head(4, len(value)) + b"".join(encode(item) for item in value)


def _head(major: int, argument: int) -> bytes:
    if argument < 24:
        return bytes([major << 5 | argument])
    for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if argument < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | info]) + struct.pack(fmt, argument)
    raise ValueError(f"{argument} does not fit in CBOR's 64 bits")

"""A writer of [MS-CFB] compound files, version 3 (512-byte sectors).

Enough for a ``vbaProject.bin``: nested storages and streams, small streams in the
mini stream (64-byte mini sectors, below the 4096-byte cutoff), one FAT whose
sectors are all listed in the header's DIFAT (files up to about 6.8 MB).

The children of every storage form a red-black tree ordered by (name length,
upper-case name), as 2.6.4 requires and as Windows' reader checks: the tree is
built balanced from the sorted names, every level but the deepest is black, and
the deepest level is red unless it is complete, so every path to a leaf holds
the same number of black nodes and no red node has a red child.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
HEADER_DIFAT_ENTRIES = 109

FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF

SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")

TYPE_STORAGE = 1
TYPE_STREAM = 2
TYPE_ROOT = 5
RED = 0
BLACK = 1

Tree = Mapping[str, "bytes | Tree"]


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: list[int] = field(default_factory=list)
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = BLACK
    start: int = ENDOFCHAIN
    size: int = 0


def name_key(name: str) -> tuple[int, str]:
    """Sort key of sibling names in a storage (2.6.4): UTF-16 length, then upper case."""
    return (len(name.encode("utf-16-le")) // 2, name.upper())


def _check_name(name: str) -> None:
    if not name or len(name.encode("utf-16-le")) // 2 > 31:
        raise ValueError(f"compound-file names have 1 to 31 characters: {name!r}")
    if any(ch in name for ch in "/\\:!"):
        raise ValueError(f"compound-file names must not contain / \\ : !: {name!r}")


def _balanced(ids: list[int], entries: list[_Entry], depth: int, deepest: int, full: bool) -> int:
    """Link ``ids`` (sorted) as a balanced tree; returns the id of its root."""
    if not ids:
        return NOSTREAM
    mid = len(ids) // 2
    node = entries[ids[mid]]
    node.color = RED if depth == deepest and depth > 0 and not full else BLACK
    node.left = _balanced(ids[:mid], entries, depth + 1, deepest, full)
    node.right = _balanced(ids[mid + 1 :], entries, depth + 1, deepest, full)
    return ids[mid]


def _link_children(storage: _Entry, entries: list[_Entry]) -> None:
    ids = sorted(storage.children, key=lambda i: name_key(entries[i].name))
    keys = [name_key(entries[i].name) for i in ids]
    if len(set(keys)) != len(keys):
        raise ValueError(f"duplicate names (case-insensitive) in storage {storage.name!r}")
    n = len(ids)
    deepest = (n).bit_length() - 1 if n else 0  # depth of the deepest level, root at 0
    full = n == (1 << (deepest + 1)) - 1
    storage.child = _balanced(ids, entries, 0, deepest, full)


def _flatten(tree: Tree) -> list[_Entry]:
    entries = [_Entry("Root Entry", TYPE_ROOT)]

    def add(parent: int, subtree: Tree) -> None:
        for name, value in subtree.items():
            _check_name(name)
            index = len(entries)
            if isinstance(value, bytes):
                entries.append(_Entry(name, TYPE_STREAM, data=value, size=len(value)))
                entries[parent].children.append(index)
            else:
                # [MS-CFB] 2.6.3: a storage's starting sector MUST be 0 (as Excel writes)
                entries.append(_Entry(name, TYPE_STORAGE, start=0))
                entries[parent].children.append(index)
                add(index, value)

    add(0, tree)
    for entry in entries:
        if entry.kind in (TYPE_ROOT, TYPE_STORAGE):
            _link_children(entry, entries)
    return entries


def _sectors(size: int, unit: int) -> int:
    return math.ceil(size / unit)


def _directory_entry(entry: _Entry) -> bytes:
    encoded = entry.name.encode("utf-16-le")
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        encoded,
        len(encoded) + 2,
        entry.kind,
        entry.color,
        entry.left,
        entry.right,
        entry.child,
        bytes(16),  # CLSID
        0,  # state bits
        0,  # creation time
        0,  # modified time
        entry.start,
        entry.size,
    )


_EMPTY_ENTRY = struct.pack(
    "<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM, bytes(16), 0, 0, 0, 0, 0
)


def write_compound_file(tree: Tree) -> bytes:
    """Serialise ``tree`` (name -> bytes for a stream, or a dict for a storage)."""
    entries = _flatten(tree)
    streams = [e for e in entries if e.kind == TYPE_STREAM]
    small = [e for e in streams if e.size < MINI_CUTOFF]
    big = [e for e in streams if e.size >= MINI_CUTOFF]

    # Mini stream: small streams packed in 64-byte mini sectors.
    mini_fat: list[int] = []
    mini_stream = bytearray()
    for entry in small:
        if entry.size == 0:
            continue
        count = _sectors(entry.size, MINI_SECTOR)
        entry.start = len(mini_fat)
        mini_fat += [entry.start + k + 1 for k in range(count - 1)] + [ENDOFCHAIN]
        mini_stream += entry.data.ljust(count * MINI_SECTOR, b"\x00")

    n_dir = _sectors(len(entries) * 128, SECTOR)
    n_minifat = _sectors(len(mini_fat) * 4, SECTOR)
    n_ministream = _sectors(len(mini_stream), SECTOR)
    n_big = sum(_sectors(e.size, SECTOR) for e in big)
    n_data = n_dir + n_minifat + n_ministream + n_big
    n_fat = 1
    while n_fat * (SECTOR // 4) < n_data + n_fat:
        n_fat += 1
    if n_fat > HEADER_DIFAT_ENTRIES:
        raise ValueError("compound file too large for a header-only DIFAT (about 6.8 MB)")

    fat = [FATSECT] * n_fat
    body: list[bytes] = []

    def place(blob: bytes, count: int) -> int:
        first = len(fat)
        fat.extend(first + k + 1 for k in range(count - 1))
        fat.append(ENDOFCHAIN)
        body.append(blob.ljust(count * SECTOR, b"\x00"))
        return first

    # Directory last-filled: stream start sectors must be known first, so reserve it.
    dir_start = len(fat)
    fat.extend(dir_start + k + 1 for k in range(n_dir - 1))
    fat.append(ENDOFCHAIN)
    body.append(b"")  # placeholder for the directory
    # the MiniFAT's last sector is padded with FREESECT, like the FAT (2.3)
    mini_fat_padded = mini_fat + [FREESECT] * (n_minifat * (SECTOR // 4) - len(mini_fat))
    minifat_start = (
        place(b"".join(struct.pack("<I", v) for v in mini_fat_padded), n_minifat)
        if n_minifat
        else ENDOFCHAIN
    )
    root = entries[0]
    if n_ministream:
        root.start = place(bytes(mini_stream), n_ministream)
        root.size = len(mini_fat) * MINI_SECTOR
    for entry in big:
        entry.start = place(entry.data, _sectors(entry.size, SECTOR))

    directory = b"".join(_directory_entry(e) for e in entries)
    directory += _EMPTY_ENTRY * (n_dir * 4 - len(entries))
    body[0] = directory

    fat += [FREESECT] * (n_fat * (SECTOR // 4) - len(fat))
    fat_bytes = b"".join(struct.pack("<I", v) for v in fat)

    difat = list(range(n_fat)) + [FREESECT] * (HEADER_DIFAT_ENTRIES - n_fat)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        SIGNATURE,
        bytes(16),
        0x003E,  # minor version
        0x0003,  # major version 3: 512-byte sectors
        0xFFFE,  # little-endian
        9,  # sector shift: 2**9 = 512
        6,  # mini sector shift: 2**6 = 64
        bytes(6),
        0,  # number of directory sectors: always 0 in version 3
        n_fat,
        dir_start,
        0,  # transaction signature
        MINI_CUTOFF,
        minifat_start,
        n_minifat,
        ENDOFCHAIN,  # first DIFAT sector: none
        0,  # number of DIFAT sectors
    ) + b"".join(struct.pack("<I", v) for v in difat)
    assert len(header) == SECTOR
    return header + fat_bytes + b"".join(body)

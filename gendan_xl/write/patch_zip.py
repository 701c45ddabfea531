"""Rewrite a zip package replacing a few entries, copying every other entry's raw bytes.

An .xlsx is a zip. To leave charts, images, pivot caches and the VBA project
byte-identical (and to avoid recompressing a 100k-row sheet that did not change),
the local records of unchanged entries (header, compressed data, data descriptor)
are copied verbatim and only the central directory is rebuilt with new offsets.
Replaced entries are deflated afresh. Packages this code does not expect (zip64,
data before the first entry, multi-disk) fall back to ``zipfile``, which keeps the
same entry contents but recompresses them.
"""

from __future__ import annotations

import io
import itertools
import struct
import time
import zipfile
import zlib
from dataclasses import dataclass
from typing import BinaryIO

_EOCD = struct.Struct("<4s4H2LH")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_LOCAL = struct.Struct("<4s5H3L2H")
_EOCD_SIG = b"PK\x05\x06"
_CENTRAL_SIG = b"PK\x01\x02"
_LOCAL_SIG = b"PK\x03\x04"
_ZIP64_LOCATOR_SIG = b"PK\x06\x07"
_UTF8_FLAG = 0x800


@dataclass
class _Entry:
    name: str
    offset: int
    record: bytes  # the central directory record, as read
    fields: tuple[int, ...]  # the unpacked fixed part of ``record``


class _Unsupported(Exception):
    pass


def rewrite_zip(raw: bytes, replacements: dict[str, bytes], out: BinaryIO) -> None:
    """Write ``raw`` (a zip) to ``out`` with the entries named in ``replacements`` replaced."""
    try:
        entries, cd_offset, comment = _read_directory(raw)
    except _Unsupported:
        _rewrite_with_zipfile(raw, replacements, out)
        return
    missing = set(replacements) - {e.name for e in entries}
    if missing:
        raise KeyError(f"not in the package: {sorted(missing)}")
    order = sorted(entries, key=lambda e: e.offset)
    bounds = {id(e): (e.offset, nxt.offset) for e, nxt in itertools.pairwise(order)}
    bounds[id(order[-1])] = (order[-1].offset, cd_offset)
    dos_time, dos_date = _dos_now()

    central: list[bytes] = []
    pos = 0
    for entry in order:
        start, end = bounds[id(entry)]
        made, need, flags = entry.fields[1:4]
        n_len, e_len, c_len, disk, iattr, eattr = entry.fields[10:16]
        name_bytes = entry.record[_CENTRAL.size : _CENTRAL.size + n_len]
        comment_bytes = entry.record[_CENTRAL.size + n_len + e_len : _CENTRAL.size + n_len + e_len + c_len]
        if pos > 0xFFFFFFFF:
            raise ValueError("package larger than 4 GB")
        if entry.name in replacements:
            data = replacements[entry.name]
            # Level 3 on big parts: 4x faster than 6 for ~10% more bytes (a 33 MB sheet);
            # level 1 on huge ones (a million styled rows of cells: 150 MB of XML).
            level = 6 if len(data) < (2 << 20) else 3 if len(data) < (64 << 20) else 1
            deflater = zlib.compressobj(level, zlib.DEFLATED, -15)
            packed = deflater.compress(data) + deflater.flush()
            crc = zlib.crc32(data) & 0xFFFFFFFF
            flags = flags & _UTF8_FLAG
            need = 20
            local = _LOCAL.pack(_LOCAL_SIG, need, flags, 8, dos_time, dos_date, crc,
                                len(packed), len(data), n_len, 0)
            out.write(local)
            out.write(name_bytes)
            out.write(packed)
            central.append(
                _CENTRAL.pack(_CENTRAL_SIG, made, need, flags, 8, dos_time, dos_date, crc,
                              len(packed), len(data), n_len, 0, c_len, disk, iattr, eattr, pos)
                + name_bytes + comment_bytes
            )
            pos += len(local) + n_len + len(packed)
        else:
            out.write(memoryview(raw)[start:end])
            central.append(entry.record[:42] + struct.pack("<L", pos) + entry.record[46:])
            pos += end - start
    cd = b"".join(central)
    out.write(cd)
    out.write(_EOCD.pack(_EOCD_SIG, 0, 0, len(central), len(central), len(cd), pos, len(comment)))
    out.write(comment)


def _read_directory(raw: bytes) -> tuple[list[_Entry], int, bytes]:
    at = raw.rfind(_EOCD_SIG, max(0, len(raw) - 65557))
    if at < 0:
        raise _Unsupported("no end of central directory")
    _sig, disk, cd_disk, n_disk, n_total, cd_size, cd_offset, c_len = _EOCD.unpack_from(raw, at)
    comment = raw[at + _EOCD.size : at + _EOCD.size + c_len]
    zip64 = at >= 20 and raw[at - 20 : at - 16] == _ZIP64_LOCATOR_SIG
    if (zip64 or disk or cd_disk or n_disk != n_total or n_total == 0xFFFF
            or cd_offset == 0xFFFFFFFF or cd_offset + cd_size != at):
        raise _Unsupported("zip64, multi-disk or unusual layout")
    entries: list[_Entry] = []
    pos = cd_offset
    for _ in range(n_total):
        fields = _CENTRAL.unpack_from(raw, pos)
        if fields[0] != _CENTRAL_SIG:
            raise _Unsupported("bad central directory")
        n_len, e_len, c_len = fields[10], fields[11], fields[12]
        size = _CENTRAL.size + n_len + e_len + c_len
        record = raw[pos : pos + size]
        name_bytes = record[_CENTRAL.size : _CENTRAL.size + n_len]
        name = name_bytes.decode("utf-8" if fields[3] & _UTF8_FLAG else "cp437")
        offset = fields[16]
        if offset == 0xFFFFFFFF or fields[8] == 0xFFFFFFFF or fields[9] == 0xFFFFFFFF:
            raise _Unsupported("zip64 entry")
        entries.append(_Entry(name, offset, record, fields))
        pos += size
    if not entries or min(e.offset for e in entries) != 0:
        raise _Unsupported("data before the first entry")
    for e in entries:
        if raw[e.offset : e.offset + 4] != _LOCAL_SIG:
            raise _Unsupported("bad local header")
    return entries, cd_offset, comment


def _rewrite_with_zipfile(raw: bytes, replacements: dict[str, bytes], out: BinaryIO) -> None:
    with zipfile.ZipFile(io.BytesIO(raw)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = replacements.get(info.filename)
            if data is None:
                data = zin.read(info)
            zout.writestr(info, data, compress_type=info.compress_type)
        zout.comment = zin.comment


def _dos_now() -> tuple[int, int]:
    t = time.localtime()
    dos_time = (t.tm_hour << 11) | (t.tm_min << 5) | (t.tm_sec // 2)
    dos_date = ((max(t.tm_year, 1980) - 1980) << 9) | (t.tm_mon << 5) | t.tm_mday
    return dos_time, dos_date

"""The VBA project streams of [MS-OVBA], written from module source text.

A VBA project inside an Office file is a compound file (see ``cfb.py``) holding:

- ``PROJECT``: a text stream listing the modules and project properties (2.3.1);
- ``PROJECTwm``: module names in the project code page and in UTF-16 (2.3.3);
- ``VBA/dir``: compressed records describing the project and every module (2.3.4.2);
- ``VBA/_VBA_PROJECT``: 7 bytes whose version 0xFFFF says "no compiled cache":
  the host compiles the modules from their source (2.3.4.1);
- ``VBA/<module>``: each module's source, compressed (2.3.4.3); the module offset
  in ``dir`` is 0 because no performance cache precedes the source.

Also here: the compression of 2.4.1 and the data encryption of 2.4.3, which the
``CMG``/``DPB``/``GC`` lines of the ``PROJECT`` stream need.
"""

from __future__ import annotations

import hashlib
import re
import struct
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

CHUNK_SIZE = 4096
_MAX_CANDIDATES = 48  # match candidates tried per position: plenty for source text

# Document module base classes (the VB_Base attribute) for Excel hosts.
WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"

# References every Excel project carries: OLE Automation and the Office library
# (the latter defines IRibbonControl, which ribbon callbacks take). The paths are
# hints only; VBA resolves a registered reference by its GUID and version.
STDOLE_LIBID = (
    r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#"
    r"C:\Windows\System32\stdole2.tlb#OLE Automation"
)
OFFICE_LIBID = (
    r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#"
    r"C:\Program Files\Common Files\Microsoft Shared\OFFICE16\MSO.DLL"
    r"#Microsoft Office 16.0 Object Library"
)
DEFAULT_REFERENCES: tuple[tuple[str, str], ...] = (
    ("stdole", STDOLE_LIBID),
    ("Office", OFFICE_LIBID),
)

_HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"
_VBA_NAME_RE = re.compile(r'^Attribute VB_Name = "([^"]+)"', re.MULTILINE)
_VISIBLE = b"\xff"  # ProjectVisibilityState: the project is visible
_IDENTIFIER_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,30}$")


# --------------------------------------------------------------------------
# 2.4.1 compression
# --------------------------------------------------------------------------


def _copy_token_bits(difference: int) -> int:
    """Bits of a CopyToken used for the offset, at ``difference`` bytes into a chunk."""
    return max((difference - 1).bit_length(), 4)


def _match_length(data: bytes, candidate: int, pos: int, limit: int) -> int:
    """Length of the common run of ``data[candidate:]`` and ``data[pos:]``, up to ``limit``."""
    n = 0
    step = 32
    while (
        n + step <= limit
        and data[candidate + n : candidate + n + step] == data[pos + n : pos + n + step]
    ):
        n += step
    while n < limit and data[candidate + n] == data[pos + n]:
        n += 1
    return n


def _compress_chunk(data: bytes, start: int, end: int) -> bytes:
    """One CompressedChunk (header included) for ``data[start:end]`` (2.4.1.3.7)."""
    body = bytearray()
    chains: dict[bytes, list[int]] = {}

    def remember(p: int) -> None:
        if p + 3 <= end:
            chains.setdefault(data[p : p + 3], []).append(p)

    pos = start
    while pos < end:
        flag_at = len(body)
        body.append(0)
        flags = 0
        for bit in range(8):
            if pos >= end:
                break
            bits = _copy_token_bits(pos - start)
            max_length = min((0xFFFF >> bits) + 3, end - pos)
            best_len, best_off = 0, 0
            if max_length >= 3:
                # Most recent first: ties keep the nearest copy, as the spec's search does.
                candidates = chains.get(data[pos : pos + 3], [])
                for candidate in reversed(candidates[-_MAX_CANDIDATES:]):
                    if best_len and data[candidate + best_len - 1] != data[pos + best_len - 1]:
                        continue
                    length = _match_length(data, candidate, pos, max_length)
                    if length > best_len:
                        best_len, best_off = length, pos - candidate
                        if length == max_length:
                            break
            if best_len >= 3:
                token = ((best_off - 1) << (16 - bits)) | (best_len - 3)
                body += struct.pack("<H", token)
                flags |= 1 << bit
                for p in range(pos, pos + best_len):
                    remember(p)
                pos += best_len
            else:
                body.append(data[pos])
                remember(pos)
                pos += 1
        body[flag_at] = flags
    if len(body) <= CHUNK_SIZE:
        header = 0xB000 | (len(body) - 1)  # flag 1, signature 0b011, size - 3
        return struct.pack("<H", header) + bytes(body)
    # Tokens would not fit: store the chunk raw. A raw chunk always decompresses to
    # 4096 bytes, so a short last chunk is padded with zeros (2.4.1.3.10).
    raw = data[start:end].ljust(CHUNK_SIZE, b"\x00")
    return struct.pack("<H", 0x3FFF) + raw


def compress(data: bytes) -> bytes:
    """Compress ``data`` into an [MS-OVBA] 2.4.1 CompressedContainer.

    Every chunk decompresses to 4096 bytes except the last. Incompressible input
    falls back to raw chunks; only when the *last* chunk is both short and
    incompressible (about 3.6-4 KB of noise) does the spec's padding make the
    decompressed result longer than ``data``: see ``compressed_padding``. Source
    text always compresses, so module source never needs padding.
    """
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK_SIZE):
        out += _compress_chunk(data, start, min(start + CHUNK_SIZE, len(data)))
    return bytes(out)


def compressed_padding(data: bytes) -> int:
    """Zero bytes a spec decompressor appends after ``data`` on reading ``compress(data)``.

    Non-zero only when the last chunk is short and stored raw (see ``compress``).
    """
    if not data:
        return 0
    start = (len(data) - 1) // CHUNK_SIZE * CHUNK_SIZE
    last = _compress_chunk(data, start, len(data))
    return 0 if last[1] & 0x80 else CHUNK_SIZE - (len(data) - start)


# --------------------------------------------------------------------------
# 2.4.3 data encryption (for the PROJECT stream's CMG, DPB and GC lines)
# --------------------------------------------------------------------------


def encrypt(data: bytes, project_clsid: str, seed: int) -> str:
    """Obfuscate ``data`` as [MS-OVBA] 2.4.3.2 describes; returns upper-case hex."""
    version = 2
    proj_key = sum(project_clsid.encode("ascii")) & 0xFF
    out = bytearray([seed & 0xFF, (seed ^ version) & 0xFF, (seed ^ proj_key) & 0xFF])
    state = {"unencrypted1": proj_key, "encrypted1": out[2], "encrypted2": out[1]}

    def put(byte: int) -> None:
        enc = byte ^ ((state["encrypted2"] + state["unencrypted1"]) & 0xFF)
        out.append(enc)
        state["encrypted2"] = state["encrypted1"]
        state["encrypted1"] = enc
        state["unencrypted1"] = byte

    for _ in range((seed & 6) // 2):  # IgnoredEnc: any bytes; zeros keep builds reproducible
        put(0)
    for byte in struct.pack("<I", len(data)):
        put(byte)
    for byte in data:
        put(byte)
    return out.hex().upper()


def decrypt(hex_text: str) -> bytes:
    """Inverse of ``encrypt`` (used by tests and to check real Office output)."""
    blob = bytes.fromhex(hex_text)
    seed = blob[0]
    unencrypted1 = blob[2] ^ seed
    encrypted1, encrypted2 = blob[2], blob[1]
    plain = bytearray()
    for enc in blob[3:]:
        byte = enc ^ ((encrypted2 + unencrypted1) & 0xFF)
        plain.append(byte)
        encrypted2, encrypted1, unencrypted1 = encrypted1, enc, byte
    ignored = (seed & 6) // 2
    length = struct.unpack_from("<I", plain, ignored)[0]
    data = bytes(plain[ignored + 4 :])
    if len(data) != length:
        raise ValueError(f"encrypted length {length} does not match data of {len(data)} bytes")
    return data


# --------------------------------------------------------------------------
# Modules and the project
# --------------------------------------------------------------------------


ModuleKind = Literal["standard", "document"]


@dataclass(frozen=True)
class VBAModule:
    """A module: its name, kind and full source text (``Attribute`` lines included)."""

    name: str
    kind: ModuleKind
    source: str

    def source_bytes(self, codepage: str) -> bytes:
        """The source with CRLF line ends and a final CRLF, in the project code page."""
        text = self.source.replace("\r\n", "\n").replace("\r", "\n")
        if not text.endswith("\n"):
            text += "\n"
        return text.replace("\n", "\r\n").encode(codepage)


def module_name_of(source: str) -> str:
    """The ``Attribute VB_Name`` of a ``.bas`` source (it must be on the first line)."""
    first = source.lstrip("\ufeff").splitlines()[0] if source.strip() else ""
    match = _VBA_NAME_RE.match(first)
    if not match:
        raise ValueError('module source must start with: Attribute VB_Name = "<name>"')
    return match.group(1)


def standard_module(source: str) -> VBAModule:
    """A standard module from ``.bas`` text; its name comes from ``Attribute VB_Name``."""
    source = source.lstrip("\ufeff")
    return VBAModule(module_name_of(source), "standard", source)


def document_module(name: str, base: str, code: str = "") -> VBAModule:
    """A document module (``ThisWorkbook``, ``Sheet1``) bound to its host object,
    empty or holding ``code`` (event handlers such as ``Workbook_Open``)."""
    lines = [
        f'Attribute VB_Name = "{name}"',
        f'Attribute VB_Base = "{base}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        "Attribute VB_PredeclaredId = True",
        "Attribute VB_Exposed = True",
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = True",
    ]
    if code:
        lines.append(code.rstrip("\n"))
    return VBAModule(name, "document", "\n".join(lines) + "\n")


@dataclass(frozen=True)
class VBAProject:
    """A whole VBA project, ready to be written as compound-file streams."""

    name: str
    modules: Sequence[VBAModule]
    codepage: int = 936
    references: Sequence[tuple[str, str]] = DEFAULT_REFERENCES

    @property
    def codec(self) -> str:
        return f"cp{self.codepage}"

    @property
    def clsid(self) -> str:
        """Project GUID, derived from the project name so builds are reproducible."""
        guid = uuid.uuid5(uuid.NAMESPACE_URL, f"gendan_xl:vba:{self.name}")
        return "{" + str(guid).upper() + "}"

    def validate(self) -> None:
        names = [m.name for m in self.modules]
        if not _IDENTIFIER_RE.match(self.name):
            raise ValueError(f"invalid VBA project name: {self.name!r}")
        for name in names:
            if not _IDENTIFIER_RE.match(name):
                raise ValueError(f"invalid VBA module name: {name!r}")
        lowered = [n.lower() for n in names]
        if len(set(lowered)) != len(lowered):
            raise ValueError(f"duplicate VBA module names: {names}")
        if self.name.lower() in lowered:
            raise ValueError("the project and a module must not share a name")

    def streams(self) -> dict[str, bytes | dict[str, bytes]]:
        """The compound-file tree: top-level streams and the ``VBA`` storage."""
        self.validate()
        vba: dict[str, bytes] = {
            "_VBA_PROJECT": vba_project_stream(),
            "dir": compress(self.dir_stream()),
        }
        for module in self.modules:
            source = module.source_bytes(self.codec)
            if compressed_padding(source):
                raise ValueError(f"module {module.name} does not compress like source text")
            vba[module.name] = compress(source)
        return {
            "PROJECT": self.project_stream(),
            "PROJECTwm": self.projectwm_stream(),
            "VBA": vba,
        }

    # -- PROJECT (2.3.1) ------------------------------------------------------

    def _seed(self, label: str) -> int:
        return hashlib.sha256(f"{self.clsid}:{label}".encode()).digest()[0]

    def project_stream(self) -> bytes:
        lines = [f'ID="{self.clsid}"']
        for module in self.modules:
            if module.kind == "document":
                lines.append(f"Document={module.name}/&H00000000")
        for module in self.modules:
            if module.kind == "standard":
                lines.append(f"Module={module.name}")
        lines += [
            f'Name="{self.name}"',
            'HelpContextID="0"',
            'VersionCompatible32="393222000"',
            # Not protected (4 zero bytes), no password (one 0x00), visible (0xFF).
            f'CMG="{encrypt(bytes(4), self.clsid, self._seed("CMG"))}"',
            f'DPB="{encrypt(bytes(1), self.clsid, self._seed("DPB"))}"',
            f'GC="{encrypt(_VISIBLE, self.clsid, self._seed("GC"))}"',
            "",
            "[Host Extender Info]",
            _HOST_EXTENDER,
            "",
            "[Workspace]",
        ]
        lines += [f"{m.name}=0, 0, 0, 0, C" for m in self.modules]
        return ("\r\n".join(lines) + "\r\n").encode(self.codec)

    # -- PROJECTwm (2.3.3) ----------------------------------------------------

    def projectwm_stream(self) -> bytes:
        out = bytearray()
        for module in self.modules:
            out += module.name.encode(self.codec) + b"\x00"
            out += module.name.encode("utf-16-le") + b"\x00\x00"
        return bytes(out + b"\x00\x00")

    # -- dir (2.3.4.2), uncompressed -----------------------------------------

    def dir_stream(self) -> bytes:
        mbcs, utf16 = self.codec, "utf-16-le"
        out = bytearray()
        out += _record(0x0001, struct.pack("<I", 1))  # SYSKIND: 32-bit Windows
        out += _record(0x0002, struct.pack("<I", 0x0409))  # LCID
        out += _record(0x0014, struct.pack("<I", 0x0409))  # LCIDINVOKE
        out += _record(0x0003, struct.pack("<H", self.codepage))  # CODEPAGE
        out += _record(0x0004, self.name.encode(mbcs))  # NAME
        out += _record(0x0005, b"") + _record(0x0040, b"")  # DOCSTRING (+ Unicode)
        out += _record(0x0006, b"") + _record(0x003D, b"")  # HELPFILEPATH 1 and 2
        out += _record(0x0007, struct.pack("<I", 0))  # HELPCONTEXT
        out += _record(0x0008, struct.pack("<I", 0))  # LIBFLAGS
        # VERSION: the size field is a constant 4 although 6 bytes follow.
        out += struct.pack("<HIIH", 0x0009, 4, 1, 0)
        out += _record(0x000C, b"") + _record(0x003C, b"")  # CONSTANTS (+ Unicode)
        for ref_name, libid in self.references:
            out += _record(0x0016, ref_name.encode(mbcs))  # REFERENCENAME
            out += _record(0x003E, ref_name.encode(utf16))
            libid_bytes = libid.encode(mbcs)
            registered = (
                struct.pack("<I", len(libid_bytes)) + libid_bytes + struct.pack("<IH", 0, 0)
            )
            out += _record(0x000D, registered)  # REFERENCEREGISTERED
        out += _record(0x000F, struct.pack("<H", len(self.modules)))  # PROJECTMODULES
        out += _record(0x0013, struct.pack("<H", 0xFFFF))  # PROJECTCOOKIE
        for module in self.modules:
            out += _record(0x0019, module.name.encode(mbcs))  # MODULENAME
            out += _record(0x0047, module.name.encode(utf16))  # MODULENAMEUNICODE
            out += _record(0x001A, module.name.encode(mbcs))  # MODULESTREAMNAME
            out += _record(0x0032, module.name.encode(utf16))
            out += _record(0x001C, b"") + _record(0x0048, b"")  # MODULEDOCSTRING
            out += _record(0x0031, struct.pack("<I", 0))  # MODULEOFFSET: source at 0
            out += _record(0x001E, struct.pack("<I", 0))  # MODULEHELPCONTEXT
            out += _record(0x002C, struct.pack("<H", 0xFFFF))  # MODULECOOKIE
            out += _record(0x0021 if module.kind == "standard" else 0x0022, b"")  # MODULETYPE
            out += _record(0x002B, b"")  # module terminator
        out += _record(0x0010, b"")  # end of dir stream
        return bytes(out)


def _record(record_id: int, payload: bytes) -> bytes:
    return struct.pack("<HI", record_id, len(payload)) + payload


def vba_project_stream() -> bytes:
    """``_VBA_PROJECT`` with version 0xFFFF: no compiled state, compile from source."""
    return struct.pack("<HHBH", 0x61CC, 0xFFFF, 0x00, 0x0001)

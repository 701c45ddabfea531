"""The add-in build: VBA project streams, compound file, package, ribbon, UDF wrappers.

Oracles are programs nobody here wrote: oletools (olevba and its [MS-OVBA]
decompressor), olefile (the compound file), real Office output shipped inside
xlwings (for the PROJECT-stream encryption), and LibreOffice through UNO.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import olefile
import pytest
from defusedxml import ElementTree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oletools.olevba import VBA_Parser, decompress_stream

from gendan_xl.addin import AddinError, build_addin, cfb, install_addin, ovba, udf_vba
from gendan_xl.addin import build as addin_build
from gendan_xl.addin.ribbon import CUSTOMUI_NS, ribbon_buttons, ribbon_callbacks, ribbon_tags
from gendan_xl.addin.sources import (
    bas_files,
    macros_dir,
    read_bas,
    xlwings_module_source,
    xlwings_package_dir,
    xlwings_vba_version,
    xlwings_version,
)

REPO = Path(__file__).resolve().parents[1]
SELFTEST_VALUE = "跟单助手 gendan_xl self-test OK"
UDF_NAMES = {
    "GD_WORKDAYS",
    "GD_ADD_WORKDAYS",
    "GD_DAYS_LATE",
    "GD_STATUS",
    "GD_RMB_UPPER",
    "GD_CARTONS",
}


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def lf(text: str) -> str:
    """CRLF -> LF, and exactly one final newline (the writer ends every module so)."""
    text = text.replace("\r\n", "\n")
    return text if text.endswith("\n") else text + "\n"


def expected_modules() -> dict[str, str]:
    """Module name -> the source text the built project must hold (LF line ends)."""
    contents = addin_build.addin_contents()
    return {m.name: lf(m.source) for m in contents.project.modules}


def dir_records(data: bytes) -> list[tuple[int, bytes]]:
    """The records of a decompressed ``dir`` stream (PROJECTVERSION's size quirk handled)."""
    records, pos = [], 0
    while pos < len(data):
        rid, size = struct.unpack_from("<HI", data, pos)
        if rid == 0x0009:  # PROJECTVERSION: "size" 4, but 6 bytes follow
            size = 6
        records.append((rid, data[pos + 6 : pos + 6 + size]))
        pos += 6 + size
    assert pos == len(data)
    return records


def directory_entries(data: bytes) -> list[dict]:
    """Parse the compound-file directory straight from the bytes ([MS-CFB] 2.2, 2.6.1)."""
    sector_shift = struct.unpack_from("<H", data, 30)[0]
    size = 1 << sector_shift
    n_fat, first_dir = struct.unpack_from("<II", data, 44)
    difat = struct.unpack_from("<109I", data, 76)[:n_fat]
    fat: list[int] = []
    for sector in difat:
        fat += struct.unpack_from(f"<{size // 4}I", data, 512 + sector * size)
    raw = b""
    sector = first_dir
    while sector != cfb.ENDOFCHAIN:
        raw += data[512 + sector * size : 512 + (sector + 1) * size]
        sector = fat[sector]
    entries = []
    for i in range(len(raw) // 128):
        chunk = raw[i * 128 : (i + 1) * 128]
        name_len, kind, color, left, right, child = struct.unpack_from("<HBBIII", chunk, 64)
        name = chunk[: max(name_len - 2, 0)].decode("utf-16-le")
        entries.append(
            {
                "name": name,
                "type": kind,
                "color": color,
                "left": left,
                "right": right,
                "child": child,
            }
        )
    return entries


def _black_height(entries: list[dict], index: int, seen: list[str]) -> int:
    """Black height below ``index``; checks colours on the way, collects names in order."""
    if index == cfb.NOSTREAM:
        return 1
    node = entries[index]
    for side in ("left", "right"):
        if node["color"] == cfb.RED and node[side] != cfb.NOSTREAM:
            assert entries[node[side]]["color"] == cfb.BLACK, "red node with red child"
    left = _black_height(entries, node["left"], seen)
    seen.append(node["name"])
    right = _black_height(entries, node["right"], seen)
    assert left == right, f"unequal black heights under {node['name']!r}"
    return left + (node["color"] == cfb.BLACK)


def check_red_black(entries: list[dict]) -> int:
    """Assert every storage's children form a valid red-black tree; returns storages seen."""
    storages = 0
    for entry in entries:
        if entry["type"] not in (cfb.TYPE_ROOT, cfb.TYPE_STORAGE) or entry["child"] == cfb.NOSTREAM:
            continue
        storages += 1
        root = entries[entry["child"]]
        assert root["color"] == cfb.BLACK, "tree root must be black"
        seen: list[str] = []
        _black_height(entries, entry["child"], seen)
        keys = [cfb.name_key(n) for n in seen]
        assert keys == sorted(keys) and len(set(keys)) == len(keys), "in-order walk not sorted"
    return storages


def part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


@pytest.fixture(scope="module")
def addin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_addin(tmp_path_factory.mktemp("addin") / "gendan_xl.xlam")


@pytest.fixture(scope="module")
def vba_bin(addin: Path) -> bytes:
    return part(addin, "xl/vbaProject.bin")


# --------------------------------------------------------------------------
# [MS-OVBA] compression, checked with oletools' decompressor
# --------------------------------------------------------------------------

SIZES = [0, 1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 255, 1000, 3640, 3641, 4095, 4096, 4097]
SIZES += [4098, 5000, 8191, 8192, 8193, 12288, 12289, 20000, 45 * 1024]


def sample(kind: str, n: int, rng: random.Random) -> bytes:
    if kind == "random":
        return rng.randbytes(n)
    if kind == "zeros":
        return bytes(n)
    if kind == "repeat":
        return (b"Dim x As Long\r\n" * (n // 15 + 1))[:n]
    text = xlwings_module_source().encode("ascii")
    return (text * (n // len(text) + 1))[:n]


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("kind", ["random", "zeros", "repeat", "vba"])
def test_compress_round_trip(kind: str, n: int) -> None:
    data = sample(kind, n, random.Random(n))
    compressed = ovba.compress(data)
    padding = ovba.compressed_padding(data)
    assert decompress_stream(bytearray(compressed)) == data + bytes(padding)
    if kind != "random":
        assert padding == 0


@given(st.binary(max_size=9000))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_compress_round_trip_random(data: bytes) -> None:
    compressed = ovba.compress(data)
    expected = data + bytes(ovba.compressed_padding(data))
    assert decompress_stream(bytearray(compressed)) == expected


@given(st.lists(st.sampled_from([b"a", b"b", b"ab", b"\r\n", b"End Sub", b"\x00"]), max_size=3000))
@settings(max_examples=60, deadline=None)
def test_compress_round_trip_repetitive(pieces: list[bytes]) -> None:
    data = b"".join(pieces)
    assert decompress_stream(bytearray(ovba.compress(data))) == data
    assert ovba.compressed_padding(data) == 0


def test_compressed_chunks_are_well_formed() -> None:
    data = xlwings_module_source().encode("ascii")
    compressed = ovba.compress(data)
    assert compressed[0] == 0x01
    pos, chunks = 1, 0
    while pos < len(compressed):
        header = struct.unpack_from("<H", compressed, pos)[0]
        assert (header >> 12) & 0b111 == 0b011, "chunk signature"
        size = (header & 0x0FFF) + 3
        assert size <= 4098
        pos += size
        chunks += 1
    assert pos == len(compressed)
    assert chunks == -(-len(data) // 4096)
    assert len(compressed) < len(data) / 2


# --------------------------------------------------------------------------
# PROJECT stream encryption ([MS-OVBA] 2.4.3)
# --------------------------------------------------------------------------


def test_decrypt_real_office_output() -> None:
    """CMG/DPB/GC as Excel wrote them in xlwings' quickstart add-in (project not protected)."""
    assert ovba.decrypt("5D5F8AADDAA8DEA8DEA8DEA8DE") == bytes(4)
    assert ovba.decrypt("5D5F8AADDAADDBADDBAD") == b"\x00"
    assert ovba.decrypt("5D5F8AADDAADDBADDB52") == b"\xff"
    # ProjKeyEnc (third byte) = Seed XOR checksum of that project's CLSID string.
    assert sum(b"{318BEE36-5BE1-492A-826D-473DB19B0F30}") & 0xFF == 0x8A ^ 0x5D


@pytest.mark.parametrize("seed", range(0, 256, 7))
def test_encrypt_round_trip(seed: int) -> None:
    clsid = "{00000000-1111-2222-3333-444444444444}"
    for data in (b"", b"\x00", b"\xff", bytes(4), b"password\x00"):
        hex_text = ovba.encrypt(data, clsid, seed)
        assert hex_text == hex_text.upper()
        assert ovba.decrypt(hex_text) == data
        assert int(hex_text[4:6], 16) ^ seed == sum(clsid.encode()) & 0xFF


# --------------------------------------------------------------------------
# [MS-CFB] compound file
# --------------------------------------------------------------------------


@pytest.mark.parametrize("n_children", [1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 40])
def test_compound_file_tree_and_streams(n_children: int) -> None:
    rng = random.Random(n_children)
    names = [f"{'s' * (i % 5 + 1)}{i}" for i in range(n_children)]
    rng.shuffle(names)
    storage = {
        name: rng.randbytes(rng.choice([0, 1, 63, 64, 65, 4095, 4096, 9000])) for name in names
    }
    tree: dict = {"PROJECT": b"x" * 10, "VBA": storage, "Empty": {}}
    data = cfb.write_compound_file(tree)
    assert len(data) % 512 == 0
    assert data[:8] == cfb.SIGNATURE
    assert struct.unpack_from("<HHHHH", data, 24) == (0x3E, 3, 0xFFFE, 9, 6)
    entries = directory_entries(data)
    assert check_red_black(entries) == 2  # root and VBA ("Empty" has no children)
    ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)
    for name, blob in storage.items():
        assert ole.openstream(f"VBA/{name}").read() == blob
    assert ole.get_type("Empty") == olefile.STGTY_STORAGE


def test_compound_file_name_order_is_length_first() -> None:
    assert cfb.name_key("dir") < cfb.name_key("ThisWorkbook") < cfb.name_key("_VBA_PROJECT")
    assert cfb.name_key("abc") == cfb.name_key("ABC")
    with pytest.raises(ValueError):
        cfb.write_compound_file({"VBA": {"abc": b"1", "ABC": b"2"}})
    with pytest.raises(ValueError):
        cfb.write_compound_file({"x" * 32: b""})


def test_vba_project_bin_structure(vba_bin: bytes) -> None:
    entries = directory_entries(vba_bin)
    check_red_black(entries)
    ole = olefile.OleFileIO(io.BytesIO(vba_bin), raise_defects=olefile.DEFECT_INCORRECT)
    streams = {"/".join(p) for p in ole.listdir()}
    modules = expected_modules()
    assert streams == {"PROJECT", "PROJECTwm", "VBA/_VBA_PROJECT", "VBA/dir"} | {
        f"VBA/{name}" for name in modules
    }
    assert ole.openstream("VBA/_VBA_PROJECT").read() == b"\xcc\x61\xff\xff\x00\x01\x00"


# --------------------------------------------------------------------------
# the built project, read back by olevba and by hand
# --------------------------------------------------------------------------


def test_olevba_lists_every_module_with_its_source(addin: Path) -> None:
    """olevba returns each module's source as stored: decoded with the project's code
    page (936), CRLF line ends, ``Attribute`` lines included. The ``.bas`` files begin
    with their ``Attribute VB_Name`` line as VBA exports do, and are kept with LF
    ends in the repository, so the comparison is exact after CRLF -> LF; the
    writer adds a final line end when a file lacks one."""
    parser = VBA_Parser(str(addin))
    try:
        found = {stream.split("/")[-1]: lf(code) for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()
    modules = expected_modules()
    assert found == modules
    for path in bas_files():
        source = lf(read_bas(path))
        name = ovba.module_name_of(source)
        assert found[name] == source, path.name
    assert found["xlwings"] == lf(xlwings_module_source())
    assert SELFTEST_VALUE in found["GendanRibbon"]  # Chinese survives code page 936


def test_dir_stream_describes_the_project(vba_bin: bytes) -> None:
    ole = olefile.OleFileIO(io.BytesIO(vba_bin))
    records = dir_records(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))
    by_id: dict[int, list[bytes]] = {}
    for rid, payload in records:
        by_id.setdefault(rid, []).append(payload)
    assert struct.unpack("<H", by_id[0x0003][0])[0] == 936
    assert by_id[0x0004][0] == b"GendanXL"
    assert records[-1] == (0x0010, b"")
    names = [p.decode("cp936") for p in by_id[0x0019]]
    modules = expected_modules()
    assert names == list(modules)
    assert struct.unpack("<H", by_id[0x000F][0])[0] == len(modules)
    assert all(struct.unpack("<I", p)[0] == 0 for p in by_id[0x0031]), "source at offset 0"
    types = [rid for rid, _ in records if rid in (0x0021, 0x0022)]
    assert types == [0x0022, 0x0022] + [0x0021] * (len(modules) - 2)
    refs = [p.decode("cp936") for p in by_id[0x0016]]
    assert refs == ["stdole", "Office"]  # Office defines IRibbonControl


def test_project_and_projectwm_streams_agree(vba_bin: bytes) -> None:
    ole = olefile.OleFileIO(io.BytesIO(vba_bin))
    text = ole.openstream("PROJECT").read().decode("cp936")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    modules = list(expected_modules())
    assert lines[1:3] == ["Document=ThisWorkbook/&H00000000", "Document=Sheet1/&H00000000"]
    assert [ln.split("=", 1)[1] for ln in lines if ln.startswith("Module=")] == modules[2:]
    assert 'Name="GendanXL"' in lines
    values = dict(ln.split("=", 1) for ln in lines if ln[:4] in ("CMG=", "DPB=", 'GC="', 'ID="'))
    clsid = values["ID"].strip('"')
    assert ovba.decrypt(values["CMG"].strip('"')) == bytes(4)
    assert ovba.decrypt(values["DPB"].strip('"')) == b"\x00"
    assert ovba.decrypt(values["GC"].strip('"')) == b"\xff"
    assert int(values["GC"].strip('"')[4:6], 16) ^ int(values["GC"].strip('"')[:2], 16) == (
        sum(clsid.encode()) & 0xFF
    )
    workspace = lines[lines.index("[Workspace]") + 1 :]
    assert [ln.split("=")[0] for ln in workspace if ln] == modules
    wm = ole.openstream("PROJECTwm").read()
    expected_wm = b"".join(
        m.encode("cp936") + b"\x00" + m.encode("utf-16-le") + b"\x00\x00" for m in modules
    )
    assert wm == expected_wm + b"\x00\x00"


def test_document_modules_match_workbook_code_names(addin: Path) -> None:
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    workbook = ElementTree.fromstring(part(addin, "xl/workbook.xml"))
    sheet = ElementTree.fromstring(part(addin, "xl/worksheets/sheet1.xml"))
    book_code = workbook.find("m:workbookPr", ns).get("codeName")
    sheet_code = sheet.find("m:sheetPr", ns).get("codeName")
    modules = expected_modules()
    assert (book_code, sheet_code) == ("ThisWorkbook", "Sheet1")
    assert 'Attribute VB_Base = "0{00020819-0000-0000-C000-000000000046}"' in modules[book_code]
    assert 'Attribute VB_Base = "0{00020820-0000-0000-C000-000000000046}"' in modules[sheet_code]
    sheets = workbook.findall("m:sheets/m:sheet", ns)
    assert [s.get("name") for s in sheets] == ["gendan_xl.conf"]


def test_package_parts_relationships_and_content_types(addin: Path) -> None:
    with zipfile.ZipFile(addin) as archive:
        assert archive.testzip() is None
        names = set(archive.namelist())
    assert {"xl/vbaProject.bin", "customUI/customUI14.xml", "[Content_Types].xml"} <= names
    types = ElementTree.fromstring(part(addin, "[Content_Types].xml"))
    overrides = {o.get("PartName"): o.get("ContentType") for o in types}
    assert overrides["/xl/workbook.xml"] == "application/vnd.ms-excel.addin.macroEnabled.main+xml"
    assert overrides["/xl/vbaProject.bin"] == "application/vnd.ms-office.vbaProject"
    for name in names:
        if name.endswith(".rels") or name == "[Content_Types].xml":
            continue
        ext = name.rsplit(".", 1)[-1]
        assert f"/{name}" in overrides or ext == "xml", f"{name} has no content type"
    root_rels = {
        r.get("Type"): r.get("Target") for r in ElementTree.fromstring(part(addin, "_rels/.rels"))
    }
    assert root_rels["http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"] == (
        "customUI/customUI14.xml"
    )
    book_rels = {
        r.get("Type"): r.get("Target")
        for r in ElementTree.fromstring(part(addin, "xl/_rels/workbook.xml.rels"))
    }
    assert book_rels["http://schemas.microsoft.com/office/2006/relationships/vbaProject"] == (
        "vbaProject.bin"
    )
    for name in names:  # every part is well-formed XML, except the VBA project
        if name != "xl/vbaProject.bin":
            ElementTree.fromstring(part(addin, name))
    assert part(addin, "customUI/customUI14.xml") == (macros_dir() / "customUI14.xml").read_bytes()


def test_config_sheet_holds_the_xlwings_settings(addin: Path) -> None:
    """xlwings' add-in module reads ``<PROJECT_NAME>.conf``: keys in column A from A1."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    strings = [
        si.findtext("m:t", namespaces=ns)
        for si in ElementTree.fromstring(part(addin, "xl/sharedStrings.xml"))
    ]
    sheet = ElementTree.fromstring(part(addin, "xl/worksheets/sheet1.xml"))
    cells = {
        c.get("r"): strings[int(c.findtext("m:v", namespaces=ns))]
        for c in sheet.iter(f"{{{ns['m']}}}c")
    }
    assert cells == {"A1": "UDF Modules", "B1": "gendan_xl.excel.udfs"}
    assert 'PROJECT_NAME As String = "gendan_xl"' in expected_modules()["xlwings"]


def test_build_is_reproducible(addin: Path, tmp_path: Path) -> None:
    again = build_addin(tmp_path)  # a folder: the file name is added
    assert again == tmp_path / "gendan_xl.xlam"
    assert again.read_bytes() == addin.read_bytes()


# --------------------------------------------------------------------------
# xlwings: one exact version, VBA and Python
# --------------------------------------------------------------------------


def test_xlwings_vba_module_matches_installed_and_pinned_version() -> None:
    source = xlwings_module_source()
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    pins = [d for d in pyproject["project"]["dependencies"] if d.startswith("xlwings")]
    assert pins == [f"xlwings=={xlwings_version()}"]
    assert xlwings_vba_version(source) == xlwings_version()
    assert f'XLPyDLLName As String = "xlwings64-{xlwings_version()}.dll"' in source
    shipped = (xlwings_package_dir() / "xlwings_custom_addin.bas").read_text(encoding="ascii")
    # Only the project name differs from what xlwings ships.
    assert source == shipped.replace("\r\n", "\n").replace(
        'PROJECT_NAME As String = "myaddin"', 'PROJECT_NAME As String = "gendan_xl"'
    )


def test_addin_package_does_not_import_xlwings() -> None:
    code = "import sys, gendan_xl.addin.build; print('xlwings' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


# --------------------------------------------------------------------------
# ribbon
# --------------------------------------------------------------------------


def test_ribbon_layout_labels_and_icons() -> None:
    root = ElementTree.parse(str(macros_dir() / "customUI14.xml")).getroot()
    assert root.tag == f"{{{CUSTOMUI_NS}}}customUI"
    tabs = list(root.iter(f"{{{CUSTOMUI_NS}}}tab"))
    assert [t.get("label") for t in tabs] == ["跟单助手"]
    layout = [(b.group, b.label, b.tag) for b in ribbon_buttons()]
    assert layout == [
        ("数据", "检查数据", "check"),
        ("计划", "交期预警", "alerts"),
        ("计划", "产能负荷", "capacity"),
        ("计划", "插单模拟", "whatif"),
        ("计划", "订单评审", "review"),
        ("单据", "生成工单", "work_orders"),
        ("单据", "生成送货单", "delivery_notes"),
        ("单据", "对账单", "statement"),
        ("单据", "欠料", "shortages"),
        ("单据", "发料单", "material_issues"),
        ("帮助", "设置", "settings"),
        ("帮助", "关于", "about"),
    ]
    buttons = ribbon_buttons()
    assert all(b.image_mso and b.on_action == "GendanButton" for b in buttons)
    ids = [b.id for b in buttons]
    assert len(set(ids)) == len(ids)
    assert len(set(ribbon_tags())) == len(ribbon_tags())


def test_every_ribbon_callback_exists_in_the_vba() -> None:
    public_subs = set()
    for source in expected_modules().values():
        public_subs |= set(
            re.findall(r"^(?:Public )?Sub (\w+)\(control As IRibbonControl\)", source, re.M)
        )
    assert ribbon_callbacks() <= public_subs
    assert ribbon_callbacks() == {"GendanButton"}
    ribbon_module = expected_modules()["GendanRibbon"]
    assert (
        """RunPython "import gendan_xl.excel.buttons as b; b.run('" & control.Tag & "')\""""
        in ribbon_module
    )


def test_every_tag_has_a_handler_and_every_handler_a_tag() -> None:
    try:
        from gendan_xl.excel import buttons  # type: ignore[attr-defined]
    except ModuleNotFoundError as exc:
        if exc.name != "gendan_xl.excel.buttons":
            raise
        pytest.skip("gendan_xl/excel/buttons.py does not exist yet (ribbon handlers, issue 5)")
    handlers = buttons.HANDLERS
    assert set(ribbon_tags()) == set(handlers)
    assert all(callable(h) for h in handlers.values())


# --------------------------------------------------------------------------
# UDF wrappers
# --------------------------------------------------------------------------

FAKE_UDFS = '''
"""A fake UDF module."""
import xlwings as xw
from xlwings import func as excel_function

def helper(x):
    return x

@xw.func
def PLAIN(a, b):
    return a + b

@xw.func(volatile=True)
@xw.arg("start", ndim=2, doc="start")
def WITH_OPTIONAL(start, end, line=None):
    return 1

@excel_function(call_in_wizard=False)
def VARIADIC(first, *rest):
    return 1

@xw.func
@xw.arg("where", vba="Application.Caller.Address")
def SPECIAL(x, where, caller):
    return 1

@xw.sub
def A_SUB(x):
    pass
'''


def test_udf_discovery_from_source() -> None:
    udfs = {u.name: u for u in udf_vba.find_udfs(FAKE_UDFS)}
    assert list(udfs) == ["PLAIN", "WITH_OPTIONAL", "VARIADIC", "SPECIAL", "A_SUB"]
    assert [a.optional for a in udfs["WITH_OPTIONAL"].args] == [False, False, True]
    assert udfs["WITH_OPTIONAL"].volatile
    assert not udfs["VARIADIC"].call_in_wizard and udfs["VARIADIC"].args[-1].vararg
    assert [a.vba for a in udfs["SPECIAL"].args] == [None, "Application.Caller.Address", "Nothing"]
    assert udfs["A_SUB"].sub


def test_udf_wrapper_vba() -> None:
    vba = udf_vba.udf_module_source("fake.udfs", FAKE_UDFS)
    assert vba.startswith('Attribute VB_Name = "xlwings_udfs"\n')
    assert "Function PLAIN(a, b)" in vba
    assert (
        'PLAIN = GendanErrors(XLPy.CallUDF("fake.udfs", "PLAIN", Array(a, b), ActiveWorkbook, Application.Caller))'
        in vba
    )
    # VBA reserves End and Line: renamed in VBA only, Python gets arguments by position.
    assert "Function WITH_OPTIONAL(start, end_, Optional line_)" in vba
    assert "Array(start, end_, line_)" in vba
    assert "Application.Volatile" in vba
    assert "Function VARIADIC(first, ParamArray rest())" in vba
    assert (
        'If (Not Application.CommandBars("Standard").Controls(1).Enabled) Then Exit Function' in vba
    )
    assert "ReDim Preserve argsArray(0 To UBound(rest) - LBound(rest) + 1)" in vba
    assert "Function SPECIAL(x)" in vba
    assert "Array(x, Application.Caller.Address, Nothing)" in vba
    assert "Sub A_SUB(x)" in vba and "End Sub" in vba
    assert "helper" not in vba
    # Blocks balance: every Function/Sub ends once.
    assert vba.count("\nFunction ") == vba.count("\nEnd Function")
    assert vba.count("\nSub ") == vba.count("\nEnd Sub")


@pytest.mark.parametrize(
    "source",
    [
        "import xlwings as xw\n@xw.func\ndef F(a, *, b):\n    pass\n",
        "import xlwings as xw\n@xw.func\ndef F(a, **kw):\n    pass\n",
        "import xlwings as xw\n@xw.func\ndef F(a=1, *rest):\n    pass\n",
        "import xlwings as xw\n@xw.func\ndef AB12(a):\n    pass\n",
        "import xlwings as xw\n@xw.func\ndef _hidden(a):\n    pass\n",
        "import xlwings as xw\n@xw.func\ndef f(a):\n    pass\n@xw.func\ndef F(a):\n    pass\n",
    ],
)
def test_udf_sources_that_cannot_be_wrapped(source: str) -> None:
    with pytest.raises(udf_vba.UdfSourceError):
        udf_vba.find_udfs(source)


def test_udf_wrapper_module_from_an_importable_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "fake_gendan_udfs.py").write_text(FAKE_UDFS, encoding="utf-8")
    (tmp_path / "fake_gendan_bad.py").write_text(
        "import xlwings as xw\n@xw.func\ndef F(*, k):\n    pass\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    module = addin_build.udf_wrapper_module("fake_gendan_udfs")
    assert module is not None and module.name == "xlwings_udfs"
    assert 'XLPy.CallUDF("fake_gendan_udfs", "PLAIN", ' in module.source
    assert "fake_gendan_udfs" not in sys.modules  # read, never imported
    assert addin_build.udf_wrapper_module("fake_gendan_missing") is None
    with pytest.raises(AddinError, match="fake_gendan_bad"):
        addin_build.udf_wrapper_module("fake_gendan_bad")


def test_macro_file_without_module_name_is_refused(tmp_path: Path) -> None:
    shutil.copyfile(macros_dir() / "customUI14.xml", tmp_path / "customUI14.xml")
    (tmp_path / "Broken.bas").write_text("Sub X()\nEnd Sub\n", encoding="utf-8")
    with pytest.raises(AddinError, match=r"Broken\.bas"):
        build_addin(tmp_path / "out.xlam", macros=tmp_path)


def test_udf_wrappers_of_the_project_module(addin: Path) -> None:
    path = udf_vba.module_source_file(addin_build.UDF_MODULE)
    if path is None:
        pytest.skip("gendan_xl/excel/udfs.py does not exist yet (UDFs, issue 5)")
    udfs = udf_vba.find_udfs(path.read_text(encoding="utf-8"))
    assert {u.name for u in udfs} == UDF_NAMES
    wrappers = expected_modules()["xlwings_udfs"]
    for name in UDF_NAMES:
        assert f'XLPy.CallUDF("gendan_xl.excel.udfs", "{name}", ' in wrappers


# --------------------------------------------------------------------------
# install
# --------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="checks the message shown off Windows")
def test_install_off_windows_says_what_it_would_do() -> None:
    with pytest.raises(AddinError) as info:
        install_addin()
    message = str(info.value)
    assert message.startswith("“gendan addin install”只能在 Windows 上运行")
    assert "XLSTART" in message and "gendan_xl.conf" in message and "Windows only" in message


def test_install_writes_addin_and_user_config(tmp_path: Path) -> None:
    appdata, profile = tmp_path / "AppData" / "Roaming", tmp_path / "Users" / "clerk"
    message = addin_build._install(appdata, profile, r"C:\Python311\python.exe")
    addin, config = addin_build.install_targets(appdata, profile)
    assert addin == appdata / "Microsoft" / "Excel" / "XLSTART" / "gendan_xl.xlam"
    assert zipfile.is_zipfile(addin)
    text = config.read_text(encoding="utf-8")
    assert text.splitlines()[0] == r'"INTERPRETER_WIN","C:\Python311\python.exe"'
    assert str(addin) in message and str(config) in message


# --------------------------------------------------------------------------
# LibreOffice: a real client reads the project and runs a macro
# --------------------------------------------------------------------------

SYSTEM_PYTHON = "/usr/bin/python3"


def _libreoffice_missing() -> str | None:
    if shutil.which("soffice") is None:
        return "LibreOffice (soffice) is not installed"
    if not Path(SYSTEM_PYTHON).exists():
        return f"{SYSTEM_PYTHON} is missing (needed with python3-uno)"
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, timeout=60)
    if probe.returncode != 0:
        return f"{SYSTEM_PYTHON} cannot import uno (install python3-uno)"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _lo_source(text: str) -> str:
    """LibreOffice's view of a module minus the two lines it adds on import
    (``Rem Attribute VBA_ModuleType=...`` and ``Option VBASupport 1``)."""
    lines = text.split("\n")
    assert (
        lines[0].startswith("Rem Attribute VBA_ModuleType=") and lines[1] == "Option VBASupport 1"
    )
    return "\n".join(lines[2:]).rstrip("\n")


def _without_attributes(source: str) -> str:
    """A module source as LibreOffice keeps it: ``Attribute`` lines dropped."""
    kept = [ln for ln in source.split("\n") if not ln.startswith("Attribute ")]
    return "\n".join(kept).rstrip("\n")


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_reads_the_project_and_runs_the_self_test(addin: Path, tmp_path: Path) -> None:
    """Two files, one soffice. The add-in as built: LibreOffice must import every
    module with its exact source. The same project without xlwings' module: the
    ribbon module's GendanSelfTest must run and write its cell. (LibreOffice has no
    VBA conditional compilation, so it cannot compile xlwings' module, and it
    compiles a project as a whole before running any of its macros.)"""
    missing = _libreoffice_missing()
    if missing:
        # Same rule as conftest.py: CI sets the variable, a missing client then fails.
        if os.environ.get("GENDAN_REQUIRE_LIBREOFFICE", "").strip() not in ("", "0", "false", "no"):
            pytest.fail(f"GENDAN_REQUIRE_LIBREOFFICE=1 but {missing}")
        pytest.skip(missing)

    work = tmp_path / "work"
    work.mkdir()
    full = work / "gendan_xl.xlam"
    shutil.copyfile(addin, full)
    runnable = addin_build.write_addin(
        addin_build.addin_contents(include_xlwings=False), work / "gendan_xl_no_xlwings.xlam"
    )
    jobs = [
        {"file": str(full), "library": "GendanXL", "macro": None},
        {
            "file": str(runnable),
            "library": "GendanXL",
            "macro": "GendanRibbon.GendanSelfTest",
            "cell": "D1",
        },
        {
            "file": str(runnable),
            "library": "GendanXL",
            "macro": "GendanErrors.GendanErrorSelfTest",
            "cell": "D2",
        },
    ]
    jobs_file = tmp_path / "jobs.json"
    jobs_file.write_text(json.dumps(jobs), encoding="utf-8")

    port = _free_port()
    profile = (tmp_path / "profile").as_uri()
    office = subprocess.Popen(
        [
            "soffice",
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--nologo",
            f"-env:UserInstallation={profile}",
            f"--accept=socket,host=127.0.0.1,port={port};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: killed as one below
    )
    try:
        run = subprocess.run(
            [
                SYSTEM_PYTHON,
                str(Path(__file__).with_name("uno_addin_selftest.py")),
                str(port),
                str(jobs_file),
            ],
            capture_output=True,
            text=True,
            timeout=180,
            cwd=work,
        )
    finally:
        try:
            os.killpg(office.pid, signal.SIGTERM)
            office.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(office.pid, signal.SIGKILL)
            office.wait(timeout=15)
    assert run.returncode == 0, run.stderr
    full_result, runnable_result, errors_result = json.loads(run.stdout)

    modules = expected_modules()
    assert full_result["loaded"] and "GendanXL" in full_result["libraries"]
    assert set(full_result["modules"]) == set(modules)
    for name, source in modules.items():
        assert _lo_source(full_result["modules"][name]) == _without_attributes(source), name
    assert full_result["sheet"] == "gendan_xl.conf"
    assert full_result["cells"]["A1"] == "UDF Modules"

    assert runnable_result["invoked"], runnable_result.get("error")
    assert runnable_result["before"] == ""
    assert runnable_result["value"] == SELFTEST_VALUE
    # GendanErrors: "#N/A" and "#VALUE!" become error values, "已完成" and 5 pass
    # unchanged, and in a 2-D array only the error text does.
    assert errors_result["invoked"], errors_result.get("error")
    assert errors_result["value"] == "TTFT|TF"

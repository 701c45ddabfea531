"""The ``.xlam`` package: a macro-enabled add-in workbook around a ``vbaProject.bin``.

Parts: the workbook (content type ``addin.macroEnabled.main``, code name
``ThisWorkbook``) with one sheet (code name ``Sheet1``) that holds the add-in's
xlwings settings, styles, shared strings, document properties, the VBA project
with its relationship, a theme (``xl/theme/theme1.xml``, a small one of our own:
every workbook Excel saves has one, and the styles' ``scheme="minor"`` font refers
to it), and the ribbon ``customUI/customUI14.xml`` related from the package root. The zip is written reproducibly (fixed timestamps, fixed order).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from gendan_xl.cells import col_letter

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_OFFICE_DOC = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)
REL_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
REL_APP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties"
REL_UI_2010 = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
REL_WORKSHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
REL_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
REL_STRINGS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
REL_THEME = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme"
NS_DRAWING = "http://schemas.openxmlformats.org/drawingml/2006/main"

CT_ADDIN = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
CT_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
CT_VBA = "application/vnd.ms-office.vbaProject"
CT_CORE = "application/vnd.openxmlformats-package.core-properties+xml"
CT_APP = "application/vnd.openxmlformats-officedocument.extended-properties+xml"
CT_THEME = "application/vnd.openxmlformats-officedocument.theme+xml"
THEME_PART = "xl/theme/theme1.xml"

CUSTOMUI_PART = "customUI/customUI14.xml"
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
FONT_NAME = "等线"  # Excel's default font in Chinese locales; always named (see TESTING.md)


def _rels(rels: Sequence[tuple[str, str, str]]) -> str:
    items = "".join(
        f'<Relationship Id="{rid}" Type="{rtype}" Target="{target}"/>'
        for rid, rtype, target in rels
    )
    return f'{_XML_DECL}<Relationships xmlns="{NS_PKG_REL}">{items}</Relationships>'


def _content_types() -> str:
    overrides = [
        ("/xl/workbook.xml", CT_ADDIN),
        ("/xl/worksheets/sheet1.xml", CT_WORKSHEET),
        ("/xl/styles.xml", CT_STYLES),
        ("/xl/sharedStrings.xml", CT_STRINGS),
        ("/xl/vbaProject.bin", CT_VBA),
        ("/" + THEME_PART, CT_THEME),
        ("/docProps/core.xml", CT_CORE),
        ("/docProps/app.xml", CT_APP),
    ]
    items = "".join(f'<Override PartName="{p}" ContentType="{c}"/>' for p, c in overrides)
    return (
        f'{_XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f"{items}</Types>"
    )


def _workbook(sheet_name: str) -> str:
    return (
        f'{_XML_DECL}<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_R}">'
        '<fileVersion appName="xl"/>'
        '<workbookPr codeName="ThisWorkbook"/>'
        '<bookViews><workbookView xWindow="0" yWindow="0" windowWidth="16000" windowHeight="9000"/></bookViews>'
        f'<sheets><sheet name={quoteattr(sheet_name)} sheetId="1" r:id="rId1"/></sheets>'
        '<calcPr calcId="191029"/>'
        "</workbook>"
    )


def _sheet(rows: Sequence[Sequence[str]], strings: dict[str, int]) -> str:
    cells = []
    for r, row in enumerate(rows, start=1):
        row_cells = "".join(
            f'<c r="{col_letter(c)}{r}" t="s"><v>{strings[value]}</v></c>'
            for c, value in enumerate(row)
            if value != ""
        )
        cells.append(f'<row r="{r}">{row_cells}</row>')
    width = max((len(row) for row in rows), default=1)
    ref = f"A1:{col_letter(max(width, 1) - 1)}{max(len(rows), 1)}"
    return (
        f'{_XML_DECL}<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_R}">'
        '<sheetPr codeName="Sheet1"/>'
        f'<dimension ref="{ref}"/>'
        '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
        '<sheetFormatPr defaultRowHeight="14.25"/>'
        '<cols><col min="1" max="1" width="22" customWidth="1"/>'
        '<col min="2" max="2" width="40" customWidth="1"/></cols>'
        f"<sheetData>{''.join(cells)}</sheetData>"
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        "</worksheet>"
    )


def _shared_strings(strings: dict[str, int]) -> str:
    items = "".join(
        f'<si><t xml:space="preserve">{escape(s)}</t></si>'
        for s in sorted(strings, key=strings.__getitem__)
    )
    n = len(strings)
    return f'{_XML_DECL}<sst xmlns="{NS_MAIN}" count="{n}" uniqueCount="{n}">{items}</sst>'


def _styles() -> str:
    return (
        f'{_XML_DECL}<styleSheet xmlns="{NS_MAIN}">'
        f'<fonts count="1"><font><sz val="11"/><name val="{FONT_NAME}"/><family val="2"/>'
        '<charset val="134"/><scheme val="minor"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )


# The theme's colours (our own palette: blues for headers, an orange accent) in the
# order [dk1, lt1] are system colours; the rest are given as RGB.
THEME_COLOURS = (
    ("dk2", "1F3A5F"),
    ("lt2", "E8EEF4"),
    ("accent1", "2F6DB5"),
    ("accent2", "E07B39"),
    ("accent3", "8A8A8A"),
    ("accent4", "D9A600"),
    ("accent5", "3B8EA5"),
    ("accent6", "5C9E48"),
    ("hlink", "0B61C4"),
    ("folHlink", "7A4FA0"),
)


def _theme() -> str:
    """A minimal DrawingML theme: colour, font and format schemes with the elements
    the schema requires (three of each style list), nothing more."""
    colours = (
        '<a:dk1><a:sysClr val="windowText" lastClr="000000"/></a:dk1>'
        '<a:lt1><a:sysClr val="window" lastClr="FFFFFF"/></a:lt1>'
    ) + "".join(f'<a:{name}><a:srgbClr val="{rgb}"/></a:{name}>' for name, rgb in THEME_COLOURS)

    def font(name: str) -> str:
        return f'<a:latin typeface="{name}"/><a:ea typeface="{name}"/><a:cs typeface=""/>'

    fill = '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>'
    lines = "".join(
        f'<a:ln w="{w}" cap="flat" cmpd="sng" algn="ctr">{fill}<a:prstDash val="solid"/></a:ln>'
        for w in (6350, 12700, 19050)
    )
    return (
        f'{_XML_DECL}<a:theme xmlns:a="{NS_DRAWING}" name="gendan_xl">'
        "<a:themeElements>"
        f'<a:clrScheme name="gendan_xl">{colours}</a:clrScheme>'
        '<a:fontScheme name="gendan_xl">'
        f"<a:majorFont>{font(FONT_NAME + ' Light')}</a:majorFont>"
        f"<a:minorFont>{font(FONT_NAME)}</a:minorFont>"
        "</a:fontScheme>"
        '<a:fmtScheme name="gendan_xl">'
        f"<a:fillStyleLst>{fill * 3}</a:fillStyleLst>"
        f"<a:lnStyleLst>{lines}</a:lnStyleLst>"
        f"<a:effectStyleLst>{'<a:effectStyle><a:effectLst/></a:effectStyle>' * 3}</a:effectStyleLst>"
        f"<a:bgFillStyleLst>{fill * 3}</a:bgFillStyleLst>"
        "</a:fmtScheme>"
        "</a:themeElements>"
        "<a:objectDefaults/><a:extraClrSchemeLst/>"
        "</a:theme>"
    )


def _core(title: str) -> str:
    return (
        f"{_XML_DECL}<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title><dc:creator>gendan_xl</dc:creator>"
        "</cp:coreProperties>"
    )


def _app() -> str:
    return (
        f"{_XML_DECL}<Properties "
        'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>Microsoft Excel</Application></Properties>"
    )


def write_xlam(
    vba_project_bin: bytes,
    customui_xml: bytes,
    sheet_name: str,
    rows: Sequence[Sequence[str]],
    title: str,
) -> bytes:
    """The ``.xlam`` file as bytes. ``rows`` are the one sheet's text cells from A1."""
    strings: dict[str, int] = {}
    for row in rows:
        for value in row:
            if value != "" and value not in strings:
                strings[value] = len(strings)
    parts: list[tuple[str, bytes]] = [
        ("[Content_Types].xml", _content_types().encode()),
        (
            "_rels/.rels",
            _rels(
                [
                    ("rId1", REL_OFFICE_DOC, "xl/workbook.xml"),
                    ("rId2", REL_CORE, "docProps/core.xml"),
                    ("rId3", REL_APP, "docProps/app.xml"),
                    ("rId4", REL_UI_2010, CUSTOMUI_PART),
                ]
            ).encode(),
        ),
        ("docProps/core.xml", _core(title).encode()),
        ("docProps/app.xml", _app().encode()),
        ("xl/workbook.xml", _workbook(sheet_name).encode()),
        (
            "xl/_rels/workbook.xml.rels",
            _rels(
                [
                    ("rId1", REL_WORKSHEET, "worksheets/sheet1.xml"),
                    ("rId2", REL_STYLES, "styles.xml"),
                    ("rId3", REL_STRINGS, "sharedStrings.xml"),
                    ("rId4", REL_VBA, "vbaProject.bin"),
                    ("rId5", REL_THEME, "theme/theme1.xml"),
                ]
            ).encode(),
        ),
        ("xl/worksheets/sheet1.xml", _sheet(rows, strings).encode()),
        ("xl/styles.xml", _styles().encode()),
        ("xl/sharedStrings.xml", _shared_strings(strings).encode()),
        (THEME_PART, _theme().encode()),
        ("xl/vbaProject.bin", vba_project_bin),
        (CUSTOMUI_PART, customui_xml),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()

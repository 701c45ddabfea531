"""Structural checks of an .xlsx for the things Excel refuses or "repairs".

LibreOffice silently repairs what Excel reports as "We found a problem with some
content...". ``lint_xlsx`` reads the raw zip/XML (no openpyxl: fast, and it sees
what is really in the file) and returns one readable line per problem:

- sheet names: over 31 characters, characters ``[]:*?/\\``, blank, leading or
  trailing apostrophe, the reserved name ``History``, duplicates (case-insensitive);
- merged ranges that overlap each other, tables that overlap each other or a merge;
- table names that collide (with each other or a defined name), are invalid or
  look like cell references; table header cells that differ from the table's
  column names;
- defined names that are invalid or duplicated in their scope;
- data validation lists over 255 characters;
- malformed formulas in cells, defined names, conditional formats and data
  validations: a leading ``=`` inside the XML, unbalanced parentheses, brackets,
  braces or quotes, unknown functions, newer functions without their ``_xlfn.``
  prefix (Excel shows #NAME?), functions LibreOffice 7.4 cannot compute,
  references to sheets that do not exist;
- cell text over 32,767 characters; more hyperlinks on a sheet than Excel keeps,
  or hyperlink targets over 2,079 characters.

``assert_clean_workbook(path, soffice)`` asserts there are none and, given the
``soffice`` fixture, that LibreOffice opens the file too.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

if TYPE_CHECKING:
    from lo import Soffice

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
NS_XM = "http://schemas.microsoft.com/office/excel/2006/main"
M = "{" + NS_MAIN + "}"

MAX_SHEET_NAME = 31
MAX_CELL_TEXT = 32_767
MAX_LIST_VALIDATION = 255
MAX_HYPERLINKS = 65_530
MAX_URL = 2_079
MAX_NAME = 255
MAX_ROW = 1_048_576
MAX_COL = 16_384
BAD_SHEET_CHARS = set("[]:*?/\\")

# Functions Excel 2007 knows without a prefix (lower-level Analysis ToolPak ones included).
_CLASSIC = """
ABS ACCRINT ACCRINTM ACOS ACOSH ADDRESS AMORDEGRC AMORLINC AND AREAS ASC ASIN ASINH ATAN
ATAN2 ATANH AVEDEV AVERAGE AVERAGEA AVERAGEIF AVERAGEIFS BAHTTEXT BESSELI BESSELJ BESSELK
BESSELY BETADIST BETAINV BIN2DEC BIN2HEX BIN2OCT BINOMDIST CALL CEILING CELL CHAR CHIDIST
CHIINV CHITEST CHOOSE CLEAN CODE COLUMN COLUMNS COMBIN COMPLEX CONCATENATE CONFIDENCE
CONVERT CORREL COS COSH COUNT COUNTA COUNTBLANK COUNTIF COUNTIFS COUPDAYBS COUPDAYS
COUPDAYSNC COUPNCD COUPNUM COUPPCD COVAR CRITBINOM CUBEKPIMEMBER CUBEMEMBER
CUBEMEMBERPROPERTY CUBERANKEDMEMBER CUBESET CUBESETCOUNT CUBEVALUE CUMIPMT CUMPRINC DATE
DATEDIF DATEVALUE DAVERAGE DAY DAYS360 DB DCOUNT DCOUNTA DDB DEC2BIN DEC2HEX DEC2OCT DEGREES
DELTA DEVSQ DGET DISC DMAX DMIN DOLLAR DOLLARDE DOLLARFR DPRODUCT DSTDEV DSTDEVP DSUM
DURATION DVAR DVARP EDATE EFFECT EOMONTH ERF ERFC ERROR.TYPE EVEN EXACT EXP EXPONDIST FACT
FACTDOUBLE FALSE FDIST FIND FINDB FINV FISHER FISHERINV FIXED FLOOR FORECAST FREQUENCY FTEST
FV FVSCHEDULE GAMMADIST GAMMAINV GAMMALN GCD GEOMEAN GESTEP GETPIVOTDATA GROWTH HARMEAN
HEX2BIN HEX2DEC HEX2OCT HLOOKUP HOUR HYPERLINK HYPGEOMDIST IF IFERROR IMABS IMAGINARY
IMARGUMENT IMCONJUGATE IMCOS IMDIV IMEXP IMLN IMLOG10 IMLOG2 IMPOWER IMPRODUCT IMREAL IMSIN
IMSQRT IMSUB IMSUM INDEX INDIRECT INFO INT INTERCEPT INTRATE IPMT IRR ISBLANK ISERR ISERROR
ISEVEN ISLOGICAL ISNA ISNONTEXT ISNUMBER ISODD ISPMT ISREF ISTEXT JIS KURT LARGE LCM LEFT
LEFTB LEN LENB LINEST LN LOG LOG10 LOGEST LOGINV LOGNORMDIST LOOKUP LOWER MATCH MAX MAXA
MDETERM MDURATION MEDIAN MID MIDB MIN MINA MINUTE MINVERSE MIRR MMULT MOD MODE MONTH MROUND
MULTINOMIAL N NA NEGBINOMDIST NETWORKDAYS NOMINAL NORMDIST NORMINV NORMSDIST NORMSINV NOT
NOW NPER NPV OCT2BIN OCT2DEC OCT2HEX ODD ODDFPRICE ODDFYIELD ODDLPRICE ODDLYIELD OFFSET OR
PEARSON PERCENTILE PERCENTRANK PERMUT PHONETIC PI PMT POISSON POWER PPMT PRICE PRICEDISC
PRICEMAT PROB PRODUCT PROPER PV QUARTILE QUOTIENT RADIANS RAND RANDBETWEEN RANK RATE
RECEIVED REGISTER.ID REPLACE REPLACEB REPT RIGHT RIGHTB ROMAN ROUND ROUNDDOWN ROUNDUP ROW
ROWS RSQ RTD SEARCH SEARCHB SECOND SERIESSUM SIGN SIN SINH SKEW SLN SLOPE SMALL SQL.REQUEST
SQRT SQRTPI STANDARDIZE STDEV STDEVA STDEVP STDEVPA STEYX SUBSTITUTE SUBTOTAL SUM SUMIF
SUMIFS SUMPRODUCT SUMSQ SUMX2MY2 SUMX2PY2 SUMXMY2 SYD T TAN TANH TBILLEQ TBILLPRICE
TBILLYIELD TDIST TEXT TIME TIMEVALUE TINV TODAY TRANSPOSE TREND TRIM TRIMMEAN TRUE TRUNC
TTEST TYPE UPPER VALUE VAR VARA VARP VARPA VDB VLOOKUP WEEKDAY WEEKNUM WEIBULL WORKDAY XIRR
XNPV YEAR YEARFRAC YIELD YIELDDISC YIELDMAT ZTEST
"""

# Functions newer than Excel 2007: stored as _xlfn.NAME (dynamic-array ones as
# _xlfn._xlws.NAME for FILTER and SORT). Without the prefix Excel shows #NAME?.
_FUTURE = """
ACOT ACOTH AGGREGATE ARABIC BASE BETA.DIST BETA.INV BINOM.DIST BINOM.DIST.RANGE BINOM.INV
BITAND BITLSHIFT BITOR BITRSHIFT BITXOR CEILING.MATH CEILING.PRECISE CHISQ.DIST
CHISQ.DIST.RT CHISQ.INV CHISQ.INV.RT CHISQ.TEST COMBINA CONCAT CONFIDENCE.NORM CONFIDENCE.T
COT COTH COVARIANCE.P COVARIANCE.S CSC CSCH DAYS DECIMAL ERF.PRECISE ERFC.PRECISE
EXPON.DIST F.DIST F.DIST.RT F.INV F.INV.RT F.TEST FILTERXML FLOOR.MATH FLOOR.PRECISE
FORECAST.ETS FORECAST.ETS.CONFINT FORECAST.ETS.SEASONALITY FORECAST.ETS.STAT
FORECAST.LINEAR FORMULATEXT GAMMA GAMMA.DIST GAMMA.INV GAMMALN.PRECISE GAUSS HYPGEOM.DIST
IFNA IFS IMCOSH IMCOT IMCSC IMCSCH IMSEC IMSECH IMSINH IMTAN ISFORMULA ISO.CEILING
ISOWEEKNUM LOGNORM.DIST LOGNORM.INV MAXIFS MINIFS MODE.MULT MODE.SNGL MUNIT NEGBINOM.DIST
NETWORKDAYS.INTL NORM.DIST NORM.INV NORM.S.DIST NORM.S.INV NUMBERVALUE PDURATION
PERCENTILE.EXC PERCENTILE.INC PERCENTRANK.EXC PERCENTRANK.INC PERMUTATIONA PHI
POISSON.DIST QUARTILE.EXC QUARTILE.INC RANK.AVG RANK.EQ RRI SEC SECH SHEET SHEETS SKEW.P
STDEV.P STDEV.S SWITCH T.DIST T.DIST.2T T.DIST.RT T.INV T.INV.2T T.TEST TEXTJOIN UNICHAR
UNICODE VAR.P VAR.S WEBSERVICE WEIBULL.DIST WORKDAY.INTL XOR Z.TEST
ANCHORARRAY BYCOL BYROW CHOOSECOLS CHOOSEROWS DROP EXPAND FILTER HSTACK ISOMITTED LAMBDA LET
MAKEARRAY MAP RANDARRAY REDUCE SCAN SEQUENCE SINGLE SORT SORTBY TAKE TEXTAFTER TEXTBEFORE
TEXTSPLIT TOCOL TOROW UNIQUE VSTACK WRAPCOLS WRAPROWS XLOOKUP XMATCH
"""

# Known to Excel but not computed by LibreOffice 7.4 (Debian 12): the project's
# formulas must compute in both (TESTING.md).
_NOT_IN_LIBREOFFICE = """
ANCHORARRAY BYCOL BYROW CHOOSECOLS CHOOSEROWS DROP EXPAND HSTACK ISOMITTED LAMBDA LET
MAKEARRAY MAP REDUCE SCAN SINGLE TAKE TEXTAFTER TEXTBEFORE TEXTSPLIT TOCOL TOROW VSTACK
WRAPCOLS WRAPROWS XLOOKUP XMATCH FILTER SORT SORTBY UNIQUE RANDARRAY SEQUENCE
"""

CLASSIC_FUNCTIONS = frozenset(_CLASSIC.split())
FUTURE_FUNCTIONS = frozenset(_FUTURE.split())
NOT_IN_LIBREOFFICE = frozenset(_NOT_IN_LIBREOFFICE.split())

_FUNC_CALL = re.compile(r"(?<![\w.$])((?:_xl[a-z]+\.)*)([A-Za-z][A-Za-z0-9._]*)\(")
_SHEET_REF_UNQUOTED = re.compile(r"(?<![\w.'\]])([^\W\d][\w.]*)!")
_A1 = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]+)$")
_RANGE = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]+)(?::\$?([A-Za-z]{1,3})\$?([0-9]+))?$")
_R1C1 = re.compile(r"^[Rr]([0-9]*)[Cc]([0-9]*)$|^[RrCc][0-9]*$")
_NAME = re.compile(r"^[^\W\d][\w.\\]*$|^\\[\w.\\]*$")
_LIST_LITERAL = re.compile(r'^"(.*)"$', re.S)
_TABLE_PART = re.compile(r"(^|/)tables/[^/]+\.xml$")


# --- small helpers -----------------------------------------------------------


def col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def parse_range(ref: str) -> tuple[int, int, int, int] | None:
    """``A1:C3`` (or ``B2``) -> (row1, col1, row2, col2), or None when malformed."""
    m = _RANGE.match(ref.strip())
    if not m:
        return None
    c1, r1 = col_number(m.group(1)), int(m.group(2))
    c2 = col_number(m.group(3)) if m.group(3) else c1
    r2 = int(m.group(4)) if m.group(4) else r1
    if not (1 <= r1 <= MAX_ROW and 1 <= r2 <= MAX_ROW and 1 <= c1 <= MAX_COL and 1 <= c2 <= MAX_COL):
        return None
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def overlapping_pairs(
    ranges: list[tuple[str, tuple[int, int, int, int]]],
) -> list[tuple[str, str]]:
    """Pairs of labelled ranges that overlap (sweep by first row: fast for many merges)."""
    ordered = sorted(ranges, key=lambda item: item[1][0])
    out: list[tuple[str, str]] = []
    active: list[tuple[str, tuple[int, int, int, int]]] = []
    for label, box in ordered:
        active = [a for a in active if a[1][2] >= box[0]]
        out.extend((a[0], label) for a in active if _overlap(a[1], box))
        active.append((label, box))
    return out


def looks_like_cell_ref(name: str) -> bool:
    """True for names Excel would read as a reference: ``A1``, ``XFD1048576``, ``R1C1``, ``R``."""
    m = _A1.match(name)
    if m and col_number(m.group(1)) <= MAX_COL and int(m.group(2)) <= MAX_ROW:
        return True
    return bool(_R1C1.match(name))


def name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid defined/table name, or None."""
    if not name:
        return "is empty"
    if len(name) > MAX_NAME:
        return f"is longer than {MAX_NAME} characters"
    if not _NAME.match(name):
        return "has characters Excel does not allow in names"
    if looks_like_cell_ref(name):
        return "looks like a cell reference"
    return None


@dataclass
class FormulaParts:
    """A formula with its literals taken out."""

    skeleton: str  # strings -> "", quoted sheet names -> 'Q'!, [..] -> []
    quoted_sheets: list[str] = field(default_factory=list)
    error: str | None = None


def split_formula(text: str) -> FormulaParts:
    """Take string literals, quoted sheet names and bracketed parts out of a formula."""
    out: list[str] = []
    sheets: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "\"'":
            j = i + 1
            buf: list[str] = []
            while True:
                if j >= n:
                    kind = "string" if ch == '"' else "quoted sheet name"
                    return FormulaParts("".join(out), sheets, f"unterminated {kind}")
                if text[j] == ch:
                    if j + 1 < n and text[j + 1] == ch:  # doubled quote = escaped
                        buf.append(ch)
                        j += 2
                        continue
                    break
                buf.append(text[j])
                j += 1
            if ch == '"':
                out.append('""')
            else:
                sheets.append("".join(buf))
                out.append("'Q'")
            i = j + 1
        elif ch == "[":
            depth, j = 0, i
            while j < n:
                if text[j] == "'" and j + 1 < n:  # ' escapes the next char in structured refs
                    j += 2
                    continue
                if text[j] == "[":
                    depth += 1
                elif text[j] == "]":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            if j >= n:
                return FormulaParts("".join(out), sheets, "unbalanced brackets [ ]")
            out.append("[]")
            i = j + 1
        else:
            out.append(ch)
            i += 1
    return FormulaParts("".join(out), sheets)


def formula_problems(text: str, sheet_names: set[str] | None = None) -> list[str]:
    """What is wrong with one formula as stored in the XML (no leading '=')."""
    problems: list[str] = []
    stripped = text.strip()
    if not stripped:
        return ["is empty"]
    if stripped.startswith("="):
        problems.append("starts with '=' (the file stores formulas without it)")
    parts = split_formula(text)
    if parts.error:
        return [*problems, parts.error]
    sk = parts.skeleton
    depth = 0
    for ch in sk:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                break
    if depth != 0:
        problems.append("unbalanced parentheses")
    if sk.count("{") != sk.count("}") or "]" in sk.replace("[]", ""):
        problems.append("unbalanced braces or brackets")
    for m in _FUNC_CALL.finditer(sk):
        prefix, name = m.group(1), m.group(2).upper()
        if prefix.startswith("_xll."):
            continue  # add-in function (UDF): cannot be checked here
        if prefix:
            if name not in FUTURE_FUNCTIONS:
                problems.append(f"unknown function {prefix}{name}")
        elif name in FUTURE_FUNCTIONS:
            problems.append(f"{name} must be stored as _xlfn.{name} (else Excel shows #NAME?)")
        elif name not in CLASSIC_FUNCTIONS:
            problems.append(f"unknown function {name}")
        if name in NOT_IN_LIBREOFFICE:
            problems.append(f"{name} is not computed by LibreOffice 7.4")
    if sheet_names is not None:
        known = {s.casefold() for s in sheet_names}
        refs = list(parts.quoted_sheets)
        refs += [m.group(1) for m in _SHEET_REF_UNQUOTED.finditer(sk)]
        for ref in refs:
            if "[" not in ref and ref.casefold() not in known:  # [n]: another workbook
                problems.append(f"refers to a sheet that does not exist: {ref!r}")
    return problems


def sheet_name_problems(names: list[str]) -> list[str]:
    problems: list[str] = []
    seen: dict[str, str] = {}
    for name in names:
        if not name.strip():
            problems.append(f"sheet name {name!r} is blank")
        if len(name) > MAX_SHEET_NAME:
            problems.append(f"sheet name {name!r} is longer than {MAX_SHEET_NAME} characters")
        bad = sorted(set(name) & BAD_SHEET_CHARS)
        if bad:
            problems.append(f"sheet name {name!r} contains {''.join(bad)!r}")
        if name.startswith("'") or name.endswith("'"):
            problems.append(f"sheet name {name!r} starts or ends with an apostrophe")
        if name.casefold() == "history":
            problems.append(f"sheet name {name!r} is reserved by Excel")
        key = name.casefold()
        if key in seen:
            problems.append(f"duplicate sheet name {name!r} (same as {seen[key]!r})")
        seen.setdefault(key, name)
    return problems


# --- the package -------------------------------------------------------------


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Relationship id -> target part path for ``part``."""
    folder, base = posixpath.split(part)
    rels_part = posixpath.join(folder, "_rels", base + ".rels")
    if rels_part not in zf.namelist():
        return {}
    root = ET.fromstring(zf.read(rels_part))
    out = {}
    for rel in root.iter(f"{{{NS_PKG_REL}}}Relationship"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            out[rel.get("Id", "")] = target
        elif target.startswith("/"):
            out[rel.get("Id", "")] = target.lstrip("/")
        else:
            out[rel.get("Id", "")] = posixpath.normpath(posixpath.join(folder, target))
    return out


def _shared_strings(zf: zipfile.ZipFile, rels: dict[str, str]) -> list[str]:
    part = next((t for t in rels.values() if t.endswith("sharedStrings.xml")), None)
    if part is None or part not in zf.namelist():
        return []
    root = ET.fromstring(zf.read(part))
    # Plain text is si/t, rich text si/r/t; si/rPh/t is phonetic guide text, not the value.
    return ["".join(t.text or "" for t in [*si.findall(f"{M}t"), *si.findall(f"{M}r/{M}t")])
            for si in root.iter(f"{M}si")]


def text_length(text: str) -> int:
    """Length as Excel counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Table:
    part: str
    name: str
    display_name: str
    ref: str
    box: tuple[int, int, int, int] | None
    header_rows: int
    columns: list[str]


def lint_xlsx(path: Path | str) -> list[str]:
    """Every structural problem Excel would complain about, one line each (empty = clean)."""
    path = Path(path)
    problems: list[str] = []
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        return [f"not a zip package: {exc}"]
    with zf:
        names = set(zf.namelist())
        if "xl/workbook.xml" not in names:
            return ["no xl/workbook.xml part"]
        try:
            wb = ET.fromstring(zf.read("xl/workbook.xml"))
        except ET.ParseError as exc:
            return [f"xl/workbook.xml: XML error: {exc}"]
        wb_rels = _rels(zf, "xl/workbook.xml")
        sheets: list[tuple[str, str]] = []
        for s in wb.iter(f"{M}sheet"):
            rid = s.get(f"{{{NS_REL}}}id", "")
            sheets.append((s.get("name", ""), wb_rels.get(rid, "")))
        sheet_names = [name for name, _ in sheets]
        problems += sheet_name_problems(sheet_names)
        known_sheets = set(sheet_names)

        # Defined names: valid, unique per scope, formulas well-formed.
        defined: dict[tuple[str, str], str] = {}
        for dn in wb.iter(f"{M}definedName"):
            name = dn.get("name", "")
            scope = dn.get("localSheetId", "")
            label = f"defined name {name!r}"
            if not name.startswith("_xlnm."):
                why = name_problem(name)
                if why:
                    problems.append(f"{label} {why}")
            key = (scope, name.casefold())
            if key in defined:
                problems.append(f"{label} is defined twice in the same scope")
            defined[key] = name
            for why in formula_problems(dn.text or "", known_sheets):
                problems.append(f"{label}: formula {dn.text!r} {why}")
        defined_names = {name.casefold() for (_scope, name) in defined}

        sst = _shared_strings(zf, wb_rels)
        for i, text in enumerate(sst):
            if text_length(text) > MAX_CELL_TEXT:
                problems.append(f"shared string #{i} has {text_length(text)} characters "
                                f"(Excel keeps {MAX_CELL_TEXT})")

        tables_seen: dict[str, str] = {}
        for sheet_name, part in sheets:
            if part not in names:
                problems.append(f"sheet {sheet_name!r}: part {part!r} is missing")
                continue
            sheet_problems, tables = _lint_sheet(zf, part, sheet_name, sst, known_sheets)
            problems += sheet_problems
            for t in tables:
                label = f"table {t.display_name!r} on sheet {sheet_name!r}"
                why = name_problem(t.display_name)
                if why:
                    problems.append(f"{label}: name {why}")
                if t.name != t.display_name and name_problem(t.name):
                    problems.append(f"{label}: name attribute {t.name!r} is invalid")
                tkey = t.display_name.casefold()
                if tkey in tables_seen:
                    problems.append(f"{label}: name already used by a table on {tables_seen[tkey]!r}")
                tables_seen.setdefault(tkey, sheet_name)
                if tkey in defined_names:
                    problems.append(f"{label}: name collides with a defined name")
    return problems


def _lint_sheet(
    zf: zipfile.ZipFile, part: str, sheet_name: str, sst: list[str], known_sheets: set[str]
) -> tuple[list[str], list[_Table]]:
    where = f"sheet {sheet_name!r}"
    problems: list[str] = []
    rels = _rels(zf, part)

    # Tables are known from the sheet's relationships before the cell pass, so
    # that pass can pick up their header cells.
    tables: list[_Table] = []
    header_addr: set[tuple[int, int]] = set()
    header_values: dict[tuple[int, int], str] = {}
    merges: list[tuple[str, tuple[int, int, int, int]]] = []
    hyperlinks = 0
    cell_formula_errors = 0
    max_row_seen = 0

    def table_from_part(tpart: str) -> None:
        if tpart not in zf.namelist():
            problems.append(f"{where}: table part {tpart!r} is missing")
            return
        root = ET.fromstring(zf.read(tpart))
        ref = root.get("ref", "")
        box = parse_range(ref)
        cols = [c.get("name", "") for c in root.iter(f"{M}tableColumn")]
        t = _Table(tpart, root.get("name", ""), root.get("displayName", ""), ref, box,
                   int(root.get("headerRowCount", "1")), cols)
        label = f"{where}: table {t.display_name!r}"
        if box is None:
            problems.append(f"{label}: bad ref {ref!r}")
        else:
            if box[3] - box[1] + 1 != len(cols):
                problems.append(f"{label}: ref {ref} spans {box[3] - box[1] + 1} columns "
                                f"but {len(cols)} are named")
            if t.header_rows:
                header_addr.update((box[0], j) for j in range(box[1], box[3] + 1))
        lowered = [c.casefold() for c in cols]
        if len(set(lowered)) != len(lowered):
            problems.append(f"{label}: duplicate column names")
        if any(not c.strip() for c in cols):
            problems.append(f"{label}: blank column name")
        for col in root.iter(f"{M}tableColumn"):
            f = col.find(f"{M}calculatedColumnFormula")
            if f is not None:
                for why in formula_problems(f.text or "", known_sheets):
                    problems.append(f"{label} column {col.get('name')!r}: formula {why}")
        tables.append(t)

    for target in sorted(set(rels.values())):
        if _TABLE_PART.search(target):
            table_from_part(target)

    with zf.open(part) as fh:
        try:
            for _event, el in ET.iterparse(fh, events=("end",)):
                tag = el.tag
                if tag == f"{M}c":
                    r = el.get("r", "")
                    f = el.find(f"{M}f")
                    if f is not None and (f.text or f.get("t") != "shared"):
                        for why in formula_problems(f.text or "", known_sheets):
                            cell_formula_errors += 1
                            if cell_formula_errors <= 20:
                                problems.append(f"{where}!{r}: formula {f.text!r} {why}")
                    t = el.get("t")
                    text: str | None = None
                    if t == "inlineStr":
                        text = "".join(x.text or "" for x in el.iter(f"{M}t"))
                    elif t in ("str", "s"):
                        v = el.find(f"{M}v")
                        if v is not None and v.text is not None:
                            if t == "s":
                                idx = int(v.text)
                                if idx >= len(sst):
                                    problems.append(f"{where}!{r}: shared string #{idx} "
                                                    "does not exist")
                                    continue
                                text = sst[idx]
                            else:
                                text = v.text
                    if text is not None and t != "s" and text_length(text) > MAX_CELL_TEXT:
                        problems.append(f"{where}!{r}: text of {text_length(text)} characters "
                                        f"(Excel keeps {MAX_CELL_TEXT})")
                    if header_addr:
                        m = _A1.match(r)
                        key = (int(m.group(2)), col_number(m.group(1))) if m else (0, 0)
                        if key in header_addr:
                            header_values[key] = text if text is not None else (
                                el.findtext(f"{M}v") or "")
                elif tag == f"{M}row":
                    rn = el.get("r")
                    if rn is not None:
                        max_row_seen = max(max_row_seen, int(rn))
                    el.clear()
                elif tag == f"{M}mergeCell":
                    ref = el.get("ref", "")
                    box = parse_range(ref)
                    if box is None:
                        problems.append(f"{where}: bad merged range {ref!r}")
                    else:
                        merges.append((ref, box))
                elif tag == f"{M}hyperlink":
                    hyperlinks += 1
                    rid = el.get(f"{{{NS_REL}}}id")
                    target = rels.get(rid, "") if rid else ""
                    if len(target) > MAX_URL:
                        problems.append(f"{where}: hyperlink at {el.get('ref')} is "
                                        f"{len(target)} characters (Excel keeps {MAX_URL})")
                    location = el.get("location")
                    if location and not rid:  # a link inside this workbook
                        for why in formula_problems(location, known_sheets):
                            problems.append(f"{where}: hyperlink at {el.get('ref')} to "
                                            f"{location!r} {why}")
                elif tag == f"{M}conditionalFormatting":
                    sq = el.get("sqref", "")
                    for rule in el.iter(f"{M}cfRule"):
                        for fe in rule.iter(f"{M}formula"):
                            for why in formula_problems(fe.text or "", known_sheets):
                                problems.append(f"{where}: conditional format on {sq}: "
                                                f"formula {fe.text!r} {why}")
                elif tag == f"{M}dataValidation":
                    problems += _validation_problems(el, f"{where}: validation on "
                                                     f"{el.get('sqref', '')}", known_sheets)
                elif tag == f"{{{NS_X14}}}dataValidation":
                    sq = el.findtext(f"{{{NS_XM}}}sqref") or ""
                    problems += _validation_problems(
                        el, f"{where}: validation on {sq}", known_sheets, ns=f"{{{NS_XM}}}"
                    )
                elif tag == f"{M}tablePart":
                    rid = el.get(f"{{{NS_REL}}}id", "")
                    if rid not in rels:
                        problems.append(f"{where}: table part {rid!r} has no relationship")
        except ET.ParseError as exc:
            problems.append(f"{where}: XML error: {exc}")

    if cell_formula_errors > 20:
        problems.append(f"{where}: {cell_formula_errors - 20} more formula problems")
    if max_row_seen > MAX_ROW:
        problems.append(f"{where}: row {max_row_seen} is beyond Excel's last row")
    if hyperlinks > MAX_HYPERLINKS:
        problems.append(f"{where}: {hyperlinks} hyperlinks (Excel keeps {MAX_HYPERLINKS})")

    for a, b in overlapping_pairs(merges):
        problems.append(f"{where}: merged ranges {a} and {b} overlap")
    boxes = [(f"table {t.display_name}", t.box) for t in tables if t.box]
    for a, b in overlapping_pairs(boxes):  # type: ignore[arg-type]
        problems.append(f"{where}: {a} and {b} overlap")
    for t in tables:
        if t.box is None:
            continue
        for ref, box in merges:
            if _overlap(t.box, box):
                problems.append(f"{where}: table {t.display_name!r} overlaps merged range {ref}")
        if t.header_rows:
            row = t.box[0]
            for j, name in enumerate(t.columns):
                got = header_values.get((row, t.box[1] + j))
                if got != name:
                    addr = f"{_col_letters(t.box[1] + j)}{row}"
                    problems.append(f"{where}!{addr}: table {t.display_name!r} header cell is "
                                    f"{got!r}, the table column is named {name!r}")
    return problems, tables


def _col_letters(n: int) -> str:
    s = ""
    while n:
        n, rem = divmod(n - 1, 26)
        s = chr(65 + rem) + s
    return s


def _validation_problems(
    el: ET.Element, label: str, known_sheets: set[str], ns: str = M
) -> list[str]:
    problems: list[str] = []
    kind = el.get("type", "none")
    for tag in ("formula1", "formula2"):
        fe = el.find(f"{ns}{tag}") if ns == M else el.find(f"{{{NS_X14}}}{tag}/{ns}f")
        if fe is None or fe.text is None:
            continue
        text = fe.text
        lit = _LIST_LITERAL.match(text.strip())
        if kind == "list" and lit:
            items = lit.group(1).replace('""', '"')
            if len(items) > MAX_LIST_VALIDATION:
                problems.append(f"{label}: list of {len(items)} characters "
                                f"(Excel allows {MAX_LIST_VALIDATION})")
            continue
        for why in formula_problems(text, known_sheets):
            problems.append(f"{label}: {tag} {text!r} {why}")
    return problems


def assert_clean_workbook(
    path: Path | str, soffice: Soffice | None = None, fmt: str = "pdf"
) -> Path | None:
    """Assert ``path`` has no structural problems; with ``soffice``, also that
    LibreOffice opens it (converts it to ``fmt``). Returns the converted file."""
    problems = lint_xlsx(path)
    assert not problems, f"{path} has structural problems:\n" + "\n".join(problems)
    if soffice is not None:
        return soffice.convert(Path(path), fmt)
    return None

"""VBA wrappers for the ``@xw.func`` UDFs, generated at build time on any OS.

On Windows, xlwings' "Import Functions" button imports the UDF module and writes
one VBA function per ``@xw.func`` into a module ``xlwings_udfs``; each forwards
its arguments to Python with ``XLPy.CallUDF(module, name, Array(args...),
workbook, Application.Caller)``. That needs Excel and pywin32, and off Windows
``xw.func`` leaves no trace on the function. So the wrappers are generated here
from the UDF module's *source* (``ast``, nothing imported or run), with the
same calling convention, so the clerk needs no "Import Functions" step.

What is read from the source: functions decorated with ``xw.func``/``xw.sub``
(or ``xlwings.func``, ``from xlwings import func``), their positional, optional
and ``*args`` parameters, ``volatile=``/``call_in_wizard=`` of the decorator,
and ``vba=`` of ``@xw.arg``; a parameter named ``caller`` is passed as
``Nothing`` (xlwings fills in the calling range). Parameter names that VBA
reserves (``end``, ``date`` ...) get a trailing underscore in VBA only: Python
receives arguments by position.

Two things differ from xlwings' own wrappers, both for clerks:

- Error values: a function's result goes through ``GendanErrors`` (macros/
  GendanErrors.bas), which turns the texts of Excel's classic errors (``#N/A`` ...)
  into real error values (``CVErr``), element by element for arrays, so ``ISERROR``
  and ``IFERROR`` see them. The UDFs return those texts for errors and never
  otherwise.
- The function wizard: ``help_module_source`` writes ``GendanRegisterFunctions``,
  which gives each function its description, per-argument help and category
  through ``Application.MacroOptions`` (what xlwings' "Import Functions" does from
  Python); the add-in calls it when it opens. Texts come from the docstring (first
  paragraph Chinese, second English), ``doc=`` of ``@xw.arg`` (``中文 | English``)
  and ``category=`` of ``@xw.func``, all read from the source.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

UDF_VBA_MODULE = "xlwings_udfs"
HELP_VBA_MODULE = "GendanFunctionHelp"
REGISTER_SUB = "GendanRegisterFunctions"
ERRORS_FUNCTION = "GendanErrors"  # in macros/GendanErrors.bas
DEFAULT_CATEGORY = "xlwings"  # what xlwings uses without category=
MACRO_OPTIONS_LIMIT = 255  # Excel cuts descriptions there
_VBA_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,254}$")
_CELL_LIKE = re.compile(r"^[A-Za-z]{1,3}[0-9]{1,7}$|^[Rr][0-9]*[Cc][0-9]*$")

# VBA keywords and statement names that cannot name a parameter.
_VBA_RESERVED_WORDS = """
    and any append as attribute base binary boolean byref byte byval call case cbool cbyte
    ccur cdate cdbl cdec cint clng clnglng clngptr close compare const csng cstr currency
    cvar cverr date debug decimal declare defbool defbyte defcur defdate defdbl defdec
    defint deflng deflnglng deflngptr defobj defsng defstr defvar dim do double each else
    elseif empty end endif enum eqv erase error event exit explicit false for friend
    function get global gosub goto if imp implements in input integer is let lib like
    line load lock long longlong longptr loop lset me mid mod name new next not nothing
    null object on open option optional or output paramarray preserve print private
    property public put raiseevent random read redim rem reset resume return rset seek
    select set shared single spc static step stop string sub tab then to true type typeof
    unload unlock until variant wend while width with withevents write xor
"""
_VBA_RESERVED = frozenset(_VBA_RESERVED_WORDS.split())


class UdfSourceError(ValueError):
    """A UDF cannot be wrapped in VBA as written."""


@dataclass(frozen=True)
class UdfArg:
    """One Python parameter as the wrapper passes it."""

    name: str
    optional: bool = False
    vararg: bool = False
    vba: str | None = None  # a VBA expression passed instead of a cell argument
    doc: str = ""  # doc= of @xw.arg: "中文 | English"


@dataclass(frozen=True)
class Udf:
    """A function the add-in exposes to Excel formulas (or a macro, for ``sub``)."""

    name: str
    args: tuple[UdfArg, ...]
    sub: bool = False
    volatile: bool = False
    call_in_wizard: bool = True
    doc: str = ""  # the docstring
    category: str = DEFAULT_CATEGORY


def _xlwings_aliases(tree: ast.Module) -> tuple[set[str], dict[str, str]]:
    """Names bound to the xlwings module, and names imported from it (alias -> name)."""
    modules: set[str] = set()
    members: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "xlwings":
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module == "xlwings":
            for alias in node.names:
                members[alias.asname or alias.name] = alias.name
    return modules, members


def _decorator_name(node: ast.expr, modules: set[str], members: dict[str, str]) -> str | None:
    """``func``, ``sub``, ``arg`` ... when ``node`` names that xlwings decorator."""
    target = node.func if isinstance(node, ast.Call) else node
    if (
        isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Name)
        and target.value.id in modules
    ):
        return target.attr
    if isinstance(target, ast.Name) and target.id in members:
        return members[target.id]
    return None


def _constants(tree: ast.Module) -> dict[str, object]:
    """Module-level ``NAME = <literal>`` assignments (shared doc texts, the category)."""
    found: dict[str, object] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            try:
                found[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                continue
    return found


def _literal_kwargs(call: ast.expr, constants: dict[str, object]) -> dict[str, object]:
    if not isinstance(call, ast.Call):
        return {}
    values: dict[str, object] = {}
    for keyword in call.keywords:
        if keyword.arg is None:
            continue
        if isinstance(keyword.value, ast.Name) and keyword.value.id in constants:
            values[keyword.arg] = constants[keyword.value.id]
            continue
        try:
            values[keyword.arg] = ast.literal_eval(keyword.value)
        except ValueError:
            values[keyword.arg] = None  # not a literal: irrelevant unless it is vba=/doc=
    return values


def _function_udf(
    fn: ast.FunctionDef | ast.AsyncFunctionDef,
    modules: set[str],
    members: dict[str, str],
    constants: dict[str, object],
) -> Udf | None:
    kinds = {d: _decorator_name(d, modules, members) for d in fn.decorator_list}
    main = [d for d, kind in kinds.items() if kind in ("func", "sub", "script")]
    if not main:
        return None
    options = _literal_kwargs(main[0], constants)
    where = f"{fn.name} (line {fn.lineno})"
    if fn.args.kwonlyargs or fn.args.kwarg:
        raise UdfSourceError(f"{where}: xlwings UDFs take no keyword-only or ** arguments")
    positional = [a.arg for a in fn.args.posonlyargs + fn.args.args]
    n_optional = len(fn.args.defaults)
    if fn.args.vararg and n_optional:
        raise UdfSourceError(f"{where}: xlwings UDFs cannot mix optional and * arguments")
    vba_of: dict[str, str] = {}
    doc_of: dict[str, str] = {}
    for decorator, kind in kinds.items():
        if kind != "arg" or not isinstance(decorator, ast.Call) or not decorator.args:
            continue
        try:
            arg_name = str(ast.literal_eval(decorator.args[0])).lstrip("*")
        except ValueError as exc:
            raise UdfSourceError(f"{where}: @xw.arg needs a literal argument name") from exc
        if any(k.arg == "vba" for k in decorator.keywords):
            vba = _literal_kwargs(decorator, constants).get("vba")
            if not isinstance(vba, str):
                raise UdfSourceError(f"{where}: vba= of @xw.arg must be a string literal")
            vba_of[arg_name] = vba
        doc = _literal_kwargs(decorator, constants).get("doc")
        if isinstance(doc, str):
            doc_of[arg_name] = doc
        elif any(k.arg == "doc" for k in decorator.keywords):
            raise UdfSourceError(f"{where}: doc= of @xw.arg must be a string literal or constant")
    args = []
    for index, name in enumerate(positional):
        vba = "Nothing" if name == "caller" else vba_of.get(name)
        args.append(
            UdfArg(
                name,
                optional=index >= len(positional) - n_optional,
                vba=vba,
                doc=doc_of.get(name, ""),
            )
        )
    if fn.args.vararg:
        name = fn.args.vararg.arg
        args.append(UdfArg(name, vararg=True, vba=vba_of.get(name), doc=doc_of.get(name, "")))
    kind = kinds[main[0]]
    category = options.get("category", DEFAULT_CATEGORY)
    return Udf(
        name=fn.name,
        args=tuple(args),
        sub=kind in ("sub", "script"),
        volatile=options.get("volatile") is True,
        call_in_wizard=options.get("call_in_wizard", True) is not False,
        doc=ast.get_docstring(fn) or "",
        category=str(category) if isinstance(category, str | int) else DEFAULT_CATEGORY,
    )


def find_udfs(source: str) -> list[Udf]:
    """The xlwings UDFs defined at the top level of a module's source, in order."""
    tree = ast.parse(source)
    modules, members = _xlwings_aliases(tree)
    constants = _constants(tree)
    udfs = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            udf = _function_udf(node, modules, members, constants)
            if udf is not None:
                udfs.append(udf)
    for udf in udfs:
        if not _VBA_IDENT.match(udf.name) or udf.name.lower() in _VBA_RESERVED:
            raise UdfSourceError(f"{udf.name}: not usable as a VBA/Excel function name")
        if _CELL_LIKE.match(udf.name):
            raise UdfSourceError(f"{udf.name}: looks like a cell reference in Excel formulas")
    names = [u.name.lower() for u in udfs]
    if len(set(names)) != len(names):
        raise UdfSourceError("UDF names must differ ignoring case (VBA is case-insensitive)")
    return udfs


def _vba_param_names(udf: Udf) -> dict[str, str]:
    """Python parameter name -> a safe, unique VBA parameter name."""
    taken = {udf.name.lower()}
    names = {}
    for arg in udf.args:
        base = arg.name if _VBA_IDENT.match(arg.name) else "a" + arg.name.lstrip("_")
        base = re.sub(r"[^A-Za-z0-9_]", "_", base)
        candidate = base + "_" if base.lower() in _VBA_RESERVED else base
        n = 2
        while candidate.lower() in taken:
            candidate = f"{base}{n}"
            n += 1
        taken.add(candidate.lower())
        names[arg.name] = candidate
    return names


def _wrapper_lines(module_name: str, udf: Udf, workbook: str) -> list[str]:
    names = _vba_param_names(udf)
    kind = "Sub" if udf.sub else "Function"
    params = []
    for arg in udf.args:
        if arg.vba is not None:
            continue
        vba_name = names[arg.name]
        if arg.vararg:
            params.append(f"ParamArray {vba_name}()")
        elif arg.optional:
            params.append(f"Optional {vba_name}")
        else:
            params.append(vba_name)
    lines = [f"{kind} {udf.name}({', '.join(params)})"]
    body: list[str] = []
    if not udf.sub and not udf.call_in_wizard:
        body.append(
            'If (Not Application.CommandBars("Standard").Controls(1).Enabled) Then Exit Function'
        )
    if not udf.sub and udf.volatile:
        body.append("Application.Volatile")
    fixed = [arg.vba or names[arg.name] for arg in udf.args if not arg.vararg]
    varargs = [arg for arg in udf.args if arg.vararg and arg.vba is None]
    if varargs:
        rest = names[varargs[0].name]
        body += [
            "Dim argsArray() As Variant",
            "Dim k As Long",
            f"argsArray = Array({', '.join(fixed)})",
            f"ReDim Preserve argsArray(0 To UBound({rest}) - LBound({rest}) + {len(fixed)})",
            f"For k = LBound({rest}) To UBound({rest})",
            f"    argsArray({len(fixed)} + k - LBound({rest})) = {rest}(k)",
            "Next k",
        ]
        args_vba = "argsArray"
    else:
        args_vba = f"Array({', '.join(arg.vba or names[arg.name] for arg in udf.args)})"
    call = f'{ERRORS_FUNCTION}(XLPy.CallUDF("{module_name}", "{udf.name}", {args_vba}'
    if udf.sub:
        body += [
            '#If App = "Microsoft Excel" Then',
            f'    XLPy.CallUDF "{module_name}", "{udf.name}", {args_vba}, {workbook}, Application.Caller',
            "#Else",
            f'    XLPy.CallUDF "{module_name}", "{udf.name}", {args_vba}',
            "#End If",
        ]
        lines += ["    " + line if not line.startswith("#") else line for line in body]
    else:
        body += [
            '#If App = "Microsoft Excel" Then',
            "    If TypeOf Application.Caller Is Range Then On Error GoTo failed",
            f"    {udf.name} = {call}, {workbook}, Application.Caller))",
            "    Exit Function",
            "#Else",
            f"    {udf.name} = {call}))",
            "    Exit Function",
            "#End If",
        ]
        lines += ["    " + line if not line.startswith("#") else line for line in body]
        lines += ["failed:", f"    {udf.name} = Err.Description"]
    lines += [f"End {kind}", ""]
    for line in lines:
        if len(line) > 1000:
            raise UdfSourceError(f"{udf.name}: generated VBA line too long")
    return lines


def udf_module_source(
    module_name: str,
    source: str,
    vba_module: str = UDF_VBA_MODULE,
    workbook: str = "ActiveWorkbook",
) -> str:
    """The VBA module of wrappers for every UDF in ``source`` (Python module ``module_name``).

    ``workbook`` is what the wrappers pass as the calling book: in an add-in,
    xlwings passes ``ActiveWorkbook`` (the add-in itself is not the clerk's book).
    """
    udfs = find_udfs(source)
    lines = [
        f'Attribute VB_Name = "{vba_module}"',
        f"' Generated by gendan_xl from the @xw.func functions of {module_name}: do not edit.",
        "' Each function forwards its arguments to Python through xlwings (XLPy.CallUDF).",
        """#Const App = "Microsoft Excel" 'Adjust when using outside of Excel""",
        "",
    ]
    for udf in udfs:
        lines += _wrapper_lines(module_name, udf, workbook)
    return "\n".join(lines)


def module_source_file(module_name: str) -> Path | None:
    """The ``.py`` file of an importable module, found without running it.

    Parent packages are imported (``find_spec`` needs them); the module itself is
    not. None when the module does not exist.
    """
    try:
        spec = importlib.util.find_spec(module_name)
    except ModuleNotFoundError:
        return None
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


# --------------------------------------------------------------------------
# the function wizard
# --------------------------------------------------------------------------


def help_text(text: str, lang: str = "zh") -> str:
    """The ``lang`` part of a bilingual help text, on one line, at most 255 characters.

    A docstring is Chinese paragraph, blank line, English paragraph; a ``doc=`` is
    ``中文 | English``. Text with one part serves both languages.
    """
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    if len(paragraphs) > 1:
        parts = paragraphs[:2]
    else:
        parts = [p.strip() for p in text.split(" | ", 1)] if text else [""]
    chosen = parts[1] if lang == "en" and len(parts) > 1 else parts[0]
    one_line = " ".join(line.strip() for line in chosen.splitlines() if line.strip())
    return one_line[:MACRO_OPTIONS_LIMIT]


def _vba_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def help_module_source(source: str, lang: str = "zh", vba_module: str = HELP_VBA_MODULE) -> str:
    """A module whose ``GendanRegisterFunctions`` describes each UDF in ``source`` to
    Excel's function wizard (description, argument help, category) in ``lang``.

    Errors are ignored one by one (``On Error Resume Next``): a wizard without help
    is better than an add-in that fails to open.
    """
    lines = [
        f'Attribute VB_Name = "{vba_module}"',
        "' Generated by gendan_xl from the @xw.func docstrings and @xw.arg(doc=...): do not edit.",
        "' Called when the add-in opens (ThisWorkbook.Workbook_Open).",
        "Option Explicit",
        "Option Private Module",
        "",
        f"Public Sub {REGISTER_SUB}()",
        "    Dim book As String",
        "    On Error Resume Next",
        "    book = \"'\" & ThisWorkbook.Name & \"'!\"",
    ]
    for udf in find_udfs(source):
        if udf.sub:
            continue
        options = [
            f'Description:={_vba_string(help_text(udf.doc, lang))}',
            f"Category:={_vba_string(udf.category[:MACRO_OPTIONS_LIMIT])}",
        ]
        argdocs = [help_text(a.doc, lang) for a in udf.args if a.vba is None]
        if argdocs:
            options.append(
                "ArgumentDescriptions:=Array(" + ", ".join(_vba_string(d) for d in argdocs) + ")"
            )
        lines.append(f'    Application.MacroOptions Macro:=book & "{udf.name}", _')
        lines += [f"        {option}, _" for option in options[:-1]]
        lines.append(f"        {options[-1]}")
    lines += ["End Sub", ""]
    for line in lines:
        if len(line) > 1000:
            raise UdfSourceError(f"generated VBA line too long: {line[:60]}...")
    return "\n".join(lines)


WORKBOOK_OPEN = f"""Private Sub Workbook_Open()
    ' Describe the cell functions to Excel's function wizard (category, help).
    On Error Resume Next
    {REGISTER_SUB}
End Sub
"""

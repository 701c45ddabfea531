"""The house rules of DESIGN §2, read from the source: only ``read/`` and
``write/`` import the spreadsheet libraries, only ``excel/`` imports xlwings, and
the core never imports the Excel edge. Imports are found by parsing every
module (also imports inside functions, and ``importlib.import_module`` calls
with a literal name)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "gendan_xl"
SPREADSHEET_LIBS = {"python_calamine", "fastexcel", "openpyxl", "xlsxwriter"}
EDGE_PACKAGES = ("gendan_xl.excel", "gendan_xl.addin")
# Modules that may reach the edge: the command line (it builds the add-in) and
# the edge packages themselves.
EDGE_USERS = ("excel/", "addin/", "cli/addin.py")


def modules() -> list[Path]:
    found = sorted(PACKAGE.rglob("*.py"))
    assert len(found) > 10, PACKAGE
    return found


def rel(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def imports(path: Path) -> list[tuple[str, int, bool]]:
    """(imported module, line, at module level) for every import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    top_level = {id(node) for node in tree.body}
    # Imports under `if TYPE_CHECKING:` at module level count as module level too:
    # they still tie the module to the library for type checkers.
    for node in tree.body:
        if isinstance(node, ast.If):
            top_level.update(id(child) for child in ast.walk(node))
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    package = ".".join(("gendan_xl", *(parts[:-1] if path.name == "__init__.py" else parts)))
    out: list[tuple[str, int, bool]] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                # `from . import x` is relative to the module's own package.
                names_ = package.split(".")
                here = names_ if path.name == "__init__.py" else names_[:-1]
                base = here[: len(here) - (node.level - 1)]
                names = [".".join([*base, node.module] if node.module else base)]
            else:
                names = [node.module or ""]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
        out += [(name, node.lineno, id(node) in top_level) for name in names]
    return out


def root(name: str) -> str:
    return name.split(".")[0]


def test_only_read_and_write_import_spreadsheet_libraries() -> None:
    offenders = [
        f"{rel(path)}:{line} imports {name}"
        for path in modules()
        if not rel(path).startswith(("read/", "write/"))
        for name, line, _ in imports(path)
        if root(name) in SPREADSHEET_LIBS
    ]
    assert offenders == []


def test_only_excel_imports_xlwings() -> None:
    offenders = [
        f"{rel(path)}:{line} imports {name}"
        for path in modules()
        if not rel(path).startswith("excel/")
        for name, line, _ in imports(path)
        if root(name) == "xlwings"
    ]
    assert offenders == []


def test_addin_reads_xlwings_files_without_importing_it() -> None:
    """The add-in builder takes xlwings' VBA module from the installed package's
    folder (found by ``find_spec``, never executed), so building works without
    importing xlwings, e.g. on a machine without Excel."""
    addin = [p for p in modules() if rel(p).startswith("addin/")]
    assert addin
    assert [name for p in addin for name, _, _ in imports(p) if root(name) == "xlwings"] == []
    sources = (PACKAGE / "addin" / "sources.py").read_text(encoding="utf-8")
    assert 'find_spec("xlwings")' in sources


def test_core_never_imports_the_edge() -> None:
    offenders = [
        f"{rel(path)}:{line} imports {name}"
        for path in modules()
        if not rel(path).startswith(EDGE_USERS)
        for name, line, _ in imports(path)
        if name.startswith(EDGE_PACKAGES)
    ]
    assert offenders == []


# The document runs (select rows -> numbers -> data -> workbook -> write-back; the order
# review: review -> write-back -> 订单评审表) are
# the documents stage's entry point: it reads the ledger and writes the workbooks.
STAGE_ENTRY_POINTS = {"documents/run.py", "documents/review_run.py", "documents/packing_run.py"}


@pytest.mark.parametrize(
    ("stage", "forbidden"),
    [
        # The reader knows nothing of checks, plans or outputs.
        (
            "read/",
            (
                "gendan_xl.checks",
                "gendan_xl.plan",
                "gendan_xl.write",
                "gendan_xl.engine",
                "gendan_xl.cli",
                "gendan_xl.documents",
            ),
        ),
        # Checks are plain functions over the typed tables: no reading, no writing.
        ("checks.py", ("gendan_xl.read", "gendan_xl.write", "gendan_xl.cli")),
        ("ledger.py", ("gendan_xl.read", "gendan_xl.write", "gendan_xl.checks")),
        ("model.py", ("gendan_xl.",)),
        ("schema.py", ("gendan_xl.",)),
        ("settings.py", ("gendan_xl.read", "gendan_xl.write", "gendan_xl.checks", "gendan_xl.plan")),
        # The order book is derived from the typed tables alone.
        (
            "orderbook.py",
            ("gendan_xl.read", "gendan_xl.write", "gendan_xl.checks", "gendan_xl.plan", "gendan_xl.documents"),
        ),
        # The calendar is arithmetic over dates: nothing but the model and the schema.
        (
            "calendar.py",
            ("gendan_xl.read", "gendan_xl.write", "gendan_xl.checks", "gendan_xl.plan",
             "gendan_xl.documents", "gendan_xl.orderbook", "gendan_xl.engine", "gendan_xl.cli"),
        ),
        # Planning reads the order book and the calendar; it never reads files, writes
        # workbooks or makes documents.
        (
            "plan/",
            ("gendan_xl.read", "gendan_xl.write", "gendan_xl.documents", "gendan_xl.engine",
             "gendan_xl.cli", "gendan_xl.batch", "gendan_xl.checks", "gendan_xl.demo"),
        ),
        # Document data: no workbook writing (write/), no command line, no batch.
        (
            "documents/",
            ("gendan_xl.write", "gendan_xl.cli", "gendan_xl.batch", "gendan_xl.engine", "gendan_xl.demo",
             "gendan_xl.read"),
        ),
        # Writers take finished data: they never read, check, plan, or call back up.
        (
            "write/",
            ("gendan_xl.read", "gendan_xl.checks", "gendan_xl.engine", "gendan_xl.cli", "gendan_xl.batch",
             "gendan_xl.plan.core", "gendan_xl.documents.numbers"),
        ),
    ],
)
def test_data_flows_one_way(stage: str, forbidden: tuple[str, ...]) -> None:
    offenders = [
        f"{rel(path)}:{line} imports {name}"
        for path in modules()
        if rel(path).startswith(stage) and rel(path) not in STAGE_ENTRY_POINTS
        for name, line, _ in imports(path)
        if name.startswith(forbidden)
    ]
    assert offenders == []


def test_the_import_finder_sees_what_it_should() -> None:
    """The finder itself: relative, nested and importlib imports are all seen."""
    found = {name for name, _, _ in imports(PACKAGE / "read" / "workbook.py")}
    assert "fastexcel" in found  # imported inside a method
    assert "gendan_xl.model" in found
    found = {name for name, _, _ in imports(PACKAGE / "excel" / "udfs.py")}
    assert "xlwings" in found
    top = {(name, level) for name, _, level in imports(PACKAGE / "excel" / "udfs.py")}
    assert ("xlwings", True) in top


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(("gendan_xl", *(parts[:-1] if path.name == "__init__.py" else parts)))


def test_no_import_cycles() -> None:
    """Module-level imports between gendan_xl modules form no cycle (a function-level
    import is how a command group or an optional stage is reached on demand)."""
    known = {_module_name(p): p for p in modules()}

    def target(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # Statements run at import time (not those under `if TYPE_CHECKING:`).
        lines = {node.lineno for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)}
        for imported, line, _top in imports(path):
            t = target(imported) if imported.startswith("gendan_xl") else None
            if line in lines and t and t != name and not name.startswith(t + "."):  # a package's parent
                graph[name].add(t)
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    assert cycles == []


def test_the_library_never_reaches_back_into_the_command_line() -> None:
    """Command modules call the library; nothing in the library imports them, not even
    inside a function (the import loops cli -> demo -> cli.docs -> cli are gone)."""
    offenders = [
        f"{rel(path)}:{line} imports {name}"
        for path in modules()
        if not rel(path).startswith(("cli", "__main__"))
        for name, line, _ in imports(path)
        if name.startswith("gendan_xl.cli")
    ]
    assert offenders == []

"""Load built add-ins in LibreOffice through UNO; report what LibreOffice saw, as JSON.

Runs under the system Python that has ``uno`` (Debian's /usr/bin/python3 with
python3-uno), not the project's venv. It connects to an ``soffice`` the caller
started with ``--accept=socket,host=127.0.0.1,port=PORT;urp;`` (the caller owns
that process and kills it). For each job it loads the file hidden, with macros
allowed (MacroExecutionMode 4: always, without warning) through the filter
LibreOffice needs for a macro-enabled ``.xlam``; reads every module of the
imported VBA library; optionally runs a macro through the document's script
provider and reads a cell back; then closes the document.

Usage: python3 uno_addin_selftest.py PORT JOBS.json
JOBS.json: [{"file": ..., "library": ..., "macro": "Module.Sub" or null,
             "cell": "D1"}, ...]; prints [{...result...}, ...] on stdout.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

CONNECT_TIMEOUT = 60.0
VBA_FILTER = "Calc MS Excel 2007 VBA XML"


def _prop(name: str, value: object) -> PropertyValue:
    prop = PropertyValue()
    prop.Name = name
    prop.Value = value
    return prop


def _connect(port: int):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    url = f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext"
    deadline = time.monotonic() + CONNECT_TIMEOUT
    while True:
        try:
            return resolver.resolve(url)
        except NoConnectException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.25)


def _run_job(desktop, job: dict) -> dict:
    url = uno.systemPathToFileUrl(str(Path(job["file"]).resolve()))
    doc = desktop.loadComponentFromURL(
        url,
        "_blank",
        0,
        (
            _prop("Hidden", True),
            _prop("MacroExecutionMode", 4),
            _prop("FilterName", VBA_FILTER),
        ),
    )
    result: dict[str, object] = {"file": job["file"], "loaded": doc is not None}
    if doc is None:
        return result
    try:
        libraries = doc.BasicLibraries
        result["libraries"] = list(libraries.getElementNames())
        library = job["library"]
        if libraries.hasByName(library):
            libraries.loadLibrary(library)
            modules = libraries.getByName(library)
            result["modules"] = {
                name: modules.getByName(name) for name in modules.getElementNames()
            }
        sheet = doc.Sheets.getByIndex(0)
        result["sheet"] = sheet.Name
        result["cells"] = {
            ref: sheet.getCellRangeByName(ref).getString() for ref in ("A1", "B1", "A2", "B2")
        }
        if job.get("macro"):
            cell = job.get("cell", "D1")
            result["before"] = sheet.getCellRangeByName(cell).getString()
            uri = f"vnd.sun.star.script:{library}.{job['macro']}?language=Basic&location=document"
            result["script"] = uri
            try:
                doc.getScriptProvider().getScript(uri).invoke((), (), ())
                result["invoked"] = True
            except Exception as exc:  # reported, the test asserts on it
                result["invoked"] = False
                result["error"] = f"{type(exc).__name__}: {getattr(exc, 'Message', exc)}"
            result["value"] = sheet.getCellRangeByName(cell).getString()
    finally:
        doc.close(True)
    return result


def main() -> int:
    port = int(sys.argv[1])
    jobs = json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
    context = _connect(port)
    desktop = context.ServiceManager.createInstanceWithContext(
        "com.sun.star.frame.Desktop", context
    )
    results = [_run_job(desktop, job) for job in jobs]
    print(json.dumps(results, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""LibreOffice (headless soffice) and poppler as the real spreadsheet client in tests.

One ``Soffice`` per test session (per xdist worker): it owns a private profile
folder, so two processes never share one, and that profile is told to always
recalculate formulas on load (LibreOffice otherwise trusts cached values).

soffice exits 0 even when it could not load the source, so ``convert`` checks
that the output file exists and fails with soffice's own output when it doesn't.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

# Always recalculate OOXML and ODF files on load (0 = always, 1 = never, 2 = ask).
_REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""

# Font name fragments of the CJK faces LibreOffice substitutes for Chinese text here.
CJK_FONT_HINTS = ("wenquanyi", "wqy", "cjk", "droidsansfallback", "simsun", "hei", "dengxian")


def find_soffice() -> str | None:
    """Path of the soffice executable, or None when LibreOffice is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def missing_tools() -> list[str]:
    """Programs the LibreOffice tests need that are not on PATH."""
    missing = [] if find_soffice() else ["soffice (libreoffice-calc-nogui)"]
    missing += [t + " (poppler-utils)" for t in ("pdfinfo", "pdffonts", "pdftoppm", "pdftotext")
                if not shutil.which(t)]
    return missing


def _run(cmd: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run a command in its own process group; on timeout kill that group only."""
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        raise AssertionError(f"timed out after {timeout:.0f} s: {' '.join(cmd)}\n{out}") from None
    return subprocess.CompletedProcess(cmd, proc.returncode, out, "")


class Soffice:
    """Headless LibreOffice with a private profile, plus poppler helpers for PDFs."""

    def __init__(self, workdir: Path, exe: str | None = None, timeout: float = 180) -> None:
        self.exe = exe or find_soffice() or "soffice"
        self.workdir = Path(workdir)
        self.timeout = timeout
        self.profile = self.workdir / "profile"
        user = self.profile / "user"
        user.mkdir(parents=True, exist_ok=True)
        (user / "registrymodifications.xcu").write_text(_REGISTRY, encoding="utf-8")
        self._count = 0

    def convert(self, src: Path, fmt: str, outdir: Path | None = None) -> Path:
        """Convert ``src`` with ``soffice --convert-to fmt`` and return the new file.

        ``fmt`` is what soffice takes, e.g. ``pdf``, ``xlsx``, ``ods``,
        ``xls:"MS Excel 97"``. soffice works on a copy of ``src`` in a fresh folder
        (a stale lock file next to the original would make loading fail silently).
        The result goes to ``outdir`` (default: a fresh temporary folder).
        """
        src = Path(src)
        if not src.is_file():
            raise AssertionError(f"no such file to convert: {src}")
        self._count += 1
        job = Path(tempfile.mkdtemp(prefix=f"conv{self._count}-", dir=self.workdir))
        (job / "in").mkdir()
        (job / "out").mkdir()
        copy = job / "in" / src.name
        shutil.copyfile(src, copy)
        cmd = [
            self.exe, "--headless", "--norestore", "--nolockcheck", "--nodefault",
            "--nologo", f"-env:UserInstallation={self.profile.resolve().as_uri()}",
            "--convert-to", fmt, "--outdir", str(job / "out"), str(copy),
        ]
        result = _run(cmd, self.timeout)
        ext = fmt.split(":", 1)[0]
        produced = job / "out" / f"{src.stem}.{ext}"
        if not produced.is_file():
            raise AssertionError(
                f"soffice did not convert {src.name} to {fmt} (exit {result.returncode}):\n"
                f"{result.stdout.strip()}"
            )
        if outdir is None:
            return produced
        outdir = Path(outdir)
        outdir.mkdir(parents=True, exist_ok=True)
        return Path(shutil.move(str(produced), outdir / produced.name))

    # --- PDFs (poppler-utils) -------------------------------------------------

    @staticmethod
    def pdf_pages(pdf: Path) -> int:
        """Number of pages, from pdfinfo."""
        out = _run(["pdfinfo", str(pdf)], 60).stdout
        for line in out.splitlines():
            if line.startswith("Pages:"):
                return int(line.split()[1])
        raise AssertionError(f"pdfinfo gave no page count for {pdf}:\n{out}")

    @staticmethod
    def pdf_text(pdf: Path) -> str:
        """The text of every page, from pdftotext (layout kept)."""
        return _run(["pdftotext", "-layout", str(pdf), "-"], 60).stdout

    @staticmethod
    def pdf_font_table(pdf: Path) -> list[tuple[str, bool]]:
        """(font name, embedded) for every font pdffonts lists."""
        out = _run(["pdffonts", str(pdf)], 60).stdout
        lines = out.splitlines()
        dash = next((i for i, line in enumerate(lines) if line.startswith("----")), None)
        if dash is None:
            raise AssertionError(f"pdffonts output not understood for {pdf}:\n{out}")
        # Columns are fixed-width: the dashed line gives their spans.
        spans: list[tuple[int, int]] = []
        pos = 0
        for part in lines[dash].split(" "):
            spans.append((pos, pos + len(part)))
            pos += len(part) + 1
        header = lines[dash - 1]
        names = [header[a:b].strip().lower() for a, b in spans]
        emb_col = spans[names.index("emb")]
        rows = []
        for line in lines[dash + 1:]:
            if not line.strip():
                continue
            name = line[spans[0][0]:spans[0][1]].strip()
            embedded = line[emb_col[0]:emb_col[1]].strip() == "yes"
            rows.append((name, embedded))
        return rows

    @classmethod
    def pdf_fonts(cls, pdf: Path) -> list[str]:
        """Names of the fonts used in a PDF (subset prefixes like ``ABCDEF+`` kept)."""
        return [name for name, _ in cls.pdf_font_table(pdf)]

    @classmethod
    def assert_cjk_embedded(cls, pdf: Path) -> str:
        """Fail unless a CJK font (WenQuanYi here) is embedded; return its name.

        Without one, Chinese prints as empty boxes although pdftotext still
        extracts the text, so text checks alone prove nothing.
        """
        table = cls.pdf_font_table(pdf)
        for name, embedded in table:
            squashed = name.lower().replace(" ", "").replace("-", "")
            if embedded and any(hint in squashed for hint in CJK_FONT_HINTS):
                return name
        raise AssertionError(f"no embedded CJK font in {pdf}: {table}")

    def png(self, pdf: Path, page: int = 1) -> Path:
        """Render one page at 110 dpi, as a clerk would see it printed; return the PNG."""
        pdf = Path(pdf)
        prefix = pdf.with_name(f"{pdf.stem}-p{page}")
        result = _run(
            ["pdftoppm", "-r", "110", "-png", "-f", str(page), "-l", str(page),
             "-singlefile", str(pdf), str(prefix)],
            120,
        )
        out = prefix.with_suffix(".png")
        if not out.is_file():
            raise AssertionError(f"pdftoppm made no image of page {page} of {pdf}:\n{result.stdout}")
        return out

"""`gendan addin build|install`: the Excel add-in, built from text on any OS."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from gendan_xl import cli


def cmd_addin(args: argparse.Namespace) -> int:
    from gendan_xl.addin import AddinError, build_addin, install_addin

    try:
        if args.action == "build":
            path = build_addin(Path(args.out))
            cli._out(("已生成加载项:" if args.lang == "zh" else "Add-in written: ") + str(path))
        else:
            cli._out(install_addin())
    except AddinError as exc:
        import sys

        sys.stderr.write(str(exc) + "\n")
        return cli.EXIT_UNUSABLE
    return cli.EXIT_OK


def register(sub: argparse._SubParsersAction, common: Callable[[argparse.ArgumentParser], None]) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "addin",
        help="生成/安装 Excel 加载项 / build or install the Excel add-in",
        description=(
            "build:由 macros/ 生成 gendan_xl.xlam(任何系统);install:复制到 Excel 的 XLSTART 并写入 xlwings 设置"
            "(仅 Windows)。例 / example: gendan addin build --out gendan_xl.xlam ; gendan addin install"
        ),
    )
    p.add_argument("action", choices=("build", "install"), help="build 或 install")
    p.add_argument("--out", default="gendan_xl.xlam", help="输出文件或文件夹 / output file or folder")
    common(p)
    p.set_defaults(func=cmd_addin)


cli.EXTRA_COMMANDS.append(register)

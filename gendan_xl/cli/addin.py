"""`gendan addin build|install|doctor|smoketest`: the Excel add-in, built from text on
any OS, a check of everything around it on a clerk's PC, and a run of it in Excel."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from gendan_xl import cli


def cmd_addin(args: argparse.Namespace) -> int:
    from gendan_xl.addin import AddinError, build_addin, install_addin

    try:
        if args.action == "build":
            path = build_addin(Path(args.out or "gendan_xl.xlam"), lang=args.lang)
            cli.out(("已生成加载项:" if args.lang == "zh" else "Add-in written: ") + str(path))
        elif args.action == "doctor":
            from gendan_xl.addin.doctor import FAIL, diagnose, report

            findings = diagnose()
            cli.out(report(findings, args.lang))
            return cli.EXIT_ERRORS if any(f.status == FAIL for f in findings) else cli.EXIT_OK
        elif args.action == "smoketest":
            import sys

            from gendan_xl.addin.smoketest import command

            code, out, err = command(Path(args.out or "."), args.lang)
            if out:
                cli.out(out)
            sys.stderr.write(err)
            return code
        else:
            cli.out(install_addin())
    except AddinError as exc:
        import sys

        sys.stderr.write(str(exc) + "\n")
        return cli.EXIT_UNUSABLE
    return cli.EXIT_OK


def register(sub: argparse._SubParsersAction, common: Callable[[argparse.ArgumentParser], None]) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "addin",
        help="生成/安装/检查/试运行 Excel 加载项 / build, install, check or smoke-test the Excel add-in",
        description=(
            "build:由 macros/ 生成 gendan_xl.xlam(任何系统;--lang en 时函数向导说明为英文);"
            "install:复制到 Excel 的 XLSTART 并写入 xlwings 设置(仅 Windows);"
            "doctor:逐项检查本机(Python、xlwings、设置文件、XLSTART、DLL、信任中心),✗ 项附解决办法,"
            "有问题时退出码 1。"
            "smoketest:在后台启动 Excel,打开加载项和演示台账副本,运行 VBA 自检、每个 GD_* 函数和每个按钮,"
            "写出 gendan_smoketest.json(--out 指定文件夹)和摘要,有失败时退出码 1,非 Windows 退出码 2(仅 Windows + Excel)。"
            "例 / example: gendan addin build --out gendan_xl.xlam ; gendan addin install ; gendan addin doctor ; "
            "gendan addin smoketest --out ."
        ),
    )
    p.add_argument(
        "action", choices=("build", "install", "doctor", "smoketest"), help="build、install、doctor 或 smoketest"
    )
    p.add_argument(
        "--out",
        default=None,
        help="输出文件或文件夹(build 默认 gendan_xl.xlam,smoketest 默认当前文件夹)/ "
        "output file or folder (build: gendan_xl.xlam, smoketest: the current folder)",
    )
    common(p)
    p.set_defaults(func=cmd_addin)


cli.EXTRA_COMMANDS.append(register)

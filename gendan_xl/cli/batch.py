"""`gendan batch`: scheduled runs on a shared drive (see gendan_xl.batch)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from gendan_xl import cli
from gendan_xl.batch import run_batch, write_example_config


def cmd_batch(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    if args.init:
        if args.dry_run:
            cli.out(("将写出示例配置:" if args.lang == "zh" else "Would write the example config: ") + str(folder))
            return cli.EXIT_OK
        path = write_example_config(folder)
        cli.out(("已写出示例配置:" if args.lang == "zh" else "Example config written: ") + str(path))
        return cli.EXIT_OK
    tty = sys.stdout.isatty()
    # --dry-run exists to show its list: print it even into a pipe or a file.
    echo = cli.out if tty or args.verbose or args.dry_run else None
    return run_batch(
        folder,
        args.as_of,
        dry_run=args.dry_run,
        echo=echo,
        progress=tty and sys.stderr.isatty(),
        on_failure=None if echo is not None else _to_stderr,
    )


def _to_stderr(line: str) -> None:
    """A scheduled run's failure, one line (cron mails it; Task Scheduler logs it)."""
    sys.stderr.write(line + "\n")


def register(sub: argparse._SubParsersAction, common: Callable[[argparse.ArgumentParser], None]) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "batch",
        help="共享盘定时任务 / scheduled run on a shared folder",
        description=(
            "读取 FOLDER/gendan.toml,检查台账并写出报表到输出文件夹,从不修改输入文件。"
            "退出码:0 正常,1 有数据错误,2 无法读取,3 另一个任务在运行。"
            "例 / example: gendan batch //server/跟单  ;  gendan batch --init //server/跟单"
        ),
    )
    p.add_argument("folder", help="含 gendan.toml 的文件夹 / folder holding gendan.toml")
    p.add_argument("--init", action="store_true", help="写出带注释的示例配置 / write a commented example config")
    p.add_argument("--as-of", type=cli.date_arg, default=None, help="计算日期 / as-of date (default today)")
    p.add_argument("--dry-run", action="store_true", help="只列出将写出的文件 / list outputs, write nothing")
    p.add_argument("--verbose", action="store_true", help="非终端时也打印日志 / echo the log when not a terminal")
    common(p)
    p.set_defaults(func=cmd_batch)


cli.EXTRA_COMMANDS.append(register)

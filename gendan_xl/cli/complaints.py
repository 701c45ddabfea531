"""``gendan docs complaint-forms``: the printable 客诉处理单 of the open complaints on the
客诉 sheet (or of the 客诉编号 given), through the document run
(``documents.run.run_complaint_forms``); registered as a kind of ``gendan docs``.

Exit codes as the other documents: 0 written (or nothing open), 1 a 客诉编号 asked for
is not on the sheet or the ledger has no 客诉 sheet, 2 the ledger cannot be used.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from gendan_xl import cli
from gendan_xl.cli.docs import DOCS_KINDS, render


def cmd_complaint_forms(args: argparse.Namespace) -> int:
    from gendan_xl.documents.run import run_complaint_forms

    result = run_complaint_forms(Path(args.ledger), Path(args.out), args.as_of, args.complaint or ())
    return render(result, "客诉处理单", cli.out, args.json)


def register(kinds: argparse._SubParsersAction, common_opts: Callable[[argparse.ArgumentParser], None]) -> None:  # type: ignore[type-arg]
    p = kinds.add_parser(
        "complaint-forms",
        help="客诉处理单 / complaint forms for the open complaints",
        description=(
            "为客诉表中处理中的客诉开客诉处理单(每张一页 A4):客户、订单、产品、问题、数量、责任部门、处理措施、"
            "状态和已开天数,留空原因分析、纠正预防措施、效果确认,签名 跟单/品质/责任部门/主管。编号即客诉编号。"
            "例 / example: gendan docs complaint-forms 台账.xlsx --complaint KS202611003"
        ),
    )
    p.add_argument("ledger", help="台账工作簿,或含 gendan.toml 的文件夹 / ledger workbook or folder with gendan.toml")
    p.add_argument("--complaint", nargs="+", metavar="KS",
                   help="只开这些客诉编号(任何状态;默认所有处理中的)/ only these complaints (default: the open ones)")
    p.add_argument("--out", default=".", metavar="DIR", help="输出文件夹(默认当前文件夹)/ output folder")
    p.add_argument("--as-of", type=cli.date_arg, default=None, help="打印日期 / print date (default today)")
    p.add_argument("--json", action="store_true", help="输出 JSON / print one JSON object")
    common_opts(p)
    p.set_defaults(func=cmd_complaint_forms)


DOCS_KINDS.append(register)

__all__ = ["register"]

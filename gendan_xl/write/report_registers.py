"""The report sheets of the register sheets 客诉 and 满意度 (written by ``write.report``
only when the ledger has them, after 品质异常):

- 客诉跟踪: the open complaints, longest open first (red past 客诉结案提醒天数), then a
  summary per customer and per 责任部门 (complaints, open, closed, qty, average days
  to close);
- 客户满意度: per customer, the average 交期/品质/服务/价格 scores and overall beside
  OTD, complaints and the sample pass rate of the same months, with a clustered
  column chart of the four averages per customer.

The figures come from ``gendan_xl.complaints`` (via ``ReportData``); this module only
lays them out, with the report's own writer (``write.report._Book``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gendan_xl.complaints import UNASSIGNED
from gendan_xl.model import Lang
from gendan_xl.write.book import FONT

if TYPE_CHECKING:
    from gendan_xl.write.report import _Book
    from gendan_xl.write.report_data import ReportData

REGISTER_SHEET_NAMES: dict[str, dict[Lang, str]] = {
    "complaints": {"zh": "客诉跟踪", "en": "Complaints"},
    "satisfaction": {"zh": "客户满意度", "en": "Satisfaction"},
}
SCORE_COLOURS = ("#4472C4", "#ED7D31", "#A5A5A5", "#FFC000")


def _cols() -> tuple[Any, ...]:
    from gendan_xl.write.report import Col

    open_cols = (
        Col("complaint_no", "客诉编号", "Complaint"),
        Col("date", "日期", "Date", "date"),
        Col("customer", "客户", "Customer"),
        Col("order_no", "订单号", "Order no"),
        Col("item", "产品编码", "Item"),
        Col("item_name", "品名", "Name", max_width=20),
        Col("problem", "问题描述", "Problem", max_width=28, wrap=True),
        Col("qty", "数量", "Qty", "int"),
        Col("dept", "责任部门", "Responsible"),
        Col("action", "处理措施", "Action", max_width=28, wrap=True),
        Col("days_open", "已开天数", "Days open", "int"),
    )

    def summary(key: str, zh: str, en: str) -> tuple[Any, ...]:
        return (
            Col(key, zh, en),
            Col("count", "客诉数", "Complaints", "int"),
            Col("open_count", "处理中", "Open", "int"),
            Col("closed_count", "已结案", "Closed", "int"),
            Col("qty", "数量", "Qty", "int"),
            Col("avg_days_to_close", "平均结案天数", "Avg days to close", "num"),
        )

    satisfaction = (
        Col("customer", "客户", "Customer"),
        Col("surveys", "调查次数", "Surveys", "int"),
        Col("first_month", "起始月份", "From month"),
        Col("last_month", "截止月份", "To month"),
        Col("delivery", "交期", "Delivery", "num"),
        Col("quality", "品质", "Quality", "num"),
        Col("service", "服务", "Service", "num"),
        Col("price", "价格", "Price", "num"),
        Col("overall", "综合", "Overall", "num"),
        Col("otd_rate", "准时交货率", "On-time rate", "pct"),
        Col("otd_lines", "完成行数", "Lines shipped", "int"),
        Col("complaints", "客诉数", "Complaints", "int"),
        Col("sample_pass_rate", "样品合格率", "Sample pass rate", "pct"),
        Col("samples_confirmed", "确认样品数", "Samples confirmed", "int"),
    )
    return open_cols, summary("customer", "客户", "Customer"), summary("dept", "责任部门", "Responsible"), satisfaction


def _sheet(book: _Book, key: str) -> Any:
    """A landscape A4 sheet printed one page wide, as the report's other sheets."""
    ws = book.wb.add_worksheet(REGISTER_SHEET_NAMES[key][book.lang])
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_footer("&C&P / &N")
    return ws


def write_complaints(book: _Book, data: ReportData) -> None:
    from gendan_xl.write.report import _subtitle

    tracking = data.complaints
    if tracking is None:
        return
    lang = book.lang
    zh = lang == "zh"
    open_cols, by_customer, by_dept, _sat = _cols()
    df = tracking.open
    late = int((df["days_open"] > tracking.open_days).sum()) if len(df) else 0
    note = (f"客诉 {tracking.total} 项,处理中 {len(df)} 项,超过 {tracking.open_days} 天未结案 {late} 项" if zh
            else f"{tracking.total} complaints, {len(df)} open, {late} open more than {tracking.open_days} days")
    ws = _sheet(book, "complaints")
    book.titles(ws, REGISTER_SHEET_NAMES["complaints"][lang], _subtitle(data, lang, note))
    ws.write_string(2, 0, f"处理中的客诉(已开天数从长到短;红色 = 超过 {tracking.open_days} 天)" if zh
                    else f"Open complaints, longest open first (red: more than {tracking.open_days} days)",
                    book.section)
    top = 3
    styles = ["bad" if d > tracking.open_days else "plain" for d in df["days_open"].fillna(0).tolist()]
    end = book.table(ws, top, open_cols, df, styles)
    ws.freeze_panes(top + 1, 0)
    for title, cols, table in (
        ("按客户" if zh else "By customer", by_customer, tracking.by_customer),
        ("按责任部门" if zh else "By responsible department", by_dept, tracking.by_dept),
    ):
        ws.write_string(end + 1, 0, title + ("(平均结案天数 = 已结案且有结案日期的客诉)" if zh
                                             else " (average over closed complaints with a closing date)"),
                        book.section)
        if not zh:
            table = table.replace({cols[0].key: {UNASSIGNED: "(blank)"}})
        end = book.table(ws, end + 2, cols, table, widths=False, filter=False)


def write_satisfaction(book: _Book, data: ReportData) -> None:
    from gendan_xl.write.report import _chart_fonts, _subtitle

    df = data.satisfaction
    if df is None:
        return
    lang = book.lang
    zh = lang == "zh"
    cols = _cols()[3]
    note = ("评分 1-5;统计月份 = 该客户第一次到最后一次调查所在的月份,准时交货率(按承诺交期月份)、客诉数、"
            "样品合格率(按确认日期)统计同样的月份" if zh
            else "scores 1-5; months: from the customer's first to its last survey month; on-time rate (by month "
                 "of commitment), complaints and sample pass rate (by confirmation date) over the same months")
    ws = _sheet(book, "satisfaction")
    name = REGISTER_SHEET_NAMES["satisfaction"][lang]
    book.titles(ws, name, _subtitle(data, lang, note))
    top = 2
    end = book.table(ws, top, cols, df)
    ws.freeze_panes(top + 1, 0)
    if len(df):
        ws.conditional_format(top + 1, 4, end - 1, 8, {
            "type": "3_color_scale",
            "min_type": "num", "min_value": 1, "min_color": "#F8696B",
            "mid_type": "num", "mid_value": 3, "mid_color": "#FFEB84",
            "max_type": "num", "max_value": 5, "max_color": "#63BE7B",
        })
        quoted = name.replace("'", "''")
        chart = book.wb.add_chart({"type": "column"})
        for j, colour in zip(range(4, 8), SCORE_COLOURS, strict=True):
            letter = chr(ord("A") + j)
            chart.add_series({
                "name": f"='{quoted}'!${letter}${top + 1}",
                "categories": f"='{quoted}'!$A${top + 2}:$A${end}",
                "values": f"='{quoted}'!${letter}${top + 2}:${letter}${end}",
                "fill": {"color": colour},
                "gap": 80,
            })
        _chart_fonts(chart, "各客户平均评分(1-5)" if zh else "Average scores per customer (1-5)")
        chart.set_y_axis({"min": 0, "max": 5, "major_unit": 1, "num_font": {"name": FONT, "size": 10},
                          "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
        chart.set_size({"width": 900, "height": 340})
        ws.insert_chart(end + 1, 0, chart)


__all__ = ["REGISTER_SHEET_NAMES", "write_complaints", "write_satisfaction"]

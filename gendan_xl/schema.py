"""Sheet and column specs of the ledger (台账): the one source of truth.

The reader matches sheet names and headers against these specs, the template
writer builds the blank ledger from them, and the docs list them. Column keys are
English identifiers used as DataFrame column names throughout the engine; the
Chinese name is what the clerk sees.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["text", "number", "int", "date", "choice"]


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    name: str
    type: ColumnType = "text"
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    default: object = None
    note_zh: str = ""
    note_en: str = ""

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, self.key, *self.aliases)


@dataclass(frozen=True)
class SheetSpec:
    key: str
    name: str
    columns: tuple[ColumnSpec, ...]
    aliases: tuple[str, ...] = ()
    required: bool = False
    note_zh: str = ""
    key_value: bool = False  # the 设置 sheet: key/value pairs, not a table
    _by_key: dict[str, ColumnSpec] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_key.update({c.key: c for c in self.columns})

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, self.key, *self.aliases)

    def column(self, key: str) -> ColumnSpec:
        return self._by_key[key]

    @property
    def required_columns(self) -> tuple[ColumnSpec, ...]:
        return tuple(c for c in self.columns if c.required)


C = ColumnSpec

PRIORITIES = ("普通", "急", "特急")
ORDER_STATES = ("正常", "暂停", "取消", "完成")
CALENDAR_KINDS = ("休息", "加班", "工作")
EXCEPTIONS = ("欠料", "品质", "设备", "其他")
WO_STATES = ("未开工", "生产中", "完成", "关闭", "暂停", "取消")
# Work orders that no longer cover any quantity, and those that cover it but hold it.
WO_DONE_STATES = ("完成", "关闭")  # ended by the workshop (their output is final)
WO_CLOSED_STATES = (*WO_DONE_STATES, "取消")
WO_HOLD_STATES = ("暂停",)
# Order lines closed for good, and those on hold (状态 on 订单).
ORDER_CLOSED_STATES = ("取消", "完成")
ORDER_HOLD_STATES = ("暂停",)
# 出货.类型: a delivery, or goods the customer sent back (a return reduces what was shipped).
SHIP_KINDS = ("出货", "退货")
RETURN_KIND = "退货"

YES_NO = ("是", "否")

ORDERS = SheetSpec(
    "orders",
    "订单",
    (
        C("order_no", "订单号", required=True, aliases=("order no", "order", "单号", "订单编号"),
          note_zh="客户订单号", note_en="Customer order number"),
        C("line_no", "行号", aliases=("line no", "line", "项次", "序号"),
          note_zh="订单行号;同一订单多款产品时填写", note_en="Order line number"),
        C("customer", "客户", required=True, aliases=("customer", "客户名称", "客户简称"),
          note_zh="客户简称,与客户表一致", note_en="Customer short name"),
        C("customer_po", "客户PO", aliases=("po", "customer po", "客户订单号", "PO号"),
          note_zh="客户采购单号", note_en="Customer PO number"),
        C("item", "产品编码", required=True, aliases=("item", "item code", "料号", "产品编号", "物料编码"),
          note_zh="与产品表一致", note_en="Item code, as in the item sheet"),
        C("item_name", "品名", aliases=("name", "description", "产品名称"), note_zh="产品名称"),
        C("spec", "规格", aliases=("spec", "specification", "规格型号")),
        C("qty", "数量", "number", required=True, aliases=("qty", "quantity", "订单数量", "订单量"),
          note_zh="订单数量,大于 0", note_en="Ordered quantity, > 0"),
        C("unit", "单位", aliases=("unit", "uom")),
        C("unit_price", "单价", "number", aliases=("price", "unit price")),
        C("order_date", "下单日期", "date", required=True, aliases=("order date", "接单日期", "订单日期"),
          note_zh="日期,如 2026-11-03", note_en="Date, e.g. 2026-11-03"),
        C("due_date", "交期", "date", required=True,
          aliases=("due date", "客户交期", "要求交期", "交货日期", "due"),
          note_zh="客户要求交期", note_en="Due date requested by the customer"),
        C("promised_date", "回复交期", "date", aliases=("promised date", "承诺交期", "confirmed date", "确认交期", "答复交期"),
          note_zh="回复客户的交期(可空;gendan review --write-back 填写)", note_en="Date promised to the customer"),
        C("changed_date", "变更交期", "date", aliases=("changed date", "new due date", "修改交期"),
          note_zh="客户变更后的交期(可空)", note_en="Changed due date"),
        C("priority", "优先级", "choice", aliases=("priority",), choices=PRIORITIES, default="普通",
          note_zh="普通/急/特急", note_en="normal/rush/urgent"),
        C("status", "状态", "choice", aliases=("status", "订单状态"), choices=ORDER_STATES, default="正常",
          note_zh="正常/暂停/取消/完成"),
        C("remark", "备注", aliases=("remark", "remarks", "note", "notes")),
        C("customer_item", "客户料号", aliases=("customer item", "customer part no", "customer part", "客户编码",
                                               "客户物料编码"),
          note_zh="客户自己的物料编码,印在送货单上(可空,空白时用产品表的客户料号)",
          note_en="The customer's own part number, printed on delivery notes"),
    ),
    aliases=("orders", "订单明细", "订单跟踪", "订单表"),
    required=True,
    note_zh="客户订单,一行一个订单行",
)

ITEMS = SheetSpec(
    "items",
    "产品",
    (
        C("item", "产品编码", required=True, aliases=("item", "item code", "料号", "产品编号", "物料编码")),
        C("item_name", "品名", aliases=("name", "description", "产品名称")),
        C("spec", "规格", aliases=("spec", "specification", "规格型号")),
        C("unit", "单位", aliases=("unit", "uom")),
        C("line", "产线", aliases=("line", "production line", "默认产线", "生产线"),
          note_zh="默认生产线,与产线表一致"),
        C("std_rate", "标准产能", "number", required=True,
          aliases=("rate", "standard rate", "产能", "标准产能(pcs/h)", "uph"),
          note_zh="每小时标准产量(pcs/小时)", note_en="Standard output, pcs per hour"),
        C("pcs_per_carton", "每箱数量", "number", aliases=("pcs per carton", "装箱数", "每箱pcs"),
          note_zh="每箱装多少个", note_en="Pieces per carton"),
        C("gross_weight", "毛重", "number",
          aliases=("gross weight", "gw", "毛重/箱", "每箱毛重", "毛重(kg)", "g.w."),
          note_zh="每箱毛重(kg),装箱单用", note_en="Gross weight per carton, kg (packing lists)"),
        C("net_weight", "净重", "number",
          aliases=("net weight", "nw", "净重/箱", "每箱净重", "净重(kg)", "n.w."),
          note_zh="每箱净重(kg),装箱单用", note_en="Net weight per carton, kg (packing lists)"),
        C("carton_size", "箱规", aliases=("carton size", "外箱尺寸", "纸箱尺寸", "箱规(cm)", "carton dimensions"),
          note_zh="外箱尺寸 长x宽x高(cm),如 60x40x35;装箱单据此算体积(CBM)",
          note_en="Carton L x W x H in cm, e.g. 60x40x35 (CBM on packing lists)"),
        C("unit_price", "单价", "number", aliases=("price", "unit price")),
        C("customer_item", "客户料号", aliases=("customer item", "customer part no", "customer part", "客户编码",
                                               "客户物料编码"),
          note_zh="客户的物料编码,印在送货单上(可空)", note_en="The customer's part number (delivery notes)"),
        C("mold_no", "模具号", aliases=("mold", "mold no", "mould no", "模号", "模具编号"),
          note_zh="印在制造命令单上(可空)", note_en="Mould number (work orders)"),
        C("packing", "包装要求", aliases=("packing", "packing requirement", "包装", "包装说明"),
          note_zh="印在制造命令单上(可空)", note_en="Packing requirement (work orders)"),
        C("quality_std", "品质标准", aliases=("quality standard", "quality", "检验标准", "品质要求"),
          note_zh="印在制造命令单上(可空)", note_en="Quality standard (work orders)"),
        C("sample_no", "样品号", aliases=("sample", "sample no", "样板号", "封样号"),
          note_zh="印在制造命令单上(可空)", note_en="Approved sample number (work orders)"),
        C("out_supplier", "外协供应商", aliases=("outsourcing supplier", "外协厂商", "委外厂商"),
          note_zh="外协申请单上的建议外协厂(可空)", note_en="Suggested subcontractor (外协申请单)"),
        C("new_item", "新品", "choice", aliases=("new item", "new product", "是否新品", "新产品"),
          choices=YES_NO, default="否",
          note_zh="是 = 新品:未结订单要有确认合格的样品(样品表)", note_en="是: open orders need an approved sample"),
    ),
    aliases=("items", "产品资料", "产品表"),
    required=True,
    note_zh="产品资料:产线、标准产能、包装",
)

LINES = SheetSpec(
    "lines",
    "产线",
    (
        C("line", "产线", required=True, aliases=("line", "production line", "生产线", "线别")),
        C("workshop", "车间", aliases=("workshop",)),
        C("shifts", "班次数", "number", aliases=("shifts", "班次"), default=1, note_zh="默认 1"),
        C("hours_per_shift", "每班工时", "number", aliases=("hours per shift", "班工时"), default=8,
          note_zh="默认 8 小时"),
        C("efficiency", "效率", "number", aliases=("efficiency",), default=1.0, note_zh="默认 1.0"),
        C("rest_days", "休息日", aliases=("rest days", "休息"), default="六,日",
          note_zh="每周休息日,如「日」或「六,日」", note_en="Weekly rest days, e.g. 日 or 六,日"),
    ),
    aliases=("lines", "产线资料", "生产线"),
    required=True,
    note_zh="产线:班次、工时、效率、休息日",
)

CALENDAR = SheetSpec(
    "calendar",
    "日历",
    (
        C("date", "日期", "date", required=True, aliases=("date",)),
        C("line", "产线", aliases=("line",), note_zh="空白 = 全部产线"),
        C("kind", "类型", "choice", required=True, aliases=("type", "kind"), choices=CALENDAR_KINDS,
          note_zh="休息/加班/工作"),
        C("hours", "工时", "number", aliases=("hours",), note_zh="当天可用工时(加班/工作)"),
    ),
    aliases=("calendar", "工作日历", "日历例外"),
    note_zh="日历例外:覆盖周休和法定节假日",
)

WORK_ORDERS = SheetSpec(
    "work_orders",
    "工单",
    (
        C("wo_no", "工单号", required=True, aliases=("work order", "wo", "wo no", "制令单号", "工单编号")),
        C("order_no", "订单号", required=True, aliases=("order no", "order", "单号")),
        C("line_no", "行号", aliases=("line no", "项次")),
        C("item", "产品编码", required=True, aliases=("item", "item code", "料号")),
        C("qty", "数量", "number", required=True, aliases=("qty", "quantity", "工单数量")),
        C("line", "产线", aliases=("line", "production line", "生产线")),
        C("plan_start", "计划开工", "date", aliases=("planned start", "开工日期")),
        C("plan_finish", "计划完工", "date", aliases=("planned finish", "完工日期")),
        C("issue_date", "下达日期", "date", aliases=("issue date", "下单日期")),
        C("status", "状态", "choice", aliases=("status",), choices=WO_STATES,
          note_zh="未开工/生产中/完成/关闭/暂停/取消;完成、关闭、取消的工单不再计入在制"),
    ),
    aliases=("work orders", "工单表", "制造命令单", "生产工单"),
    required=True,
    note_zh="制造命令单(工单)",
)

DAILY = SheetSpec(
    "daily",
    "生产日报",
    (
        C("date", "日期", "date", required=True, aliases=("date", "生产日期")),
        C("wo_no", "工单号", required=True, aliases=("work order", "wo", "wo no")),
        C("line", "产线", aliases=("line", "生产线")),
        C("shift", "班次", aliases=("shift",)),
        C("good_qty", "良品数", "number", required=True, aliases=("good", "good qty", "良品", "良品数量")),
        C("bad_qty", "不良数", "number", aliases=("defects", "bad qty", "不良", "不良品数")),
        C("hours", "工时", "number", aliases=("hours",)),
        C("exception", "异常", "choice", aliases=("exception", "异常类型"), choices=EXCEPTIONS,
          note_zh="欠料/品质/设备/其他"),
        C("remark", "备注", aliases=("remark", "note")),
    ),
    aliases=("daily", "daily reports", "日报", "生产日报表"),
    required=True,
    note_zh="生产日报:每天每班一行",
)

SHIPMENTS = SheetSpec(
    "shipments",
    "出货",
    (
        C("ship_date", "出货日期", "date", required=True, aliases=("ship date", "date", "送货日期")),
        C("order_no", "订单号", required=True, aliases=("order no", "order", "单号")),
        C("line_no", "行号", aliases=("line no", "项次")),
        C("item", "产品编码", aliases=("item", "item code", "料号")),
        C("qty", "数量", "number", required=True, aliases=("qty", "quantity", "出货数量")),
        C("cartons", "箱数", "number", aliases=("cartons", "ctns")),
        C("note_no", "送货单号", aliases=("delivery note", "note no", "dn")),
        C("signed_date", "签回日期", "date", aliases=("signed date", "回单日期")),
        C("remark", "备注", aliases=("remark", "note")),
        C("vehicle", "车牌", aliases=("vehicle", "plate", "车牌号", "车号"),
          note_zh="送货车牌号,印在送货单上(可空)", note_en="Vehicle plate (delivery notes)"),
        C("carrier", "承运", aliases=("carrier", "承运商", "物流", "货运公司"),
          note_zh="承运人或物流公司,印在送货单上(可空)", note_en="Carrier (delivery notes)"),
        C("kind", "类型", "choice", aliases=("type", "kind", "出货类型", "单据类型"), choices=SHIP_KINDS,
          default="出货",
          note_zh="出货/退货;退货的数量可填正数或负数,开退货单,冲减已出货数量",
          note_en="delivery / return; a return's qty may be positive or negative"),
    ),
    aliases=("shipments", "出货记录", "出货明细", "送货"),
    required=True,
    note_zh="出货记录;送货单号可由本工具分配",
)

CUSTOMERS = SheetSpec(
    "customers",
    "客户",
    (
        C("customer", "客户", required=True, aliases=("customer", "客户简称")),
        C("full_name", "全称", aliases=("full name", "客户全称")),
        C("address", "地址", aliases=("address", "billing address", "开票地址"),
          note_zh="公司地址(对账单)"),
        C("contact", "联系人", aliases=("contact",)),
        C("phone", "电话", aliases=("phone", "tel")),
        C("statement_day", "对账日", "number", aliases=("statement day", "cut-off day", "结账日"),
          note_zh="每月对账截止日(1-31),空白 = 月底"),
        C("ship_to", "送货地址", aliases=("ship to", "ship-to address", "delivery address", "收货地址"),
          note_zh="送货单上的送货地址(可空,空白时用「地址」)", note_en="Ship-to address (delivery notes)"),
        C("tax_rate", "税率", "number", aliases=("tax rate", "tax", "增值税率", "税点"),
          note_zh="如 13%;填写后对账单列出含税/不含税金额,空白 = 不计税",
          note_en="VAT rate, e.g. 13%; blank: no tax on statements"),
        C("marks", "唛头", aliases=("shipping marks", "marks", "shipping mark", "箱唛"),
          note_zh="装箱单上的唛头(可空);多行用换行分开", note_en="Shipping marks printed on packing lists"),
    ),
    aliases=("customers", "客户资料", "客户表"),
    note_zh="客户资料",
)

RECEIPTS = SheetSpec(
    "receipts",
    "收款",
    (
        C("date", "日期", "date", required=True, aliases=("date", "收款日期", "付款日期", "到账日期")),
        C("customer", "客户", required=True, aliases=("customer", "客户简称", "付款单位"),
          note_zh="客户简称或全称,与客户表一致", note_en="Customer, as in the customer sheet"),
        C("amount", "金额", "number", required=True, aliases=("amount", "收款金额", "到账金额"),
          note_zh="收到的金额(元)", note_en="Amount received (yuan)"),
        C("method", "方式", aliases=("method", "收款方式", "付款方式"), note_zh="转账/承兑/现金等"),
        C("remark", "备注", aliases=("remark", "note")),
    ),
    aliases=("receipts", "payments", "收款记录", "收款明细", "回款"),
    note_zh="客户付款:对账单的本期收款与期初余额",
)

SETTINGS = SheetSpec(
    "settings",
    "设置",
    (
        C("key", "项目", required=True, aliases=("key", "setting", "名称")),
        C("value", "值", aliases=("value", "内容")),
    ),
    aliases=("settings", "参数"),
    key_value=True,
    note_zh="公司名称、单号规则等设置",
)

# --- materials (optional sheets; a ledger without them plans as before) ---------------

MATERIAL_KINDS = ("外购", "自制", "客供")

BOM = SheetSpec(
    "bom",
    "BOM",
    (
        C("item", "产品编码", required=True, aliases=("item", "item code", "产品", "成品编码"),
          note_zh="与产品表一致", note_en="Finished item code, as in the item sheet"),
        C("material", "物料编码", required=True, aliases=("material", "material code", "component", "料号"),
          note_zh="与物料表一致", note_en="Material code, as in the material sheet"),
        C("per_piece", "用量", "number", required=True, aliases=("qty per", "per piece", "单耗", "用量/个"),
          note_zh="每个产品用量(物料的单位)", note_en="Quantity per piece, in the material's unit"),
        C("loss_rate", "损耗率", "number", aliases=("loss", "scrap", "loss rate", "损耗"), default=0,
          note_zh="百分比,如 3% 或 3;空白 = 0", note_en="Loss in percent (3% or 3); blank = 0"),
    ),
    aliases=("bom", "物料清单", "用料表", "bill of materials"),
    note_zh="物料清单(单层):每个产品用哪些物料、用量、损耗率",
)

MATERIALS = SheetSpec(
    "materials",
    "物料",
    (
        C("material", "物料编码", required=True, aliases=("material", "material code", "料号")),
        C("material_name", "物料名称", aliases=("name", "material name", "品名")),
        C("spec", "规格", aliases=("spec", "specification", "规格型号")),
        C("unit", "单位", aliases=("unit", "uom")),
        C("stock", "库存", "number", aliases=("stock", "on hand", "可用库存", "现有库存"), default=0,
          note_zh="现在可用的库存", note_en="Usable on hand now"),
        C("kind", "类型", "choice", aliases=("type", "kind", "物料类型"), choices=MATERIAL_KINDS,
          note_zh="外购/自制/客供"),
        C("supplier", "供应商", aliases=("supplier", "vendor", "默认供应商")),
        C("lead_days", "采购周期", "number", aliases=("lead time", "lead days", "采购天数", "交货周期"),
          note_zh="下单到到货的天数(日历天,可空)", note_en="Purchase lead time in calendar days (optional)"),
    ),
    aliases=("materials", "物料表", "物料资料"),
    note_zh="物料资料:库存、类型、供应商、采购周期",
)

PURCHASE_STATES = ("未到", "部分到货", "已到", "取消", "关闭")

PURCHASES = SheetSpec(
    "purchases",
    "采购",
    (
        C("po_no", "采购单号", required=True, aliases=("po no", "purchase order", "采购单", "po")),
        C("supplier", "供应商", aliases=("supplier", "vendor")),
        C("material", "物料编码", required=True, aliases=("material", "material code", "料号")),
        C("qty", "数量", "number", required=True, aliases=("qty", "quantity", "采购数量")),
        C("unit_price", "单价", "number", aliases=("price", "unit price")),
        C("order_date", "下单日期", "date", aliases=("order date", "采购日期")),
        C("due", "预计到货", "date", aliases=("eta", "expected", "due", "交期", "到货日期"),
          note_zh="供应商回复的到货日期", note_en="Expected arrival (supplier's date)"),
        C("received", "已到数量", "number", aliases=("received", "arrived", "到货数量", "已收"), default=0),
        C("status", "状态", "choice", aliases=("status",), choices=PURCHASE_STATES,
          note_zh="未到/部分到货/已到/取消/关闭;取消、关闭的不再计入在途"),
    ),
    aliases=("purchases", "采购单", "采购跟踪表", "采购明细"),
    note_zh="采购单:物料与外购件的在途数量、预计到货",
)

REQUISITIONS = SheetSpec(
    "requisitions",
    "领料",
    (
        C("date", "日期", "date", aliases=("date", "领料日期")),
        C("wo_no", "工单号", required=True, aliases=("work order", "wo", "wo no")),
        C("material", "物料编码", required=True, aliases=("material", "material code", "料号")),
        C("qty", "数量", "number", required=True, aliases=("qty", "quantity", "领料数量", "实领")),
        C("department", "领料部门", aliases=("department", "dept", "部门")),
    ),
    aliases=("requisitions", "领料单", "领料记录", "发料"),
    note_zh="领料记录:每个工单领了多少物料",
)

SUPPLIER_PRICES = SheetSpec(
    "supplier_prices",
    "供应商价格",
    (
        C("supplier", "供应商", required=True, aliases=("supplier", "vendor")),
        C("material", "物料编码", required=True, aliases=("material", "material code", "料号")),
        C("unit_price", "单价", "number", required=True, aliases=("price", "unit price")),
        C("currency", "币种", aliases=("currency",), default="CNY"),
        C("since", "生效日期", "date", required=True, aliases=("effective", "since", "effective date", "生效")),
    ),
    aliases=("supplier prices", "价格表", "供应商报价", "采购价格"),
    note_zh="供应商价格:每个物料自生效日期起的单价",
)

MATERIAL_SHEETS = (BOM, MATERIALS, PURCHASES, REQUISITIONS, SUPPLIER_PRICES)

# --- customer forecasts (optional sheet; without it nothing changes) --------------------

FORECASTS = SheetSpec(
    "forecasts",
    "预测",
    (
        C("customer", "客户", required=True, aliases=("customer", "客户简称", "客户名称"),
          note_zh="客户简称,与订单表的客户一致(同客户同产品同期的订单冲减预测)",
          note_en="Customer, as on the order sheet (its orders of the period consume the forecast)"),
        C("item", "产品编码", required=True, aliases=("item", "item code", "料号", "产品编号"),
          note_zh="与产品表一致", note_en="Item code, as in the item sheet"),
        C("month", "月份", aliases=("month", "预测月份", "月"),
          note_zh="预测的月份:2026-12、2026年12月,或该月任一日期;月份和周只填一个",
          note_en="Month: 2026-12, 2026年12月, or any date in it; fill either 月份 or 周"),
        C("week", "周", aliases=("week", "iso week", "预测周", "周次"),
          note_zh="预测的周(ISO 周,周一至周日):2026-W49,或该周任一日期;月份和周只填一个",
          note_en="ISO week (Monday to Sunday): 2026-W49, or any date in it; fill either 月份 or 周"),
        C("qty", "数量", "number", required=True, aliases=("qty", "quantity", "预测数量", "预测量"),
          note_zh="预测数量,大于 0;已下订单的数量会从中扣除", note_en="Forecast quantity, > 0; firm orders are taken off it"),
        C("remark", "备注", aliases=("remark", "note")),
    ),
    aliases=("forecast", "forecasts", "客户预测", "预测表", "销售预测", "预产"),
    note_zh="客户预测(FORECAST):未被订单覆盖的预测数量按最低优先级排入剩余产能(软负荷)",
)

# --- quality holds (optional sheet; without it nothing changes) -------------------------

REWORK, CONCESSION, SCRAP = "返工", "让步接受", "报废"
QUALITY_ACTIONS = (REWORK, CONCESSION, SCRAP)

QUALITY = SheetSpec(
    "quality",
    "品质异常",
    (
        C("date", "日期", "date", required=True, aliases=("date", "发现日期", "异常日期"),
          note_zh="发现问题的日期", note_en="Date the problem was found"),
        C("wo_no", "工单号", required=True, aliases=("work order", "wo", "wo no", "工单编号"),
          note_zh="与工单表一致", note_en="Work order, as on the work-order sheet"),
        C("problem", "问题", aliases=("problem", "issue", "不良描述", "异常描述", "问题描述"),
          note_zh="不良现象,如「缩水」「毛边」", note_en="What is wrong"),
        C("action", "处理", "choice", required=True, aliases=("action", "disposition", "处理方式", "处置"),
          choices=QUALITY_ACTIONS,
          note_zh="返工/让步接受/报废:返工数量结案前不算良品,按预计完成日重新排产;"
                  "报废数量从良品中扣除;让步接受只记录",
          note_en="rework / concession / scrap: rework is out of good output until closed and planned again"
                  " from 预计完成; scrap reduces good output; concession is recorded only"),
        C("qty", "数量", "number", required=True, aliases=("qty", "quantity", "异常数量", "不良数量"),
          note_zh="涉及的数量,大于 0", note_en="Pieces concerned, > 0"),
        C("expected", "预计完成", "date", aliases=("expected", "eta", "预计完成日期", "预计返工完成"),
          note_zh="返工可以重新上线的日期(空白 = 检查日)", note_en="When the rework may go back on the line (blank: as-of date)"),
        C("closed_date", "结案日期", "date", aliases=("closed", "closed date", "结案", "关闭日期"),
          note_zh="处理完毕的日期;空白 = 未结案", note_en="Date the item was closed; blank: open"),
    ),
    aliases=("quality", "quality holds", "品质异常单", "品质记录", "品质异常记录", "异常处理"),
    note_zh="品质异常:返工、让步接受、报废,影响良品数量和排产",
)

# Purchases that no longer bring anything.
PURCHASE_CLOSED_STATES = ("已到", "取消", "关闭")

# --- outsourcing (optional sheet; without it nothing changes) ---------------------------

OUTSOURCING = SheetSpec(
    "outsourcing",
    "外协",
    (
        C("out_no", "外协单号", required=True, aliases=("outsourcing no", "外协单", "委外单号", "外发单号"),
          note_zh="外协单号(如 gendan docs outsourcing 开出的 WX 单号)", note_en="Outsourcing order number"),
        C("order_no", "订单号", required=True, aliases=("order no", "order", "单号"),
          note_zh="外协的货属于哪个订单", note_en="The customer order the outsourced goods belong to"),
        C("line_no", "行号", aliases=("line no", "项次"), note_zh="订单行号(可空)"),
        C("item", "产品编码", required=True, aliases=("item", "item code", "料号")),
        C("qty", "数量", "number", required=True, aliases=("qty", "quantity", "外协数量", "发出数量"),
          note_zh="外协(委外加工)数量,大于 0", note_en="Quantity made outside, > 0"),
        C("sent_date", "发出日期", "date", aliases=("sent", "sent date", "发外日期", "外发日期")),
        C("due", "预计回厂", "date", required=True, aliases=("expected back", "due", "回厂日期", "预计回货"),
          note_zh="外协厂回复的回厂日期;未回数量以此为完工预测", note_en="Expected back (the open qty's forecast)"),
        C("returned", "已回数量", "number", aliases=("returned", "received", "回厂数量", "已回"), default=0,
          note_zh="已回厂的良品数,计入订单行的生产数", note_en="Good pieces back; count as produced"),
        C("supplier", "供应商", aliases=("supplier", "vendor", "外协厂", "外协供应商")),
    ),
    aliases=("outsourcing", "委外", "外协记录", "外发加工"),
    note_zh="外协(委外加工):已回数量计入生产,未回数量按预计回厂预测",
)

# --- samples, complaints, satisfaction, finished-goods opening stock (optional sheets) ----

SAMPLE_PENDING, SAMPLE_PASS, SAMPLE_FAIL, SAMPLE_REVISE = "待确认", "合格", "不合格", "需修改"
SAMPLE_RESULTS = (SAMPLE_PENDING, SAMPLE_PASS, SAMPLE_FAIL, SAMPLE_REVISE)

SAMPLES = SheetSpec(
    "samples",
    "样品",
    (
        C("sample_no", "样品单号", aliases=("sample no", "sample", "样品编号", "样板单号", "试样单号"),
          note_zh="样品单号;空白时 gendan docs sample-notices 开试样通知单并编 YP 单号(--write-back 填入)",
          note_en="Sample request number; blank: gendan docs sample-notices gives a YP number"),
        C("customer", "客户", required=True, aliases=("customer", "客户简称", "客户名称"),
          note_zh="客户简称,与客户表一致", note_en="Customer, as in the customer sheet"),
        C("item", "产品编码", required=True, aliases=("item", "item code", "料号", "产品编号"),
          note_zh="与产品表一致", note_en="Item code, as in the item sheet"),
        C("qty", "数量", "number", aliases=("qty", "quantity", "样品数量", "送样数量"),
          note_zh="样品数量", note_en="Sample quantity"),
        C("required_date", "要求日期", "date", required=True,
          aliases=("required date", "due", "要求送样日期", "需求日期", "客户要求日期"),
          note_zh="客户要求送样的日期", note_en="Date the customer wants the sample"),
        C("sent_date", "送样日期", "date", aliases=("sent date", "sent", "寄样日期", "送样日"),
          note_zh="样品送出的日期;空白 = 未送", note_en="Date sent; blank: not sent"),
        C("result", "确认结果", "choice", aliases=("result", "确认", "客户确认", "承认结果"),
          choices=SAMPLE_RESULTS, default=SAMPLE_PENDING,
          note_zh="待确认/合格/不合格/需修改", note_en="pending / approved / rejected / to revise"),
        C("confirmed_date", "确认日期", "date", aliases=("confirmed date", "approval date", "承认日期"),
          note_zh="客户确认的日期", note_en="Date the customer answered"),
        C("seal_no", "封样编号", aliases=("seal no", "approved sample no", "封样号", "承认书编号"),
          note_zh="合格样品的封样编号,交品质部作生产标准", note_en="Sealed (approved) sample number, QC's standard"),
        C("remark", "备注", aliases=("remark", "note", "要求")),
    ),
    aliases=("samples", "样品记录", "样品登记", "送样记录", "样品管理"),
    note_zh="客户样品:要求日期、送样、确认结果、封样编号",
)

COMPLAINT_OPEN, COMPLAINT_CLOSED = "处理中", "已结案"
COMPLAINT_STATES = (COMPLAINT_OPEN, COMPLAINT_CLOSED)

COMPLAINTS = SheetSpec(
    "complaints",
    "客诉",
    (
        C("complaint_no", "客诉编号", required=True, aliases=("complaint no", "complaint", "客诉单号", "投诉编号"),
          note_zh="客诉编号", note_en="Complaint number"),
        C("date", "日期", "date", required=True, aliases=("date", "客诉日期", "投诉日期", "登记日期"),
          note_zh="客户投诉的日期", note_en="Date of the complaint"),
        C("customer", "客户", required=True, aliases=("customer", "客户简称", "客户名称"),
          note_zh="客户简称,与客户表一致", note_en="Customer, as in the customer sheet"),
        C("order_no", "订单号", aliases=("order no", "order", "单号"), note_zh="涉及的订单(可空)"),
        C("item", "产品编码", aliases=("item", "item code", "料号"), note_zh="涉及的产品(可空)"),
        C("problem", "问题描述", aliases=("problem", "description", "投诉内容", "客诉内容", "问题")),
        C("qty", "数量", "number", aliases=("qty", "quantity", "不良数量", "投诉数量")),
        C("dept", "责任部门", aliases=("department", "responsible", "责任单位")),
        C("action", "处理措施", aliases=("action", "countermeasure", "处理方案", "改善措施")),
        C("status", "状态", "choice", aliases=("status", "处理状态"), choices=COMPLAINT_STATES,
          default=COMPLAINT_OPEN, note_zh="处理中/已结案", note_en="open / closed"),
        C("closed_date", "结案日期", "date", aliases=("closed", "closed date", "结案")),
    ),
    aliases=("complaints", "客户投诉", "客诉记录", "客诉登记", "投诉记录"),
    note_zh="客户投诉:登记、责任部门、处理措施、结案",
)

SATISFACTION = SheetSpec(
    "satisfaction",
    "满意度",
    (
        C("customer", "客户", required=True, aliases=("customer", "客户简称", "客户名称")),
        C("date", "日期", "date", required=True, aliases=("date", "调查日期", "评分日期")),
        C("delivery", "交期", "number", aliases=("delivery", "交期评分", "交货"), note_zh="评分 1-5"),
        C("quality", "品质", "number", aliases=("quality", "品质评分", "质量"), note_zh="评分 1-5"),
        C("service", "服务", "number", aliases=("service", "服务评分"), note_zh="评分 1-5"),
        C("price", "价格", "number", aliases=("price", "价格评分"), note_zh="评分 1-5"),
        C("remark", "备注", aliases=("remark", "note", "意见", "客户意见")),
    ),
    aliases=("satisfaction", "客户满意度", "满意度调查", "满意度调查表"),
    note_zh="客户满意度调查:交期、品质、服务、价格,各 1-5 分",
)

OPENING_STOCK = SheetSpec(
    "opening_stock",
    "成品期初",
    (
        C("item", "产品编码", required=True, aliases=("item", "item code", "料号", "产品编号")),
        C("month", "月份", required=True, aliases=("month", "期间", "月"),
          note_zh="期初所属月份:2026-11、2026年11月,或该月任一日期", note_en="Month: 2026-11, or any date in it"),
        C("qty", "数量", "number", required=True, aliases=("qty", "quantity", "期初数量", "期初库存"),
          note_zh="该月月初的成品库存", note_en="Finished-goods stock at the start of the month"),
    ),
    aliases=("opening stock", "成品库存期初", "期初库存", "成品期初库存"),
    note_zh="成品期初库存(成品月结用;空白时取上月期末)",
)

SHEETS: tuple[SheetSpec, ...] = (
    ORDERS, ITEMS, LINES, CALENDAR, WORK_ORDERS, DAILY, SHIPMENTS, CUSTOMERS, RECEIPTS, SETTINGS, *MATERIAL_SHEETS,
    FORECASTS, OUTSOURCING, QUALITY, SAMPLES, COMPLAINTS, SATISFACTION, OPENING_STOCK,
)
SHEET_BY_KEY = {s.key: s for s in SHEETS}

# Settings keys: Chinese label, English key, default.
SETTING_KEYS: dict[str, tuple[str, object]] = {
    "company_name": ("公司名称", ""),
    "company_address": ("公司地址", ""),
    "company_phone": ("公司电话", ""),
    "wo_pattern": ("工单号规则", "WO{YYYYMMDD}{SEQ:3}"),
    "dn_pattern": ("送货单号规则", "SH{YYYYMMDD}{SEQ:3}"),
    "rt_pattern": ("退货单号规则", "TH{YYYYMMDD}{SEQ:3}"),
    "st_pattern": ("对账单号规则", "DZ{YYYYMM}{SEQ:3}"),
    "bank_name": ("开户银行", ""),
    "bank_account": ("银行账号", ""),
    "payment_terms": ("付款条件", ""),
    "prices_include_tax": ("单价含税", "是"),
    "risk_days": ("风险天数", 2),
    "holidays": ("法定节假日", "是"),
    "note_lines": ("送货单每页行数", 10),
    "note_paper": ("送货单纸张", "A5"),
    "no_work_order_days": ("未下工单提醒天数", 7),
    "rate_high": ("产能偏高倍数", 1.5),
    "rate_low": ("产能偏低倍数", 0.3),
    "defect_rate": ("不良率上限", "5%"),
    "backups_keep": ("备份保留份数", 20),
    "over_requisition": ("领料超额比例", "3%"),
    "fl_pattern": ("发料单号规则", "FL{YYYYMMDD}{SEQ:3}"),
    "jq_pattern": ("交期变更通知单号规则", "JQ{YYYYMMDD}{SEQ:3}"),
    "delivery_lead_days": ("送货提前期", 1),
    "max_overtime_hours": ("每日加班上限", 3),
    "wx_pattern": ("外协申请单号规则", "WX{YYYYMMDD}{SEQ:3}"),
    "yp_pattern": ("试样通知单号规则", "YP{YYYYMMDD}{SEQ:3}"),
    "sample_confirm_days": ("样品确认提醒天数", 7),
    "complaint_open_days": ("客诉结案提醒天数", 14),
}

# What gendan calls the files it writes: ``output_name("report", "20261126")`` ->
# 跟单报告_20261126.xlsx. Globs over a ledger folder skip these names.
OUTPUT_STEMS: dict[str, str] = {
    "check": "检查结果",
    "report": "跟单报告",
    "shipment_plan": "出货计划",
    "work_orders": "制造命令单",
    "delivery_notes": "送货单",
    "statement": "对账单",
    "assignments": "分配结果",  # number -> ledger rows of a document run
    "shortages": "欠料表",
    "material_issues": "发料通知单",
    "review": "订单评审表",
    "delay_notices": "交期变更通知",
    "rush_brief": "插单说明",
    "outsourcing": "外协申请单",
    "sample_notices": "试样通知单",
    "complaint_forms": "客诉处理单",
    "packing_lists": "装箱单",
    "monthly": "成品月结",
}


def output_name(kind: str, *parts: str) -> str:
    """An output's file name: its stem and ``parts`` joined by ``_``, ``.xlsx``."""
    return "_".join((OUTPUT_STEMS[kind], *parts)) + ".xlsx"


TOTAL_WORDS = ("合计", "总计", "小计", "total", "subtotal", "sum")

_FULLWIDTH = str.maketrans({chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {"\u3000": " "})
_UNIT_SUFFIX = re.compile(r"\s*[(\[（【][^()\[\]（）【】]*[)\]）】]\s*$")


def normalize(text: object) -> str:
    """Normalise a sheet name or header for matching: trim, full-width to half-width,
    case-fold, drop a trailing unit in brackets such as ``数量(PCS)``, drop inner spaces."""
    s = unicodedata.normalize("NFKC", str(text)).translate(_FULLWIDTH).strip().casefold()
    s = _UNIT_SUFFIX.sub("", s) or s
    return re.sub(r"[\s_\-*:：]+", "", s)


def _index(names_by_owner: dict[str, tuple[str, ...]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for owner, names in names_by_owner.items():
        for name in names:
            out.setdefault(normalize(name), owner)
    return out


SHEET_INDEX: dict[str, str] = _index({s.key: s.all_names for s in SHEETS})
COLUMN_INDEX: dict[str, dict[str, str]] = {
    s.key: _index({c.key: c.all_names for c in s.columns}) for s in SHEETS
}
SETTING_INDEX: dict[str, str] = _index(
    {k: (label, k) for k, (label, _default) in SETTING_KEYS.items()}
)


def match_sheet(name: str) -> str | None:
    """The sheet key a workbook sheet name stands for, or None."""
    return SHEET_INDEX.get(normalize(name))


def match_column(sheet_key: str, header: object) -> str | None:
    """The column key a header cell stands for within a sheet, or None."""
    if header is None:
        return None
    return COLUMN_INDEX[sheet_key].get(normalize(header))

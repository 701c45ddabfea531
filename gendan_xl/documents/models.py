"""The documents a clerk prints, as plain data: 制造命令单 (work orders), 送货单
(delivery notes), 对账单 (statements), and the number assignments behind them.

``documents/*.py`` build these from a ``Ledger``; ``write/docs_book.py`` lays them
out on paper. Nothing here knows about workbooks: every field is what the
document says, every ``LedgerRow`` is where a line came from in the clerk's file.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

DocKind = Literal["wo", "dn", "rt", "jq", "fl", "wx", "yp", "pl"]  # 工单, 送货单, 退货单, 交期变更通知, 发料通知单, 外协申请单, 试样通知单, 装箱单 (the 送货单号)
NoteKind = Literal["dn", "rt"]


class _Doc(BaseModel):
    model_config = ConfigDict(frozen=True)


class LedgerRow(_Doc):
    """A row of the clerk's ledger: the file and sheet as read, the physical Excel row."""

    file: str
    sheet: str
    row: int

    @property
    def address(self) -> str:
        return f"{self.sheet}!{self.row}"


class Company(_Doc):
    """The issuing company, from the 设置 sheet."""

    name: str = ""
    address: str = ""
    phone: str = ""
    bank_name: str = ""  # 开户银行 (statements)
    bank_account: str = ""  # 银行账号
    payment_terms: str = ""  # 付款条件


class CustomerInfo(_Doc):
    """A customer as the 客户 sheet describes it (short name always set)."""

    name: str
    full_name: str = ""
    address: str = ""
    contact: str = ""
    phone: str = ""
    statement_day: int | None = None
    ship_to: str = ""  # 送货地址; the billing 地址 when blank
    tax_rate: float | None = None  # 客户.税率 as a share (0.13), None: no tax on statements

    @property
    def display_name(self) -> str:
        return self.full_name or self.name

    @property
    def delivery_address(self) -> str:
        return self.ship_to or self.address


class WorkOrderMaterial(_Doc):
    """One row of the 制造命令单's 用料 section (from the BOM)."""

    material: str
    name: str = ""
    unit: str = ""
    per_piece: float  # 用量 x (1 + 损耗率)
    need: float  # 工单数量 x per_piece


class WorkOrderDoc(_Doc):
    """One 制造命令单: a new work order for (part of) one order line."""

    wo_no: str
    issue_date: date
    order_no: str
    line_no: str = ""
    customer: str = ""
    customer_po: str = ""
    item: str
    item_name: str = ""
    spec: str = ""
    qty: float
    unit: str = ""
    line: str = ""
    priority: str = ""
    plan_start: date | None = None
    plan_finish: date | None = None
    due_date: date | None = None  # the order line's commitment date
    pcs_per_carton: float | None = None
    cartons: int | None = None
    remark: str = ""
    supplement: bool = False  # 补下工单: the line's other work orders cover part of its qty
    source: LedgerRow  # the 订单 row
    mold_no: str = ""  # 产品.模具号
    packing: str = ""  # 产品.包装要求
    quality_std: str = ""  # 产品.品质标准
    sample_no: str = ""  # 产品.样品号
    materials: list[WorkOrderMaterial] = []  # 用料 (BOM rows of the item; empty without a BOM)

    @property
    def days_late(self) -> int | None:
        """Calendar days the plan's forecast finish (``plan_finish``) lies after the
        commitment date (``due_date``), as the plan counts them; None when on time."""
        if self.plan_finish is None or self.due_date is None:
            return None
        late = (self.plan_finish - self.due_date).days
        return late if late > 0 else None


class DeliveryLine(_Doc):
    """One printed line of a 送货单, from one 出货 row."""

    seq: int
    order_no: str
    customer_po: str = ""
    item: str = ""
    item_name: str = ""
    spec: str = ""
    unit: str = ""
    qty: float
    cartons: int | None = None
    cartons_computed: bool = False  # True when 箱数 was blank and came from 产品.每箱数量
    unit_price: float | None = None
    amount: float | None = None
    remark: str = ""
    source: LedgerRow  # the 出货 row
    customer_item: str = ""  # 客户料号 (订单, else 产品)
    vehicle: str = ""  # 出货.车牌
    carrier: str = ""  # 出货.承运


class DeliveryNote(_Doc):
    """One 送货单: the shipments to one customer on one day."""

    note_no: str
    ship_date: date
    customer: CustomerInfo
    company: Company
    lines: list[DeliveryLine]
    show_prices: bool = False
    lines_per_page: int = 10
    kind: NoteKind = "dn"  # "rt": a 退货单 (goods the customer sent back)

    @property
    def total_qty(self) -> float:
        return sum(line.qty for line in self.lines)

    @property
    def totals_by_unit(self) -> list[tuple[str, float]]:
        """(unit, total qty) in order of first appearance: PCS, 套 and 副 are never
        added together (a blank unit is its own group)."""
        totals: dict[str, float] = {}
        for line in self.lines:
            totals[line.unit] = totals.get(line.unit, 0.0) + line.qty
        return list(totals.items())

    @property
    def vehicles(self) -> str:
        return "、".join(dict.fromkeys(ln.vehicle for ln in self.lines if ln.vehicle))

    @property
    def carriers(self) -> str:
        return "、".join(dict.fromkeys(ln.carrier for ln in self.lines if ln.carrier))

    @property
    def total_cartons(self) -> int | None:
        counts = [line.cartons for line in self.lines if line.cartons is not None]
        return sum(counts) if counts else None

    @property
    def total_amount(self) -> float | None:
        amounts = [line.amount for line in self.lines if line.amount is not None]
        return round(sum(amounts), 2) if amounts else None

    @property
    def pages(self) -> list[list[DeliveryLine]]:
        """The lines of each printed page (at least one page, maybe empty)."""
        n = max(1, self.lines_per_page)
        chunks = [self.lines[i : i + n] for i in range(0, len(self.lines), n)]
        return chunks or [[]]


class StatementLine(_Doc):
    """One line of a 对账单: one 出货 row (a delivery, or a return with negative qty
    and amount), with or without a delivery-note number."""

    ship_date: date
    note_no: str  # blank: no 送货单 yet (printed 未开送货单)
    order_no: str = ""
    customer_po: str = ""
    item: str = ""
    item_name: str = ""
    unit: str = ""
    qty: float  # negative for a return
    unit_price: float | None = None
    amount: float | None = None  # qty x price as priced in the ledger (negative for a return)
    signed_date: date | None = None
    source: LedgerRow
    spec: str = ""
    is_return: bool = False  # 出货.类型 退货
    billed: float | None = None  # what the customer owes for it, tax included (= amount unless
    # prices exclude tax)

    @property
    def signed(self) -> bool:
        return self.signed_date is not None

    @property
    def numbered(self) -> bool:
        return bool(self.note_no)


class Receipt(_Doc):
    """A payment from the customer (收款 sheet)."""

    day: date
    amount: float
    method: str = ""
    remark: str = ""
    source: LedgerRow


class UnitTotal(_Doc):
    """Quantities of one unit on a statement (PCS and 套 are never added together)."""

    unit: str
    delivered: float = 0.0
    returned: float = 0.0  # positive
    amount: float = 0.0  # priced amount, returns deducted

    @property
    def net(self) -> float:
        return self.delivered - self.returned


def cents(values: list[float]) -> float:
    """A sum of amounts to the fen, without float drift."""
    total = sum((Decimal(str(v)) for v in values), Decimal(0))
    return float(total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


class Statement(_Doc):
    """One 对账单: every 出货 row of a customer in one period (returns negative,
    rows without a 送货单号 marked), the payments received and the balances:
    期初余额 + 本期送货 - 本期退货 - 本期收款 = 期末应收 (amounts tax included)."""

    customer: CustomerInfo
    company: Company
    period: str  # "YYYY-MM"
    start: date
    end: date
    issue_date: date
    lines: list[StatementLine]
    number: str = ""  # 对账单号
    open_until: date | None = None  # made before the period ended: 截至 this day (未结账)
    opening_balance: float = 0.0  # 期初余额: earlier deliveries - returns - receipts
    receipts: list[Receipt] = []
    prices_include_tax: bool = True

    @property
    def total_qty(self) -> float:
        """Net quantity when every line has the same unit (else see ``unit_totals``)."""
        return sum(line.qty for line in self.lines)

    @property
    def total_amount(self) -> float:
        """The period's priced amount, returns deducted."""
        return cents([line.amount or 0.0 for line in self.lines])

    @property
    def unit_totals(self) -> list[UnitTotal]:
        """Quantities and amounts per unit, in order of first appearance."""
        acc: dict[str, dict[str, list[float]]] = {}
        for line in self.lines:
            t = acc.setdefault(line.unit, {"d": [], "r": [], "a": []})
            (t["r"] if line.is_return else t["d"]).append(abs(line.qty))
            t["a"].append(line.amount or 0.0)
        return [UnitTotal(unit=u, delivered=sum(t["d"]), returned=sum(t["r"]), amount=cents(t["a"]))
                for u, t in acc.items()]

    @property
    def delivered_amount(self) -> float:
        """本期送货 (tax included)."""
        return cents([line.billed or 0.0 for line in self.lines if not line.is_return])

    @property
    def returned_amount(self) -> float:
        """本期退货 (tax included, positive)."""
        return cents([-(line.billed or 0.0) for line in self.lines if line.is_return])

    @property
    def received_amount(self) -> float:
        """本期收款."""
        return cents([r.amount for r in self.receipts])

    @property
    def closing_balance(self) -> float:
        """期末应收."""
        return cents([self.opening_balance, self.delivered_amount, -self.returned_amount,
                       -self.received_amount])

    @property
    def billed_amount(self) -> float:
        """This period's deliveries less returns, tax included."""
        return cents([self.delivered_amount, -self.returned_amount])

    @property
    def tax_split(self) -> tuple[float, float] | None:
        """(不含税金额, 税额) of ``billed_amount`` when the customer has a tax rate."""
        rate = self.customer.tax_rate
        if rate is None:
            return None
        gross = Decimal(str(self.billed_amount))
        net = (gross / (1 + Decimal(str(rate)))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return float(net), float(gross - net)

    @property
    def notes(self) -> list[str]:
        """Delivery-note numbers in order of first appearance."""
        return list(dict.fromkeys(line.note_no for line in self.lines if line.note_no and not line.is_return))

    @property
    def return_notes(self) -> list[str]:
        """退货单 numbers in order of first appearance."""
        return list(dict.fromkeys(line.note_no for line in self.lines if line.note_no and line.is_return))

    @property
    def unsigned_notes(self) -> list[str]:
        signed: dict[str, bool] = {}
        for line in self.lines:
            if line.note_no and not line.is_return:
                signed[line.note_no] = signed.get(line.note_no, True) and line.signed
        return [n for n, ok in signed.items() if not ok]

    @property
    def unnumbered(self) -> list[StatementLine]:
        """Lines without a 送货单号 (未开送货单)."""
        return [line for line in self.lines if not line.note_no]

    @property
    def missing_prices(self) -> int:
        return sum(1 for line in self.lines if line.amount is None)


class Assignment(_Doc):
    """A number given out in this run and the ledger rows it belongs to.

    For a delivery note the rows are the 出货 rows that get the number; for a work
    order the 订单 row it is for (a new 工单 row is appended on write-back).
    """

    kind: DocKind
    number: str
    day: date
    customer: str = ""
    order_no: str = ""
    qty: float = 0.0
    rows: list[LedgerRow]
    note: str = ""  # e.g. 补下工单


class WriteBackCell(_Doc):
    """A value to put into one existing cell of the ledger."""

    file: str
    sheet: str
    row: int
    column: str  # letters
    value: str | date  # a date is written as a date (回复交期)


class WriteBackRow(_Doc):
    """A row to append to a ledger sheet: column letters -> value."""

    file: str
    sheet: str
    values: dict[str, str | int | float | date | None]


class WriteBackPlan(_Doc):
    """Everything ``--write-back`` would change in the clerk's file(s)."""

    cells: list[WriteBackCell] = []
    rows: list[WriteBackRow] = []
    problems: list[str] = []  # why something cannot be written back (clerk-readable, Chinese)

    @property
    def empty(self) -> bool:
        return not self.cells and not self.rows


class MaterialIssueLine(_Doc):
    """One material of a 发料通知单."""

    material: str
    name: str = ""
    spec: str = ""
    unit: str = ""
    per_piece: float  # 单耗 (BOM 用量)
    loss_rate: float = 0.0  # 损耗率 as a share
    need: float  # 需求量 = 工单数量 x 用量 x (1 + 损耗率)
    issued: float  # 已领
    to_issue: float  # 本次应发: what stock covers now
    short: float  # 欠料: still to come (open purchases, or to be bought)
    ready: date | None = None  # 预计到料
    ready_known: bool = True


class MaterialIssueDoc(_Doc):
    """One 发料通知单: the materials of one work order."""

    number: str
    issue_date: date
    wo_no: str
    order: str = ""  # the order line's label (SO1-2)
    item: str
    item_name: str = ""
    qty: float
    line: str = ""
    plan_start: date | None = None
    lines: list[MaterialIssueLine]


class DelayLine(_Doc):
    """One order line on a 交期变更通知: forecast late, with the date proposed to the
    customer and the reason in words a customer reads."""

    label: str  # the order line (SO1-2)
    key: str = ""  # the order book's key of the line
    order_no: str
    customer_po: str = ""
    item: str
    item_name: str = ""
    spec: str = ""
    qty: float  # the order line's quantity
    unit: str = ""
    original_date: date  # the commitment date (变更交期, else 回复交期, else 交期)
    forecast_finish: date  # from the plan
    proposed_date: date  # forecast finish (today when earlier) + 送货提前期 working days
    reason_code: str = ""  # the plan's LateReason value
    reason: str  # 产能 / 物料 / 品质
    reason_text: str  # the reason in a customer's words
    source: LedgerRow  # the 订单 row

    @property
    def days_later(self) -> int:
        """Calendar days from the original date to the proposed one."""
        return (self.proposed_date - self.original_date).days


class DelayNotice(_Doc):
    """One 交期变更通知: a customer's late order lines with the new dates proposed."""

    number: str
    issue_date: date
    customer: CustomerInfo
    company: Company
    lead_days: int  # 送货提前期 used for the proposed dates
    lines: list[DelayLine]

"""`gendan plan` and `gendan whatif`: JSON contract, terminal summary, exit codes, help."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from test_plan import AS_OF, sheets

from gendan_xl import cli


@pytest.fixture(scope="module")
def ledger_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from helpers import make_workbook

    return make_workbook(tmp_path_factory.mktemp("cli_plan") / "台账.xlsx", sheets())


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_plan_json(ledger_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "plan", str(ledger_path), "--as-of", AS_OF.isoformat(), "--json")
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["as_of", "orders", "work_orders", "capacity", "overloads", "otd", "forecasts"]
    assert data["as_of"] == "2026-09-17"
    first = data["orders"][0]
    assert (first["order_no"], first["status"], first["reason"], first["forecast_finish"]) == (
        "SO8", "overdue", "material_shortage", "2026-09-17"
    )
    assert {c["period"] for c in data["capacity"]} >= {"2026-10-12", "2026-W42"}
    assert data["overloads"][0]["order_keys"] == ["SO4-1"]


def test_plan_terminal_zh_and_en(ledger_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "plan", str(ledger_path), "--as-of", "2026-09-17")
    assert code == 0
    assert "交期预警" in out and "已逾期" in out and "欠料" in out and "产线负荷" in out
    # most urgent first: the overdue line is listed before the late and at-risk ones
    assert out.index("SO8-1") < out.index("SO4-1") < out.index("SO3-1")
    assert "SO2-1" not in out  # on track: not in the alert list
    assert "2026-W38" in out and "100%" in out
    code, out, _ = run(capsys, "plan", str(ledger_path), "--as-of", "2026-09-17", "--lang", "en")
    assert "overdue" in out and "material shortage" in out and "Line load" in out


def test_plan_exit_code_1_on_data_errors(workbook: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    book = sheets()
    book["订单"] = [*book["订单"], ["SO99", 1, "ACME", "P1", "很多", AS_OF, AS_OF, None, None, None, None]]
    code, out, _ = run(capsys, "plan", str(workbook(book)), "--as-of", "2026-09-17")
    assert code == 1
    assert "台账有 1 个错误" in out


def test_plan_unusable_ledger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "plan", str(tmp_path / "nope.xlsx"))
    assert code == 2
    assert "nope.xlsx" in err and "Traceback" not in err


def test_whatif_json(ledger_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "whatif", str(ledger_path), "--item", "P1", "--qty", "100", "--due", "2026-09-22",
        "--as-of", "2026-09-17", "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["new"] == {"forecast_finish": "2026-09-19", "days_late": -3, "status": "at_risk"}
    assert [(m["order_no"], m["delta_days"], m["becomes_late"]) for m in data["moved"]] == [
        ("SO1", 4, True), ("SO2", 2, False), ("SO4", 1, False)
    ]


def test_whatif_terminal_with_line_and_priority(ledger_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "whatif", str(ledger_path), "--item", "P3", "--qty", "500", "--due", "2026/9/23",
        "--line", "B线", "--priority", "normal", "--as-of", "2026-09-17",
    )
    assert code == 0
    assert "插单模拟" in out and "2026-09-18" in out and "SO5-1" in out and "2026-09-21" in out
    assert "SO1-1" not in out  # A线 does not move


@pytest.mark.parametrize(("line", "says"), [("C线", "产线「C线」不在产线表中"), ("B线", "产品「P1」的产线是「A线」")])
def test_whatif_line_the_item_cannot_use(
    ledger_path: Path, capsys: pytest.CaptureFixture[str], line: str, says: str
) -> None:
    code, out, err = run(
        capsys, "whatif", str(ledger_path), "--item", "P1", "--qty", "200", "--due", "2026-09-23",
        "--line", line, "--as-of", "2026-09-17",
    )
    assert (code, out) == (2, "")
    assert says in err and "Traceback" not in err and err.count("\n") == 1


def test_whatif_rejects_bad_arguments(ledger_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for extra in (["--qty", "0"], ["--qty", "5", "--priority", "asap"]):
        argv = ["whatif", str(ledger_path), "--item", "P1", "--due", "2026-09-22", *extra]
        if "--qty" not in extra:
            argv += ["--qty", "5"]
        with pytest.raises(SystemExit) as exc:
            cli.main(argv)
        assert exc.value.code == 2
    capsys.readouterr()


@pytest.mark.parametrize("command", ["plan", "whatif"])
def test_help_has_chinese_english_and_an_example(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    out = capsys.readouterr().out
    assert "例 / example: gendan " + command in out.replace("\n", " ")
    assert "--as-of" in out and "--json" in out

"""Writes the sample loan books of the import examples, the same every time for one seed.

Two layouts, each as CSV and as XLSX holding the same loans:

- `cn_bank_loans`: a Chinese bank's export, columns in Chinese, amounts in 万元 with up to
  six decimals, dates `2024/03/15` in the CSV and date cells in the workbook;
- `sba_7a_loans`: the public SBA 7(a) loan-level layout, amounts like `$60,000.00`, dates
  `28-Feb-97` in the CSV and SAS day numbers (days since 1960-01-01) in the workbook.

    python examples/import/generate.py                      # the committed samples
    python examples/import/generate.py --layout sba --loans 10000 --out /tmp/bench

Every loan is consistent with its status (a charged-off loan's loss is what it still owed),
so the samples import without a refused row under the example products and mappings.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from domain.schedule import ANNUITY, INTEREST_ONLY, build_schedule
from domain.uscc import CHARSET, check_character

HERE = Path(__file__).resolve().parent
SAMPLE_LOANS = {"cn": 60, "sba": 80}
SEED = 2024
SAS_EPOCH = date(1960, 1, 1)
# The dates the books describe their loans on (the mappings' [source] as_of).
CN_AS_OF = date(2025, 6, 30)
SBA_AS_OF = date(2014, 12, 31)

CN_HEADER = (
    "贷款编号",
    "借款人名称",
    "统一社会信用代码",
    "所属地区",
    "合同金额(万元)",
    "执行年利率(%)",
    "期限(月)",
    "起息日",
    "还款方式",
    "首贷",
    "信用贷款",
    "放款金额(万元)",
    "放款日期",
    "累计已还本金(万元)",
    "累计已还利息(万元)",
    "最近还款日",
    "贷款状态",
    "违约日期",
    "核销日期",
    "核销本金(万元)",
)
SBA_HEADER = (
    "LoanNr_ChkDgt",
    "Name",
    "State",
    "Bank",
    "ApprovalDate",
    "ApprovalFY",
    "Term",
    "DisbursementDate",
    "DisbursementGross",
    "MIS_Status",
    "ChgOffDate",
    "ChgOffPrinGr",
    "GrAppv",
    "SBA_Appv",
)
SBA_LENDERS = (
    "BANK OF AMERICA NATL ASSOC",
    "WELLS FARGO BANK NATL ASSOC",
    "JPMORGAN CHASE BANK NATL ASSOC",
)
_CN_DISTRICTS = (("320505", "苏州高新区"), ("320506", "苏州吴中区"), ("320571", "苏州工业园区"))
_CN_TRADES = ("智能装备", "生物医药", "新材料", "集成电路", "软件信息", "新能源")
_CN_WORDS = ("苏通", "恒瑞", "华芯", "纳微", "博远", "启明", "云帆", "中科", "瀚海", "德源")
_SBA_STATES = ("CA", "TX", "NY", "FL", "OH", "IL", "WA", "MA")
_SBA_WORDS = ("ACME", "BLUE RIVER", "SUMMIT", "PIONEER", "EVERGREEN", "LAKESIDE", "REDWOOD")
_SBA_TRADES = ("MACHINE SHOP", "BAKERY", "DENTAL GROUP", "AUTO REPAIR", "PRINTING", "CAFE")
_SCHEDULE_KINDS = {"先息后本": INTEREST_ONLY, "等额本息": ANNUITY}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Sample:
    """One layout's loans: the header and one cell tuple per row, for CSV and for XLSX."""

    header: Sequence[str]
    csv_rows: list[tuple[Any, ...]]
    xlsx_rows: list[tuple[Any, ...]]


def _wan(fen: int) -> Decimal:
    """Fen as 万元, exactly (at most six decimals)."""
    return (Decimal(fen) / 1_000_000).normalize() + 0


def _wan_text(fen: int) -> str:
    return f"{_wan(fen):f}"


def _uscc(rng: random.Random, region: str) -> str:
    first17 = "91" + region + "".join(rng.choice(CHARSET) for _ in range(9))
    return first17 + check_character(first17)


def _interest_fen(principal_fen: int, rate_bps: int, start: date, end: date) -> int:
    """Simple interest, ACT/360, rounded down to the fen: a plausible 'interest paid'."""
    return principal_fen * rate_bps * max((end - start).days, 0) // (10_000 * 360)


def _cn_loans(count: int, seed: int) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Yields (csv cells, xlsx cells) per loan of the Chinese bank's book, keyed by column."""
    rng = random.Random(seed)
    as_of = CN_AS_OF
    borrowers: list[tuple[str, str, str]] = []
    for number in range(1, count + 1):
        if borrowers and rng.random() < 0.15:
            uscc, name, district = rng.choice(borrowers)
        else:
            code, district = rng.choice(_CN_DISTRICTS)
            name = f"苏州{rng.choice(_CN_WORDS)}{rng.choice(_CN_TRADES)}科技有限公司"
            uscc = _uscc(rng, code)
            borrowers.append((uscc, name, district))
        principal = rng.choice((100, 150, 200, 300, 400, 500)) * 1_000_000  # 万元 -> fen
        rate = rng.choice((345, 365, 385, 400, 435, 480))
        term = rng.choice((12, 24, 36))
        status = rng.choices(("正常", "结清", "违约", "核销"), weights=(60, 25, 10, 5))[0]
        # Loans that went bad were lent early enough to have defaulted by the as-of date.
        lent_within = 180 if status in ("违约", "核销") else 365
        start = date(2024, 1, 2) + timedelta(days=rng.randrange(lent_within))
        schedule = rng.choice(tuple(_SCHEDULE_KINDS))
        disbursed = principal
        instalments = build_schedule(
            principal_fen=principal,
            annual_rate_bps=rate,
            term_months=term,
            start_date=start,
            kind=_SCHEDULE_KINDS[schedule],
        )
        default_on = write_off_on = None
        if status == "正常":
            # Paid as scheduled: every instalment due by the as-of date.
            paid = [i for i in instalments if i.due_date <= as_of]
        else:
            # Paid as scheduled for a while; then repaid early (结清) or stopped paying.
            paid = instalments[: rng.randrange(1, min(6, len(instalments)))]
        if len(paid) == len(instalments):
            status = "结清"  # matured and paid as scheduled: the bank's system says so too
        repaid = sum(i.principal_fen for i in paid)
        interest = sum(i.interest_fen for i in paid)
        paid_until = paid[-1].due_date if paid else None
        if status == "结清" and repaid < disbursed:
            assert paid_until is not None
            paid_until += timedelta(days=rng.randrange(1, 28))
            interest += _interest_fen(disbursed - repaid, rate, paid[-1].due_date, paid_until)
            repaid = disbursed
        elif status in ("违约", "核销"):
            # R6: in default 90 days after the first instalment left unpaid fell due.
            default_on = instalments[len(paid)].due_date + timedelta(days=90)
            if status == "核销":
                write_off_on = min(default_on + timedelta(days=rng.randrange(30, 120)), as_of)
        loss = disbursed - repaid if write_off_on is not None else None
        shared = {
            "贷款编号": f"GH{start.year}{number:06d}",
            "借款人名称": name,
            "统一社会信用代码": uscc,
            "所属地区": district,
            "执行年利率(%)": f"{Decimal(rate) / 100:f}",
            "期限(月)": term,
            "还款方式": schedule,
            "首贷": "是" if rng.random() < 0.3 else "否",
            "信用贷款": "是" if rng.random() < 0.4 else "否",
            "贷款状态": status,
        }
        dates = {
            "起息日": start,
            "放款日期": start,
            "最近还款日": paid_until,
            "违约日期": default_on,
            "核销日期": write_off_on,
        }
        amounts = {
            "合同金额(万元)": principal,
            "放款金额(万元)": disbursed,
            "累计已还本金(万元)": repaid,
            "累计已还利息(万元)": interest,
            "核销本金(万元)": loss,
        }
        as_text = {
            **shared,
            **{k: "" if v is None else f"{v:%Y/%m/%d}" for k, v in dates.items()},
            **{k: "" if v is None else _wan_text(v) for k, v in amounts.items()},
        }
        as_cells = {
            **shared,
            "执行年利率(%)": float(Decimal(rate) / 100),
            **dates,
            **{k: None if v is None else float(_wan(v)) for k, v in amounts.items()},
        }
        yield as_text, as_cells


def _sba_date(day: date) -> str:
    return f"{day.day}-{_MONTHS[day.month - 1]}-{day.year % 100:02d}"


def _dollars(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d} "


def _sba_loans(count: int, seed: int) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Yields (csv cells, xlsx cells) per loan of the SBA 7(a) layout, keyed by column."""
    rng = random.Random(seed)
    borrowers: list[tuple[str, str]] = []
    for number in range(count):
        if borrowers and rng.random() < 0.1:
            name, state = rng.choice(borrowers)
        else:
            name = f"{rng.choice(_SBA_WORDS)} {rng.choice(_SBA_TRADES)} {number} INC"
            state = rng.choice(_SBA_STATES)
            borrowers.append((name, state))
        approved = date(1990, 1, 1) + timedelta(days=rng.randrange(365 * 15))
        term = rng.choice((60, 84, 120, 180, 240))
        gross = rng.randrange(20_000, 2_000_000, 500) * 100  # cents
        express = rng.random() < 0.15
        share = Decimal("0.5") if express else Decimal("0.85" if gross <= 15_000_000 else "0.75")
        guaranteed = int(gross * share)
        disbursed_on = approved + timedelta(days=rng.randrange(0, 60))
        charged_off = rng.random() < 0.2
        latest = min(30 * term - 30, (SBA_AS_OF - disbursed_on).days)
        chg_off_on = (
            disbursed_on + timedelta(days=rng.randrange(200, latest)) if charged_off else None
        )
        loss = rng.randrange(gross // 4, gross + 1, 100) if charged_off else 0
        shared = {
            "LoanNr_ChkDgt": str(1_000_000_000 + number * 7919 % 999_983 * 1000 + number % 997),
            "Name": name,
            "State": state,
            "Bank": rng.choice(SBA_LENDERS),
            "ApprovalFY": approved.year + (approved.month >= 10),
            "Term": term,
            "MIS_Status": "CHGOFF" if charged_off else "P I F",
        }
        dates = {
            "ApprovalDate": approved,
            "DisbursementDate": disbursed_on,
            "ChgOffDate": chg_off_on,
        }
        amounts = {
            "DisbursementGross": gross,
            "ChgOffPrinGr": loss,
            "GrAppv": gross,
            "SBA_Appv": guaranteed,
        }
        as_text = {
            **shared,
            **{k: "" if v is None else _sba_date(v) for k, v in dates.items()},
            **{k: _dollars(v) for k, v in amounts.items()},
        }
        as_cells = {
            **shared,
            **{k: None if v is None else (v - SAS_EPOCH).days for k, v in dates.items()},
            **{k: float(Decimal(v) / 100) for k, v in amounts.items()},
        }
        yield as_text, as_cells


LAYOUTS: dict[str, tuple[str, Sequence[str], Callable[[int, int], Iterator[Any]]]] = {
    "cn": ("cn_bank_loans", CN_HEADER, _cn_loans),
    "sba": ("sba_7a_loans", SBA_HEADER, _sba_loans),
}


def sample(layout: str, loans: int, seed: int = SEED) -> Sample:
    """Returns one layout's loans, as the CSV writes them and as the workbook does."""
    _, header, loans_of = LAYOUTS[layout]
    csv_rows, xlsx_rows = [], []
    for as_text, as_cells in loans_of(loans, seed):
        csv_rows.append(tuple(as_text[column] for column in header))
        xlsx_rows.append(tuple(as_cells[column] for column in header))
    return Sample(header, csv_rows, xlsx_rows)


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def write_xlsx(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("loans")
    sheet.append(list(header))
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    workbook.save(path)


def write(layout: str, loans: int, out: Path, seed: int = SEED, formats: str = "both") -> None:
    """Writes `<name>.csv` and/or `<name>.xlsx` for the layout into `out`."""
    name = LAYOUTS[layout][0]
    made = sample(layout, loans, seed)
    out.mkdir(parents=True, exist_ok=True)
    if formats in ("csv", "both"):
        write_csv(out / f"{name}.csv", made.header, made.csv_rows)
    if formats in ("xlsx", "both"):
        write_xlsx(out / f"{name}.xlsx", made.header, made.xlsx_rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layout", choices=("cn", "sba", "both"), default="both")
    parser.add_argument("--loans", type=int, help="loans per layout [the samples' sizes]")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--format", choices=("csv", "xlsx", "both"), default="both")
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)
    for layout in ("cn", "sba") if args.layout == "both" else (args.layout,):
        loans = args.loans or SAMPLE_LOANS[layout]
        write(layout, loans, args.out, args.seed, args.format)


if __name__ == "__main__":
    main()

"""The demo programme's cast: operator, pool owners, banks, guarantors, insurer, auditor, pools."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from domain.actor import Actor
from domain.terms import ProductTerms
from ledger.terms_file import load_terms

TERMS_DIR = Path(__file__).parent / "terms"
TERMS_FILES = ("sukedai.toml", "tongkedai.toml", "kechuangdai.toml", "kejibao.toml")


@dataclass(frozen=True, slots=True)
class DemoInstitution:
    """An institution as the operator registers it, with the clerk who acts for it."""

    code: str
    kind: str
    name: str
    region: str
    level: str | None = None
    clerk: str = "demo"

    @property
    def actor(self) -> Actor:
        return Actor(self.code, self.clerk, "demo")


@dataclass(frozen=True, slots=True)
class DemoBank:
    """A partner bank, with its share of the programme's loans and its loan-number prefix."""

    code: str
    name: str
    weight: float  # the bank's probability in the seeded choice of lender, never money
    loan_prefix: str
    clerk: str


@dataclass(frozen=True, slots=True)
class DemoPool:
    """A risk pool, the products it covers, and the days its owner pays in (its budget)."""

    code: str
    name: str
    owner: str
    level: str
    products: tuple[str, ...]
    ref_prefix: str
    funding_days: tuple[date, ...]


OPERATOR = DemoInstitution("SZ-KJJ", "operator", "苏州市科学技术局", "苏州市", clerk="zhou.min")
FUND_MANAGER = OPERATOR.actor
AUDITOR = DemoInstitution("SZ-SJJ", "auditor", "苏州市审计局", "苏州市")
POOL_OWNERS = (
    DemoInstitution("JS-CZT", "pool_owner", "江苏省财政厅", "江苏省", "province"),
    DemoInstitution("SZ-CZJ", "pool_owner", "苏州市财政局", "苏州市", "city"),
    DemoInstitution("KS-CZJ", "pool_owner", "昆山市财政局", "苏州市昆山市", "county"),
)
GUARANTOR = DemoInstitution(
    "SZ-RZDB", "guarantor", "苏州市融资担保有限公司", "苏州市", clerk="gu.wei"
)
REGUARANTOR = DemoInstitution(
    "JS-ZDB", "reguarantor", "江苏省信用再担保集团有限公司", "江苏省", clerk="shen.li"
)
INSURER = DemoInstitution(
    "PICC-SZ", "insurer", "中国人民财产保险股份有限公司苏州市分公司", "苏州市", clerk="he.ting"
)
# Weights follow the local pattern: city and provincial commercial banks lend most of the
# programme's small tech loans, the big state banks follow.
BANKS = (
    DemoBank("SZB", "苏州银行", 0.22, "SZB", "xu.jing"),
    DemoBank("JSB-SZ", "江苏银行苏州分行", 0.19, "JSSZ", "chen.hao"),
    DemoBank("ICBC-SZ", "工商银行苏州分行", 0.16, "GH32", "wang.lei"),
    DemoBank("ABC-SZ", "农业银行苏州分行", 0.13, "NH32", "li.na"),
    DemoBank("CCB-SZ", "建设银行苏州分行", 0.12, "JH32", "zhang.yu"),
    DemoBank("CMB-SZ", "招商银行苏州分行", 0.09, "ZS0512", "liu.yang"),
    DemoBank("SRCB", "苏州农村商业银行", 0.09, "SNS", "sun.qian"),
)
BANK_INSTITUTIONS = tuple(
    DemoInstitution(b.code, "bank", b.name, "苏州市", clerk=b.clerk) for b in BANKS
)
INSTITUTIONS = (
    OPERATOR,
    *POOL_OWNERS,
    *BANK_INSTITUTIONS,
    GUARANTOR,
    REGUARANTOR,
    INSURER,
    AUDITOR,
)
# The close of business runs as the ledger's own scheduler would.
CLOSE_OF_BUSINESS = Actor("riskledger", "close-of-business", "demo")

# Pools are paid into twice a year, each owner on its own budget day; how much, the
# planner's budget office decides (budgets.py). Kunshan's county pool carries 科创贷's 10%
# and, through R3, all of the product's leverage.
POOLS = (
    DemoPool(
        "JS-RCP",
        "江苏省科技贷款风险补偿资金池",
        "JS-CZT",
        "province",
        ("SKD",),
        "JS",
        (
            date(2024, 1, 10),
            date(2024, 7, 10),
            date(2025, 1, 10),
            date(2025, 7, 10),
            date(2026, 1, 12),
        ),
    ),
    DemoPool(
        "SZ-RCP",
        "苏州市科技信贷风险补偿资金池",
        "SZ-CZJ",
        "city",
        ("SKD", "TKD"),
        "SZ",
        (
            date(2024, 1, 8),
            date(2024, 7, 8),
            date(2025, 1, 8),
            date(2025, 7, 8),
            date(2026, 1, 8),
        ),
    ),
    DemoPool(
        "KS-RCP",
        "昆山市科技信贷风险补偿资金池",
        "KS-CZJ",
        "county",
        ("KCD",),
        "KS",
        (
            date(2024, 1, 12),
            date(2024, 7, 8),
            date(2025, 1, 8),
            date(2025, 7, 8),
            date(2026, 1, 8),
        ),
    ),
)


def bank_actor(code: str) -> Actor:
    """Returns the clerk who enters bank `code`'s loans in the demo."""
    clerk = next(bank.clerk for bank in BANKS if bank.code == code)
    return Actor(code, clerk, "demo")


def demo_terms() -> tuple[ProductTerms, ...]:
    """Returns the demo products' terms, read from the TOML files shipped with the demo."""
    return tuple(load_terms(TERMS_DIR / name) for name in TERMS_FILES)

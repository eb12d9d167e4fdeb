"""The demo programme's cast: the operator, pool owners, banks, auditor and risk pools."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from domain.actor import Actor
from domain.terms import ProductTerms
from ledger.terms_file import load_terms

TERMS_DIR = Path(__file__).parent / "terms"
TERMS_FILES = ("sukedai.toml", "tongkedai.toml")


@dataclass(frozen=True, slots=True)
class DemoInstitution:
    """An institution as the operator registers it."""

    code: str
    kind: str
    name: str
    region: str
    level: str | None = None


@dataclass(frozen=True, slots=True)
class DemoBank:
    """A partner bank, with its share of the programme's loans and its loan-number prefix."""

    code: str
    name: str
    weight: float
    loan_prefix: str
    clerk: str


@dataclass(frozen=True, slots=True)
class DemoPool:
    """A risk pool, the products it covers and its contributions at the full demo size.

    `tranches` are (day, yuan) pairs; the planner scales them with the number of loans so a
    small demo is not absurdly over-funded.
    """

    code: str
    name: str
    owner: str
    level: str
    products: tuple[str, ...]
    ref_prefix: str
    tranches: tuple[tuple[date, int], ...]


OPERATOR = DemoInstitution("SZ-KJJ", "operator", "苏州市科学技术局", "苏州市")
FUND_MANAGER = Actor(OPERATOR.code, "zhou.min", "demo")
AUDITOR = DemoInstitution("SZ-SJJ", "auditor", "苏州市审计局", "苏州市")
POOL_OWNERS = (
    DemoInstitution("JS-CZT", "pool_owner", "江苏省财政厅", "江苏省", "province"),
    DemoInstitution("SZ-CZJ", "pool_owner", "苏州市财政局", "苏州市", "city"),
    DemoInstitution("KS-CZJ", "pool_owner", "昆山市财政局", "苏州市昆山市", "county"),
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
BANK_INSTITUTIONS = tuple(DemoInstitution(b.code, "bank", b.name, "苏州市") for b in BANKS)
INSTITUTIONS = (OPERATOR, *POOL_OWNERS, *BANK_INSTITUTIONS, AUDITOR)

# The county pool covers no product yet: its guaranteed product 科创贷 arrives later, but the
# county already pays in, as Kunshan did before its product launched.
POOLS = (
    DemoPool(
        "JS-RCP",
        "江苏省科技贷款风险补偿资金池",
        "JS-CZT",
        "province",
        ("SKD",),
        "JS",
        (
            (date(2024, 1, 10), 50_000_000),
            (date(2024, 7, 10), 50_000_000),
            (date(2025, 1, 10), 60_000_000),
            (date(2025, 7, 10), 60_000_000),
            (date(2026, 1, 12), 60_000_000),
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
            (date(2024, 1, 8), 200_000_000),
            (date(2024, 7, 8), 200_000_000),
            (date(2025, 1, 8), 200_000_000),
            (date(2025, 7, 8), 200_000_000),
            (date(2026, 1, 8), 200_000_000),
        ),
    ),
    DemoPool(
        "KS-RCP",
        "昆山市科技信贷风险补偿资金池",
        "KS-CZJ",
        "county",
        (),
        "KS",
        (
            (date(2024, 3, 1), 20_000_000),
            (date(2025, 3, 3), 30_000_000),
            (date(2026, 3, 2), 30_000_000),
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

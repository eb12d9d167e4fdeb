"""Invented Suzhou technology enterprises with valid unified social credit codes."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from domain.uscc import CHARSET, check_character

# (USCC region code, name prefix, region as registered, share of the programme's borrowers)
DISTRICTS = (
    ("320594", "苏州", "苏州工业园区", 0.22),
    ("320505", "苏州", "苏州高新区", 0.15),
    ("320583", "昆山", "昆山市", 0.13),
    ("320506", "苏州", "吴中区", 0.10),
    ("320509", "苏州", "吴江区", 0.08),
    ("320507", "苏州", "相城区", 0.07),
    ("320581", "常熟", "常熟市", 0.07),
    ("320582", "张家港", "张家港市", 0.07),
    ("320585", "太仓", "太仓市", 0.06),
    ("320508", "苏州", "姑苏区", 0.05),
)
# Trade names are built from two syllables so that they read naturally yet do not name
# real companies: the demo makes some of them default.
FIRST_SYLLABLES = "博瑞汇思启凌睿华智维恒卓领宏星云晟泓弘昱铂锐衡澜璟熠钧翊骐舜祺珂沐岚峰岱琦瀚"
SECOND_SYLLABLES = "科芯创源达拓泰微诺联辰越航宇驰研格迈晶盛锦朗润信远景尚途川图然"
INDUSTRIES = (
    ("科技", 0.20),
    ("智能科技", 0.12),
    ("微电子", 0.07),
    ("半导体", 0.06),
    ("生物医药", 0.08),
    ("医疗器械", 0.06),
    ("新材料", 0.08),
    ("精密机械", 0.06),
    ("信息技术", 0.07),
    ("光电科技", 0.05),
    ("软件", 0.05),
    ("新能源科技", 0.05),
    ("机器人", 0.03),
    ("环保科技", 0.02),
)
ORGANISATION_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
NEW_STYLE_SHARE = 0.7
# Annual revenue in 万元: log-normal around a median of 1800万, so about half the borrowers
# fall below 通科贷's 2000万 tier bound.
REVENUE_MEDIAN_WAN, REVENUE_SIGMA = 1800, 0.9
REVENUE_WAN_RANGE = (200, 50_000)


@dataclass(frozen=True, slots=True)
class DemoEnterprise:
    """A borrower in the enterprise register (企业库)."""

    uscc: str
    name: str
    region: str
    annual_revenue_fen: int


def organisation_code(body: str) -> str:
    """Returns the 9-character organisation code (GB 11714) for an 8-character body."""
    total = sum(
        (int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10) * weight
        for ch, weight in zip(body, ORGANISATION_CODE_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(rng: random.Random, region_code: str) -> str:
    """Returns a valid USCC of a company (91) registered in `region_code`."""
    if rng.random() < NEW_STYLE_SHARE:
        # Codes issued since the 2015 reform carry 'MA' and letters; older ones are digits.
        body = "MA" + "".join(rng.choice(CHARSET) for _ in range(6))
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    first17 = "91" + region_code + organisation_code(body)
    return first17 + check_character(first17)


def make_enterprises(rng: random.Random, count: int) -> list[DemoEnterprise]:
    """Returns `count` enterprises with distinct codes and names."""
    districts = [d[:3] for d in DISTRICTS]
    district_weights = [d[3] for d in DISTRICTS]
    industries = [name for name, _ in INDUSTRIES]
    industry_weights = [weight for _, weight in INDUSTRIES]
    codes: set[str] = set()
    names: set[str] = set()
    enterprises: list[DemoEnterprise] = []
    while len(enterprises) < count:
        region_code, prefix, region = rng.choices(districts, district_weights)[0]
        trade_name = rng.choice(FIRST_SYLLABLES) + rng.choice(SECOND_SYLLABLES)
        industry = rng.choices(industries, industry_weights)[0]
        form = "股份有限公司" if rng.random() < 0.08 else "有限公司"
        name = f"{prefix}{trade_name}{industry}{form}"
        uscc = make_uscc(rng, region_code)
        if name in names or uscc in codes:
            continue
        names.add(name)
        codes.add(uscc)
        enterprises.append(
            DemoEnterprise(uscc=uscc, name=name, region=region, annual_revenue_fen=revenue_fen(rng))
        )
    return enterprises


def revenue_fen(rng: random.Random) -> int:
    """Returns an annual revenue in whole 万元, as an enterprise reports it."""
    wan = round(math.exp(rng.gauss(math.log(REVENUE_MEDIAN_WAN), REVENUE_SIGMA)))
    low, high = REVENUE_WAN_RANGE
    return min(max(wan, low), high) * 1_000_000

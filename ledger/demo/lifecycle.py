"""A demo loan's life as ledger steps: disbursed, repaid quarterly, or defaulted and claimed."""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from domain.terms import POOL_PARTIES, ProductTerms
from ledger.demo.dates import AS_OF, next_weekday
from ledger.demo.institutions import FUND_MANAGER, bank_actor
from ledger.demo.loans import PlannedLoan
from ledger.demo.steps import Steps

RECOVERED_CLAIMS_PCT = 30
REDUCED_APPROVALS_PCT = 10
# Each pool pays from its own budget line: the city first, the province some days later.
LEG_ORDER = ("pool.city", "pool.province", "pool.county")
DEFAULT_CAUSES = (
    "企业经营困难，资金链断裂",
    "主要客户回款严重延迟，无力还款",
    "企业停产，实际控制人失联",
    "涉及诉讼，账户被司法冻结",
    "研发失败，后续融资未到位",
)
REJECTION_REASONS = (
    "贷款资金被挪用于购买理财产品，不符合风险补偿条件",
    "放款时企业未入库科技型企业库，不满足产品准入条件",
)


def plan_loan_life(
    steps: Steps, loan: PlannedLoan, rng: random.Random, terms: ProductTerms
) -> date | None:
    """Adds the loan's steps up to the as-of date; returns its default date, if it defaults."""
    bank = bank_actor(loan.bank)
    keys = {"bank": loan.bank, "reference": loan.reference}
    steps.add(
        loan.start_date,
        "register_loan",
        bank,
        uscc=loan.uscc,
        product=loan.product,
        principal_fen=loan.principal_fen,
        annual_rate_bps=loan.annual_rate_bps,
        term_months=loan.term_months,
        start_date=loan.start_date,
        first_loan=loan.first_loan,
        pure_credit=loan.pure_credit,
        **keys,
    )
    steps.add(
        loan.start_date,
        "disburse",
        bank,
        amount_fen=loan.principal_fen,
        value_date=loan.start_date,
        ref=f"{loan.reference}-FK",
        **keys,
    )
    for number, (due, principal, interest) in enumerate(loan.instalments(), start=1):
        if due > AS_OF:
            return None
        if number == loan.missed_instalment:
            # The bank declares default once the arrears reach the product's threshold.
            default_date = due + timedelta(days=terms.default_days + rng.randint(0, 6))
            overdue = (default_date - due).days
            steps.add(
                default_date,
                "declare_default",
                bank,
                default_date=default_date,
                reason=f"逾期{overdue}天，{rng.choice(DEFAULT_CAUSES)}",
                **keys,
            )
            return default_date
        steps.add(
            due,
            "repay",
            bank,
            principal_fen=principal,
            interest_fen=interest,
            value_date=due,
            ref=f"{loan.reference}-HK{number:02d}",
            **keys,
        )
    return None


def plan_claims(
    steps: Steps,
    defaulted: Sequence[tuple[PlannedLoan, date]],
    rng: random.Random,
    terms: Mapping[str, ProductTerms],
) -> None:
    """Files, decides, pays and partly recovers a claim on every defaulted loan."""
    # One or two rejections make the point; a tiny demo keeps its few claims approved.
    rejections = 0 if len(defaulted) < 3 else 1 if len(defaulted) < 40 else 2
    rejected = set(rng.sample(range(len(defaulted)), rejections))
    reasons = itertools.cycle(REJECTION_REASONS)
    settled: list[tuple[PlannedLoan, int, date]] = []
    for index, (loan, default_date) in enumerate(defaulted):
        keys = {"bank": loan.bank, "reference": loan.reference}
        filed_on = next_weekday(default_date + timedelta(days=rng.randint(15, 60)))
        steps.add(
            filed_on,
            "file_claim",
            bank_actor(loan.bank),
            ref=f"{loan.reference}-BC1",
            filed_on=filed_on,
            **keys,
        )
        decided_on = next_weekday(filed_on + timedelta(days=rng.randint(20, 45)))
        if index in rejected:
            steps.add(
                decided_on,
                "reject_claim",
                FUND_MANAGER,
                reason=next(reasons),
                effective_date=decided_on,
                **keys,
            )
            continue
        # A 先息后本 loan repays no principal before maturity: the loss base is all of it.
        approved = loan.principal_fen
        amount: int | None = None
        if rng.randrange(100) < REDUCED_APPROVALS_PCT:
            # Deductions for lapses in the bank's post-loan management, to the yuan.
            approved = amount = loan.principal_fen * rng.randint(8000, 9500) // 10_000 // 100 * 100
        steps.add(
            decided_on,
            "approve_claim",
            FUND_MANAGER,
            amount_fen=amount,
            effective_date=decided_on,
            **keys,
        )
        paid_on = next_weekday(decided_on + timedelta(days=rng.randint(10, 20)))
        pools = [
            party for party, bps in terms[loan.product].shares if party in POOL_PARTIES and bps
        ]
        for number, party in enumerate(sorted(pools, key=LEG_ORDER.index)):
            if number:
                paid_on = next_weekday(paid_on + timedelta(days=rng.randint(0, 10)))
            steps.add(
                paid_on, "pay_legs", FUND_MANAGER, parties=[party], effective_date=paid_on, **keys
            )
        settled.append((loan, approved, paid_on))
    plan_recoveries(steps, settled, rng)


def plan_recoveries(
    steps: Steps, settled: Sequence[tuple[PlannedLoan, int, date]], rng: random.Random
) -> None:
    """Adds one or two partial recoveries on ~30% of the settled claims, by the as-of date."""
    wanted = (len(settled) * RECOVERED_CLAIMS_PCT + 50) // 100
    eligible = [claim for claim in settled if (AS_OF - claim[2]).days >= 60]
    for loan, approved, settled_on in rng.sample(eligible, min(wanted, len(eligible))):
        # Collateral sales and court enforcement bring back only a modest part of the loss.
        total = approved * rng.randint(500, 3500) // 10_000 // 100 * 100
        latest = min(240, (AS_OF - settled_on).days)
        first_on = settled_on + timedelta(days=rng.randint(60, latest))
        parts = [(first_on, total)]
        second_on = first_on + timedelta(days=rng.randint(45, 150))
        if rng.random() < 0.5 and second_on <= AS_OF:
            first = total * rng.randint(40, 70) // 100 // 100 * 100
            parts = [(first_on, first), (second_on, total - first)]
        for number, (day, amount) in enumerate(parts, start=1):
            steps.add(
                day,
                "record_recovery",
                bank_actor(loan.bank),
                bank=loan.bank,
                reference=loan.reference,
                amount_fen=amount,
                ref=f"{loan.reference}-ZC{number}",
                effective_date=day,
            )

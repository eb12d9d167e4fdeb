"""What follows a default: the claim filed, decided and paid in legs, the loan written off,
some money recovered and shared back; and the blacklisting of enterprises gone bankrupt.

Who does what follows the product's structure (R7, R9): on a direct or insured loan the bank
files; on a guaranteed one the guarantor pays the bank its 代偿 first and files itself. The
fund manager decides and pays the pools' legs; the re-guarantor and the insurer pay their
own. Every chain stops at the as-of date, so the last claims are still in hand then.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from domain.terms import POOL_PARTIES, ProductTerms
from ledger.demo.dates import AS_OF, next_weekday
from ledger.demo.institutions import FUND_MANAGER, GUARANTOR, INSURER, REGUARANTOR
from ledger.demo.lifecycle import Default
from ledger.demo.steps import Steps

RECOVERED_CLAIMS_PCT = 30
REDUCED_APPROVALS_PCT = 10
# Each pool pays from its own budget line: the city first, the province some days later.
LEG_ORDER = ("pool.city", "pool.province", "pool.county")
REJECTION_REASONS = (
    "贷款资金被挪用于购买理财产品，不符合风险补偿条件",
    "贷后管理不到位，逾期后未按规定报送风险信息",
)
BLACKLISTED_FOR = "破产清算，列入失信联合惩戒名单"
WRITE_OFF_SETTLED = "风险补偿已到位，按呆账核销管理办法核销"
WRITE_OFF_REJECTED = "风险补偿申请未获批准，由银行自行核销"


@dataclass(frozen=True, slots=True)
class Decision:
    """A claim's dates: filed, decided; and the loan it is on."""

    default: Default
    filed_on: date
    decided_on: date


def plan_blacklisting(steps: Steps, defaults: Sequence[Default]) -> None:
    """Blacklists each enterprise once, on its first loan its bank declared in default (R1);
    not when that loan was never made."""
    done: set[str] = set()
    for default in sorted(defaults, key=lambda d: d.default_date):
        if default.loan.declared_default and default.loan.uscc not in done:
            done.add(default.loan.uscc)
            steps.add(
                default.default_date,
                "blacklist_enterprise",
                FUND_MANAGER,
                loan=default.loan.number,
                loan_keys=False,
                uscc=default.loan.uscc,
                reason=BLACKLISTED_FOR,
                effective_date=default.default_date,
            )


def plan_claims(
    steps: Steps,
    defaults: Sequence[Default],
    rng: random.Random,
    terms: Mapping[str, ProductTerms],
) -> None:
    """Files and decides a claim on every default, pays the legs, writes off, recovers."""
    decisions = [
        plan_filing(steps, default, rng, terms[default.loan.product].structure)
        for default in sorted(defaults, key=lambda d: (d.known_on, d.loan.number))
        if default.known_on <= AS_OF
    ]
    # Each product's first claim is approved, so its every party bears a burden.
    firsts = {
        min(index for index, d in enumerate(decisions) if d.default.loan.product == product)
        for product in {d.default.loan.product for d in decisions}
    }
    decided = [
        index for index, d in enumerate(decisions) if d.decided_on <= AS_OF and index not in firsts
    ]
    # One or two rejections make the point; a tiny demo keeps its few claims approved.
    rejections = 0 if len(decided) < 3 else 1 if len(decided) < 40 else 2
    rejected = set(rng.sample(decided, rejections))
    reasons = itertools.cycle(REJECTION_REASONS)
    settled: list[tuple[Default, int, date]] = []
    for index, decision in enumerate(decisions):
        loan = decision.default.loan
        if index in rejected:
            steps.add(
                decision.decided_on,
                "reject_claim",
                FUND_MANAGER,
                loan=loan.number,
                reason=next(reasons),
                effective_date=decision.decided_on,
            )
            plan_write_off(
                steps, loan.number, decision.decided_on, rng.randint(30, 90), WRITE_OFF_REJECTED
            )
            continue
        approved = decision.default.loss_base_fen
        amount: int | None = None
        if rng.randrange(100) < REDUCED_APPROVALS_PCT:
            # Deductions for lapses in the bank's post-loan management, to the yuan.
            approved = amount = approved * rng.randint(8000, 9500) // 10_000 // 100 * 100
        steps.add(
            decision.decided_on,
            "approve_claim",
            FUND_MANAGER,
            loan=loan.number,
            amount_fen=amount,
            effective_date=decision.decided_on,
        )
        paid_on = plan_legs(steps, decision, rng, terms[loan.product])
        plan_write_off(steps, loan.number, paid_on, rng.randint(20, 75), WRITE_OFF_SETTLED)
        settled.append((decision.default, approved, paid_on))
    plan_recoveries(steps, settled, rng, terms)


def plan_filing(steps: Steps, default: Default, rng: random.Random, structure: str) -> Decision:
    """Adds the filing (after the guarantor's 代偿 on a guaranteed loan); returns its dates."""
    n = default.loan.number
    if structure == "guaranteed":
        paid_out_on = next_weekday(default.known_on + timedelta(days=rng.randint(7, 30)))
        steps.add(
            paid_out_on,
            "make_guarantee_payout",
            GUARANTOR.actor,
            loan=n,
            guarantor=GUARANTOR.code,
            amount_fen=None,
            ref="DC-1",
            effective_date=paid_out_on,
        )
        filed_on = next_weekday(paid_out_on + timedelta(days=rng.randint(3, 20)))
        steps.add(
            filed_on,
            "file_claim",
            GUARANTOR.actor,
            loan=n,
            ref="DBBC-1",
            filed_on=filed_on,
            guarantor=GUARANTOR.code,
        )
    else:
        filed_on = next_weekday(default.known_on + timedelta(days=rng.randint(10, 45)))
        steps.add(filed_on, "file_claim", None, loan=n, ref="BC-1", filed_on=filed_on)
    decided_on = next_weekday(filed_on + timedelta(days=rng.randint(20, 45)))
    return Decision(default, filed_on, decided_on)


def plan_legs(steps: Steps, decision: Decision, rng: random.Random, terms: ProductTerms) -> date:
    """Adds the legs of an approved claim, each payer on its own day (R9); returns the last.

    The guarantor's leg to the bank is its 代偿, counted at approval; the re-guarantor and the
    insurer pay their own legs, the fund manager each pool's.
    """
    n = decision.default.loan.number
    paid_on = next_weekday(decision.decided_on + timedelta(days=rng.randint(10, 20)))
    if terms.structure == "insured":
        steps.add(
            paid_on,
            "pay_insurer_leg",
            INSURER.actor,
            loan=n,
            insurer=INSURER.code,
            effective_date=paid_on,
        )
        return paid_on
    pools = sorted(
        (party for party, bps in terms.shares if party in POOL_PARTIES and bps),
        key=LEG_ORDER.index,
    )
    payers = [("reguarantor", REGUARANTOR.actor)] if terms.structure == "guaranteed" else []
    payers += [(party, FUND_MANAGER) for party in pools]
    for number, (party, actor) in enumerate(payers):
        if number:
            paid_on = next_weekday(paid_on + timedelta(days=rng.randint(0, 10)))
        steps.add(paid_on, "pay_legs", actor, loan=n, parties=[party], effective_date=paid_on)
    return paid_on


def plan_write_off(steps: Steps, loan: int, after: date, days: int, reason: str) -> None:
    """Adds the bank's write-off (核销) of what the loan still owes, `days` after `after`."""
    day = next_weekday(after + timedelta(days=days))
    steps.add(day, "write_off", None, loan=loan, effective_date=day, reason=reason)


def plan_recoveries(
    steps: Steps,
    settled: Sequence[tuple[Default, int, date]],
    rng: random.Random,
    terms: Mapping[str, ProductTerms],
) -> None:
    """Adds one or two partial recoveries on ~30% of the settled claims, by the as-of date.

    The bank collects on its own claims, the guarantor (追偿) on its guaranteed ones.
    """
    wanted = (len(settled) * RECOVERED_CLAIMS_PCT + 50) // 100
    eligible = [claim for claim in settled if (AS_OF - claim[2]).days >= 60]
    for default, approved, settled_on in rng.sample(eligible, min(wanted, len(eligible))):
        # Collateral sales and court enforcement bring back only a modest part of the loss.
        total = approved * rng.randint(500, 3500) // 10_000 // 100 * 100
        latest = min(240, (AS_OF - settled_on).days)
        first_on = next_weekday(settled_on + timedelta(days=rng.randint(60, latest)))
        parts = [(first_on, total)]
        second_on = next_weekday(first_on + timedelta(days=rng.randint(45, 150)))
        if rng.random() < 0.5 and second_on <= AS_OF:
            first = total * rng.randint(40, 70) // 100 // 100 * 100
            parts = [(first_on, first), (second_on, total - first)]
        guaranteed = terms[default.loan.product].structure == "guaranteed"
        for number, (day, amount) in enumerate(parts, start=1):
            steps.add(
                day,
                "record_recovery",
                GUARANTOR.actor if guaranteed else None,
                loan=default.loan.number,
                amount_fen=amount,
                ref=f"ZC-{number}",
                effective_date=day,
            )

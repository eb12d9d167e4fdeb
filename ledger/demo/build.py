"""Recording the demo programme into an empty ledger, through the ordinary commands."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from eventsourcing.utils import get_topic

from domain.claim import APPROVED, REJECTED, SETTLED, Claim
from domain.errors import RuleViolation
from domain.loan import PAID_OFF, Loan
from domain.pool import RiskPool
from domain.product import Product
from ledger.app import RiskLedger
from ledger.demo.dates import AS_OF
from ledger.demo.institutions import INSTITUTIONS
from ledger.demo.loans import PROFILES
from ledger.demo.plan import FULL_SIZE_LOANS, plan_demo
from ledger.demo.replay import Replay

Progress = Callable[[str, int, int], None]
PAGE = 1000
PRODUCTS = tuple(profile.product for profile in PROFILES)


@dataclass(frozen=True)
class DemoSummary:
    """What the demo recorded, read back from the ledger's aggregates once it is built."""

    seed: int
    as_of: date
    institutions: int
    enterprises: int
    loans: int
    loans_by_product: Mapping[str, int]
    # Planned loans a bank suspended under the product could not take (R4): lent by the
    # next bank instead, or not lent at all when the product had stopped or no bank could.
    loans_rerouted: int
    loans_refused: int
    loans_paid_off: int
    defaults: int
    defaults_declared: int
    write_offs: int
    claims_filed: int
    claims_approved: int
    claims_rejected: int
    claims_settled: int
    legs_queued: int
    recoveries: int
    bank_suspensions: int
    bank_resumptions: int
    product_stops: int
    business_days_closed: int
    events: int

    def __str__(self) -> str:
        """The summary in a few lines, as `riskledger demo` prints it."""
        products = ", ".join(f"{code} {count:,}" for code, count in self.loans_by_product.items())
        return "\n".join(
            (
                f"seed {self.seed}, as of {self.as_of}: {self.loans:,} loans ({products}) to "
                f"{self.enterprises:,} enterprises in the register; {self.institutions} "
                "institutions",
                f"  R4 re-routed {self.loans_rerouted} loans to another bank and refused "
                f"{self.loans_refused}; {self.bank_suspensions} bank suspensions, "
                f"{self.bank_resumptions} resumptions, {self.product_stops} product stops",
                f"  {self.loans_paid_off:,} paid off, {self.defaults} defaulted "
                f"({self.defaults_declared} declared by their banks), {self.write_offs} "
                "written off",
                f"  claims: {self.claims_filed} filed, {self.claims_approved} approved, "
                f"{self.claims_rejected} rejected, {self.claims_settled} settled, "
                f"{self.legs_queued} legs queued, {self.recoveries} recoveries",
                f"  {self.business_days_closed} month-end closes of business, "
                f"{self.events:,} events",
            )
        )


def _count_events(ledger: RiskLedger, event_class: type) -> int:
    """How many events of one class the ledger holds."""
    topic, start, count = get_topic(event_class), 1, 0
    while True:
        page = ledger.recorder.select_notifications(start=start, limit=PAGE, topics=(topic,))
        count += len(page)
        if len(page) < PAGE:
            return count
        start = page[-1].id + 1


def build_demo(
    ledger: RiskLedger,
    *,
    seed: int = 2024,
    loans: int = FULL_SIZE_LOANS,
    progress: Progress | None = None,
) -> DemoSummary:
    """Records a seeded city programme into an empty ledger; the same seed, the same ledger."""
    held = ledger.event_count()
    if held > 0:
        raise RuleViolation(
            "demo", "db", f"the database already holds {held} events; the demo needs an empty one"
        )
    report = progress or (lambda stage, done, total: None)
    report("planning", 0, 1)
    plan = plan_demo(seed=seed, loans=loans)
    report("planning", 1, 1)
    replay = Replay(ledger, plan.loans)
    replay.run(plan.steps, report)
    aggregates = replay.writer.aggregates()
    recorded = [a for a in aggregates if isinstance(a, Loan)]
    claims = Counter(a.state for a in aggregates if isinstance(a, Claim))
    breakers = [b for a in aggregates if isinstance(a, Product) for b in a.breaker_log]
    return DemoSummary(
        seed=seed,
        as_of=AS_OF,
        institutions=len(INSTITUTIONS),
        enterprises=len(plan.enterprises),
        loans=len(recorded),
        loans_by_product={
            code: count
            for code in PRODUCTS
            if (count := sum(1 for loan in recorded if loan.product == code))
        },
        loans_rerouted=replay.rerouted,
        loans_refused=len(replay.refused),
        loans_paid_off=sum(1 for loan in recorded if loan.state == PAID_OFF),
        defaults=sum(1 for loan in recorded if loan.default_date is not None),
        defaults_declared=replay.done["declare_default"],
        write_offs=sum(1 for loan in recorded if loan.written_off_on is not None),
        claims_filed=sum(claims.values()),
        claims_approved=claims[APPROVED] + claims[SETTLED],
        claims_rejected=claims[REJECTED],
        claims_settled=claims[SETTLED],
        legs_queued=_count_events(ledger, RiskPool.LegQueued),
        recoveries=replay.done["record_recovery"],
        bank_suspensions=sum(1 for b in breakers if b.bank is not None and b.suspended),
        bank_resumptions=sum(1 for b in breakers if b.bank is not None and not b.suspended),
        product_stops=sum(1 for b in breakers if b.bank is None and b.suspended),
        business_days_closed=len(replay.closes),
        events=ledger.event_count(),
    )

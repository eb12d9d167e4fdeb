"""The pools' budgets: each contribution keeps the products' leverage (R3) comfortably in reach.

A product may cover loans up to its leverage multiple times the funds of its pools, and the
funds shrink by every leg the pools pay. The budget office sizes each half-year's
contribution from the plan until the next one: enough that the products' covered
outstanding stays within 60% of their limit (the pools covering a product sharing its need
equally), on top of the most the pools may pay on the loans in arrears by then.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date

from domain.coverage import share_tables
from domain.exposure import leverage_multiple
from domain.money import WHOLE_BPS
from domain.terms import ProductTerms
from ledger.demo.institutions import POOLS, DemoPool
from ledger.demo.loans import PlannedLoan

TARGET_USE_BPS = 6000
# Budgets are voted in whole 100万元; a pool is paid at least that much each time, and at
# least a tenth of its largest contribution before.
BUDGET_UNIT_FEN = 100_000_000


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def _round_up(fen: int) -> int:
    return _ceil_div(fen, BUDGET_UNIT_FEN) * BUDGET_UNIT_FEN


def pool_share_bps(terms: ProductTerms, level: str) -> int:
    """The most of a loss the pool at `level` may bear under `terms`: its largest share in any
    tier, with every bonus moved onto it (R8)."""
    party = f"pool.{level}"
    bps = max(dict(shares).get(party, 0) for shares in share_tables(terms))
    if bps == 0:
        return 0
    return min(WHOLE_BPS, bps + terms.bonus.first_loan_bps + terms.bonus.pure_credit_bps)


def needs_by_day(
    terms: Mapping[str, ProductTerms], loans: Sequence[PlannedLoan], pools: Sequence[DemoPool]
) -> list[tuple[date, str, int]]:
    """Returns each change, by day, of what a pool must hold: for leverage, its part of a
    loan's principal when registered, less its part of each instalment's principal paid
    (a default's stays); and, from a loan's missed payment on, the most it may pay on it."""
    changes = []
    for loan in loans:
        product = terms[loan.product]
        multiple = leverage_multiple(product)
        covering = [pool for pool in pools if loan.product in pool.products]
        per_fen = (
            {}
            if multiple is None
            else {pool.code: multiple * TARGET_USE_BPS * len(covering) for pool in covering}
        )
        for code, denominator in per_fen.items():
            changes.append(
                (loan.start_date, code, _ceil_div(loan.principal_fen * WHOLE_BPS, denominator))
            )
        outstanding = loan.principal_fen
        for instalment in loan.instalments:
            if instalment.number == loan.missed_instalment:
                for pool in covering:
                    bps = pool_share_bps(product, pool.level)
                    changes.append(
                        (instalment.due_date, pool.code, _ceil_div(outstanding * bps, WHOLE_BPS))
                    )
                break
            outstanding -= instalment.principal_fen
            for code, denominator in per_fen.items():
                if instalment.principal_fen:
                    freed = instalment.principal_fen * WHOLE_BPS // denominator
                    changes.append((instalment.due_date, code, -freed))
    return sorted(changes, key=lambda change: change[0])


def pool_budgets(
    terms: Mapping[str, ProductTerms],
    loans: Sequence[PlannedLoan],
    pools: Sequence[DemoPool] = POOLS,
) -> dict[str, list[tuple[date, int]]]:
    """Returns each pool's contributions, (day, fen), on its funding days."""
    peaks: dict[tuple[str, int], int] = defaultdict(int)
    held: dict[str, int] = defaultdict(int)
    changes = needs_by_day(terms, loans, pools)
    position = 0
    for day in sorted({change[0] for change in changes}):
        while position < len(changes) and changes[position][0] == day:
            held[changes[position][1]] += changes[position][2]
            position += 1
        for pool in pools:
            # Needs before the first funding day fall on the first budget.
            window = max(0, sum(1 for funded in pool.funding_days if funded <= day) - 1)
            peaks[pool.code, window] = max(peaks[pool.code, window], held[pool.code])
    budgets: dict[str, list[tuple[date, int]]] = {}
    for pool in pools:
        contributed = 0
        budgets[pool.code] = []
        for window, day in enumerate(pool.funding_days):
            # However little the loans ahead need, the budget line stays open.
            floor = _round_up(max((fen for _, fen in budgets[pool.code]), default=0) // 10)
            needed = max(peaks[pool.code, w] for w in range(window + 1))
            amount = max(BUDGET_UNIT_FEN, floor, _round_up(needed - contributed))
            budgets[pool.code].append((day, amount))
            contributed += amount
    return budgets

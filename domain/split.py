"""Exact division of amounts among parties: loss burdens (R8) and recovery share-back (R11).

Every function here returns parts that sum to the whole to the fen, none negative, using
largest-remainder rounding with ties going to the party listed first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from domain.money import WHOLE_BPS
from domain.terms import POOL_PARTIES, Caps, ProductTerms, Shares


def largest_remainder(total: int, weights: Sequence[tuple[str, int]]) -> dict[str, int]:
    """Returns `total` divided in proportion to `weights`, exactly, in the weights' order."""
    if total < 0:
        raise ValueError(f"cannot divide a negative total {total}")
    if any(weight < 0 for _, weight in weights):
        raise ValueError(f"weights must not be negative: {list(weights)}")
    weight_sum = sum(weight for _, weight in weights)
    if weight_sum == 0:
        if total:
            raise ValueError("cannot divide a positive total by all-zero weights")
        return {party: 0 for party, _ in weights}
    parts = [total * weight // weight_sum for _, weight in weights]
    remainders = [total * weight % weight_sum for _, weight in weights]
    leftover = total - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in by_remainder[:leftover]:
        parts[i] += 1
    return {party: part for (party, _), part in zip(weights, parts, strict=True)}


def split_loss(loss_fen: int, shares_bps: Sequence[tuple[str, int]]) -> dict[str, int]:
    """Returns each party's burden of an approved loss, by shares that sum to 10,000 bps."""
    total_bps = sum(bps for _, bps in shares_bps)
    if total_bps != WHOLE_BPS:
        raise ValueError(f"shares sum to {total_bps} bps, not {WHOLE_BPS}")
    return largest_remainder(loss_fen, shares_bps)


def share_recovery(
    recovery_fen: int, burdens: Mapping[str, int], recovered: Mapping[str, int]
) -> dict[str, int]:
    """Returns each party's part of a recovery, pro rata to the burden it has not yet recovered.

    Weighting by the unrecovered burden keeps every party's cumulative share within its
    burden, and a recovery that clears the whole loss returns exactly each party's burden.
    """
    unrecovered = [(party, burden - recovered.get(party, 0)) for party, burden in burdens.items()]
    outstanding = sum(weight for _, weight in unrecovered)
    if recovery_fen > outstanding:
        raise ValueError(f"recovery {recovery_fen} exceeds the unrecovered loss {outstanding}")
    return largest_remainder(recovery_fen, unrecovered)


@dataclass(frozen=True, slots=True)
class ClaimantHistory:
    """A claimant's earlier claims under one product: the losses split and what the pools bore."""

    losses_fen: int = 0
    pool_burdens_fen: int = 0


NO_HISTORY = ClaimantHistory()


def loan_shares(
    terms: ProductTerms, *, annual_revenue_fen: int | None, first_loan: bool, pure_credit: bool
) -> Shares:
    """Returns the shares a loan's losses are split by: its revenue tier's, plus any bonus (R8).

    A first loan and a pure-credit loan each move their bonus from the bank's share to the
    pools, divided pro rata to the pools' shares (largest remainder in bps); never more than
    the bank holds, and nothing when no pool shares the loss.
    """
    shares = terms.shares_for(annual_revenue_fen)
    wanted = (terms.bonus.first_loan_bps if first_loan else 0) + (
        terms.bonus.pure_credit_bps if pure_credit else 0
    )
    pools = [(party, bps) for party, bps in shares if party in POOL_PARTIES]
    bonus = min(wanted, dict(shares).get("bank", 0))
    if bonus == 0 or not any(bps for _, bps in pools):
        return shares
    moved = largest_remainder(bonus, pools)
    return tuple(
        (party, bps + moved.get(party, 0) - (bonus if party == "bank" else 0))
        for party, bps in shares
    )


def pools_cap_fen(loss_fen: int, caps: Caps, history: ClaimantHistory) -> int | None:
    """Returns the most the pools together may bear of this loss under the caps; None: no cap."""
    limits: list[int] = []
    if caps.per_claim_fen is not None:
        limits.append(caps.per_claim_fen)
    if caps.per_claim_share_bps is not None:
        limits.append(loss_fen * caps.per_claim_share_bps // WHOLE_BPS)
    if caps.cumulative_share_bps is not None:
        allowed = (history.losses_fen + loss_fen) * caps.cumulative_share_bps // WHOLE_BPS
        # History from before the cap existed may already exceed it: then the pools bear nothing.
        limits.append(max(0, allowed - history.pool_burdens_fen))
    return min(limits, default=None)


def split_approved_loss(
    loss_fen: int, shares: Shares, caps: Caps, history: ClaimantHistory = NO_HISTORY
) -> dict[str, int]:
    """Returns each party's burden: the loss split by `shares`, the pools held to the caps (R8).

    What a cap removes is taken from the pools pro rata to their burdens (largest remainder)
    and borne by the caps' residual party; the burdens still sum to the loss, none negative.
    """
    burdens = split_loss(loss_fen, shares)
    cap = pools_cap_fen(loss_fen, caps, history)
    pools = [(party, fen) for party, fen in burdens.items() if party in POOL_PARTIES]
    pools_total = sum(fen for _, fen in pools)
    if cap is None or pools_total <= cap:
        return burdens
    burdens.update(largest_remainder(cap, pools))
    burdens[caps.residual_party] = burdens.get(caps.residual_party, 0) + pools_total - cap
    return burdens


def pools_burden_fen(burdens: Mapping[str, int]) -> int:
    """Returns what the pools together bear of a claim's burdens."""
    return sum(fen for party, fen in burdens.items() if party in POOL_PARTIES)

"""Exact division of amounts among parties: loss burdens (R8) and recovery share-back (R11).

Every function here returns parts that sum to the whole to the fen, none negative, using
largest-remainder rounding with ties going to the party listed first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from domain.money import WHOLE_BPS


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

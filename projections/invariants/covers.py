"""Invariants of guarantees and policies: paid and taken back against their loans' claims."""

from __future__ import annotations

from collections import defaultdict
from uuid import UUID

from domain.claim import Claim
from domain.coverage import covered_fen
from domain.guarantee import Guarantee
from domain.legs import GUARANTOR
from domain.money import format_yuan
from domain.policy import InsurancePolicy


def cover_violations(
    covers: list[Guarantee | InsurancePolicy], claims: dict[UUID, Claim]
) -> list[str]:
    """Guarantees and policies stay within their cover and caps, and match the claims' legs."""
    found: list[str] = []
    paid_legs: dict[UUID, list[tuple[str, str, int]]] = defaultdict(list)
    for claim in claims.values():
        for payer in claim.legs_paid:
            paid_legs[claim.loan].append((payer, claim.payees.get(payer, ""), claim.legs[payer]))
    for cover in covers:
        legs = paid_legs[cover.loan]
        if isinstance(cover, Guarantee):
            name = f"guarantee {cover.contract} on {cover.bank} loan {cover.loan_reference}"
            fees = [
                (cover.fees_paid_fen, cover.fee_allowance_fen),
                (cover.reguarantee_fees_paid_fen, cover.reguarantee_fee_allowance_fen),
            ]
            within_cover = cover.paid_out_fen <= cover.covered_loss_fen(cover.loss_base_fen)
            received: dict[str, int] = defaultdict(int)
            for payer, payee, fen in legs:
                received[payer] += fen if payee == GUARANTOR else 0
                if payer == GUARANTOR and fen > cover.paid_out_fen:
                    found.append(f"{name}: its leg {format_yuan(fen)} exceeds its 代偿 (R9)")
            if {p: f for p, f in received.items() if f} != cover.reimbursed:
                found.append(f"{name}: reimbursed {cover.reimbursed}, legs paid {received} (R9)")
        else:
            name = f"policy {cover.number} on {cover.bank} loan {cover.loan_reference}"
            fees = [(cover.premiums_paid_fen, cover.premium_allowance_fen)]
            loss_bases = [c.loss_base_fen for c in claims.values() if c.loan == cover.loan]
            covered = max((covered_fen(base, cover.coverage_bps) for base in loss_bases), default=0)
            within_cover = cover.claims_paid_fen <= covered
            insurer_legs = sum(fen for payer, _, fen in legs if payer == "insurer")
            if insurer_legs != cover.claims_paid_fen:
                found.append(
                    f"{name}: claims paid {format_yuan(cover.claims_paid_fen)}, but the "
                    f"insurer's legs paid total {format_yuan(insurer_legs)} (R9)"
                )
        if not within_cover:
            found.append(f"{name}: pays more than it covers (R16)")
        if any(paid > allowed for paid, allowed in fees):
            found.append(f"{name}: fees or premiums above what the rate allows (R17)")
    return found

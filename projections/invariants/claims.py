"""Invariants of claims: burdens, legs, recoveries and the caps on them (R7-R9, R11)."""

from __future__ import annotations

from uuid import UUID

from domain.claim import APPROVED, RECOVERING, SETTLED, Claim
from domain.claimant_account import ClaimantAccount
from domain.legs import GUARANTOR, Leg, plan_legs, settles_burdens
from domain.money import WHOLE_BPS, format_yuan
from domain.product import Product
from domain.split import pools_burden_fen


def claim_violations(claim: Claim) -> list[str]:
    """A claim's burdens sum to its loss and its legs settle them; settled when all are paid."""
    name = f"claim {claim.reference} on {claim.bank} loan {claim.loan_reference}"
    if claim.state == RECOVERING:
        # Approved after recovery (R11): recoveries reduce the loss; nothing is split yet.
        if claim.burdens or claim.legs or claim.recovered_by_party:
            return [f"{name}: {claim.state}, yet it has burdens, legs or shared recoveries"]
        if not 0 <= claim.recovered_fen <= claim.approved_fen:
            return [f"{name}: recovered {format_yuan(claim.recovered_fen)} is outside the loss"]
        return []
    if claim.state not in (APPROVED, SETTLED):
        if claim.burdens or claim.legs_paid or claim.recovered_fen:
            return [f"{name}: {claim.state}, yet it has burdens, paid legs or recoveries"]
        return []
    found: list[str] = []
    if claim.approved_fen > claim.loss_base_fen:
        found.append(
            f"{name}: approved {format_yuan(claim.approved_fen)} exceeds the loss base "
            f"{format_yuan(claim.loss_base_fen)} (R7)"
        )
    # The loss split: the approved amount, less recoveries made before an after-recovery split.
    split = claim.approved_fen - claim.recovered_before_split_fen
    burden_total = sum(claim.burdens.values())
    if burden_total != split or claim.shared_loss_fen != split:
        early = claim.recovered_before_split_fen
        less = f" less {format_yuan(early)} recovered before the split" if early else ""
        found.append(
            f"{name}: burdens sum to {format_yuan(burden_total)}, "
            f"not the approved {format_yuan(claim.approved_fen)}{less} (R8)"
        )
    found.extend(
        f"{name}: {party}'s burden {format_yuan(fen)} is negative (R8)"
        for party, fen in claim.burdens.items()
        if fen < 0
    )
    # The domain plans the legs; the claimant tells a guaranteed claim from the others.
    structure = "guaranteed" if claim.claimant == GUARANTOR else "direct"
    planned = plan_legs(structure, claim.burdens, claim.claimant)
    expected_legs = {leg.payer: leg.amount_fen for leg in planned}
    expected_payees = {leg.payer: leg.payee for leg in planned}
    if (claim.legs, claim.payees) != (expected_legs, expected_payees):
        found.append(
            f"{name}: legs {claim.legs} to {claim.payees} are not the other parties' burdens "
            f"as planned, {expected_legs} to {expected_payees} (R9)"
        )
    legs = [Leg(payer, claim.payees.get(payer, ""), fen) for payer, fen in claim.legs.items()]
    if not settles_burdens(burden_total, claim.burdens, legs):
        found.append(f"{name}: its legs do not leave every party bearing its burden (R9)")
    unknown_paid = sorted(set(claim.legs_paid) - set(claim.legs))
    if unknown_paid:
        found.append(f"{name}: legs paid by {', '.join(unknown_paid)}, who owe none (R9)")
    all_paid = set(claim.legs) <= set(claim.legs_paid)
    if all_paid != (claim.state == SETTLED):
        found.append(f"{name}: {claim.state}, but all legs paid is {all_paid} (R9)")
    found.extend(recovery_violations(name, claim))
    return found


def recovery_violations(name: str, claim: Claim) -> list[str]:
    """Recoveries stay within the loss, and each party's within its burden (R11)."""
    found: list[str] = []
    if claim.recovered_fen > claim.approved_fen:
        found.append(
            f"{name}: recovered {format_yuan(claim.recovered_fen)} exceeds the loss "
            f"{format_yuan(claim.approved_fen)} (R11)"
        )
    shared = sum(claim.recovered_by_party.values())
    if shared != claim.recovered_fen - claim.recovered_before_split_fen:
        found.append(
            f"{name}: recoveries shared back total {format_yuan(shared)}, not the "
            f"{format_yuan(claim.recovered_fen - claim.recovered_before_split_fen)} "
            "recovered after the split (R11)"
        )
    for party, fen in claim.recovered_by_party.items():
        burden = claim.burdens.get(party, 0)
        if not 0 <= fen <= burden:
            found.append(
                f"{name}: {party} recovered {format_yuan(fen)}, outside 0 to its burden "
                f"{format_yuan(burden)} (R11)"
            )
    return found


def cap_violations(
    claims: dict[UUID, Claim], products: dict[str, Product], accounts: list[ClaimantAccount]
) -> list[str]:
    """The pools bear no more than the per-claim and cumulative caps allow (R8)."""
    found: list[str] = []
    for claim in claims.values():
        product = products.get(claim.product)
        if product is None or not claim.burdens:
            continue
        caps = product.terms_version(claim.terms_version).caps
        pools_fen = pools_burden_fen(claim.burdens)
        limits = [caps.per_claim_fen] if caps.per_claim_fen is not None else []
        if caps.per_claim_share_bps is not None:
            limits.append(claim.shared_loss_fen * caps.per_claim_share_bps // WHOLE_BPS)
        if limits and pools_fen > min(limits):
            found.append(
                f"claim {claim.reference} on {claim.bank} loan {claim.loan_reference}: the pools "
                f"bear {format_yuan(pools_fen)}, above the per-claim cap {format_yuan(min(limits))}"
            )
    for account in accounts:
        losses = pool_burdens = 0
        for claim_id, (loss, pools_fen) in account.claims.items():
            claim = claims.get(claim_id)
            product = products.get(account.product)
            if claim is None or product is None:
                found.append(f"{account.claimant}'s account counts an unknown claim {claim_id}")
                continue
            if (loss, pools_fen) != (claim.shared_loss_fen, pools_burden_fen(claim.burdens)):
                found.append(f"{account.claimant}'s account miscounts claim {claim.reference}")
            share = product.terms_version(claim.terms_version).caps.cumulative_share_bps
            losses += loss
            if share is not None:
                allowed = max(0, (losses * share // WHOLE_BPS) - pool_burdens)
                if pools_fen > allowed:
                    found.append(
                        f"{account.claimant} under {account.product}: the pools bear "
                        f"{format_yuan(pools_fen)} of claim {claim.reference}, above the "
                        f"{format_yuan(allowed)} the cumulative cap leaves (R8)"
                    )
            pool_burdens += pools_fen
    return found

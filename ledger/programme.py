"""Commands that set a programme up: institutions, enterprises, products and pools."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.actor import Actor
from domain.enterprise import Enterprise
from domain.errors import Conflict, RuleViolation
from domain.ids import enterprise_id, institution_id, pool_id, product_id
from domain.institution import Institution
from domain.lpr import LPR_ID, LprHistory
from domain.pool import RiskPool
from domain.product import Product
from domain.terms import ProductTerms
from domain.uscc import validate_uscc
from ledger.claims import pay_queued_legs
from ledger.session import SessionBase


class ProgrammeCommands(SessionBase):
    """What a fund manager does to set a programme up and fund it."""

    def add_institution(
        self,
        *,
        code: str,
        kind: str,
        name: str,
        region: str,
        level: str | None,
        effective_date: date,
        actor: Actor,
    ) -> UUID:
        """Registers an institution; a repeat with the same details is a no-op (R14)."""
        existing = self._find(Institution, institution_id(code))
        if existing is not None:
            if not existing.same_registration(kind, name, region, level):
                raise Conflict("code", f"institution {code} is registered with other details")
            return existing.id
        return self._add(
            Institution.register(
                code=code,
                kind=kind,
                name=name,
                region=region,
                level=level,
                effective_date=effective_date,
                actor=actor,
            )
        ).id

    def add_enterprise(
        self, *, uscc: str, name: str, region: str, effective_date: date, actor: Actor
    ) -> UUID:
        """Registers an enterprise by its USCC; a repeat with the same details is a no-op."""
        code = validate_uscc(uscc)
        existing = self._find(Enterprise, enterprise_id(code))
        if existing is not None:
            if not existing.same_registration(name, region):
                raise Conflict("uscc", f"enterprise {code} is registered with other details")
            return existing.id
        return self._add(
            Enterprise.register(
                uscc=code, name=name, region=region, effective_date=effective_date, actor=actor
            )
        ).id

    def define_product(self, *, terms: ProductTerms, actor: Actor) -> tuple[UUID, str]:
        """Defines a product or adds a terms version; returns its id and what happened."""
        existing = self._find(Product, product_id(terms.code))
        if existing is None:
            return self._add(Product.define(terms, actor)).id, "defined"
        revised = existing.revise(terms, actor)
        return existing.id, ("revised" if revised else "unchanged")

    def open_pool(
        self,
        *,
        code: str,
        name: str,
        owner: str,
        level: str,
        products: list[str],
        effective_date: date,
        actor: Actor,
    ) -> UUID:
        """Opens a pool owned by a government pool owner, covering products at its level."""
        owner_institution = self.institution(owner, "owner", kind="pool_owner")
        if owner_institution.level != level:
            raise RuleViolation(
                "roles", "level", f"{owner} is a {owner_institution.level}-level owner, not {level}"
            )
        existing = self._find(RiskPool, pool_id(code))
        if existing is not None:
            if not existing.same_opening(name, owner, level, products):
                raise Conflict("code", f"pool {code} is open with other details")
            return existing.id
        for product_code in products:
            self.product(product_code).bind_pool(level, code, effective_date, actor)
        return self._add(
            RiskPool.open(
                code=code,
                name=name,
                owner=owner,
                level=level,
                products=products,
                effective_date=effective_date,
                actor=actor,
            )
        ).id

    def fund_pool(
        self,
        *,
        pool: str,
        amount_fen: int,
        funder: str,
        ref: str,
        effective_date: date,
        actor: Actor,
    ) -> bool:
        """Records a contribution into a pool; False when `ref` was already recorded.

        The legs queued on the pool that the new funds cover are paid in the same save (R10).
        """
        self.institution(funder, "funder")
        funded = self.pool(pool)
        recorded = funded.contribute(
            amount_fen=amount_fen,
            funder=funder,
            ref=ref,
            effective_date=effective_date,
            actor=actor,
        )
        if recorded:
            pay_queued_legs(self, funded, effective_date, actor)
        return recorded

    # -- eligibility (R1) and the LPR (R2) -------------------------------------------------

    def enterprise(self, uscc: str) -> Enterprise:
        code = validate_uscc(uscc)
        return self._load(Enterprise, enterprise_id(code), "uscc", code)

    def grant_qualification(
        self,
        *,
        uscc: str,
        name: str,
        valid_from: date,
        valid_to: date | None,
        certificate: str,
        actor: Actor,
    ) -> bool:
        """Records a qualification such as 高新技术企业; False when already recorded."""
        return self.enterprise(uscc).grant_qualification(
            name=name,
            valid_from=valid_from,
            valid_to=valid_to,
            certificate=certificate,
            actor=actor,
        )

    def revoke_qualification(
        self, *, uscc: str, name: str, effective_date: date, actor: Actor
    ) -> None:
        self.enterprise(uscc).revoke_qualification(
            name=name, effective_date=effective_date, actor=actor
        )

    def blacklist_enterprise(
        self, *, uscc: str, reason: str, effective_date: date, actor: Actor
    ) -> None:
        self.enterprise(uscc).add_to_blacklist(
            reason=reason, effective_date=effective_date, actor=actor
        )

    def clear_enterprise(self, *, uscc: str, effective_date: date, actor: Actor) -> None:
        self.enterprise(uscc).clear_blacklist(effective_date=effective_date, actor=actor)

    def set_lpr(self, *, effective_from: date, rate_bps: int, actor: Actor) -> bool:
        """Records a 1-year LPR fixing; False when the same fixing was recorded before."""
        history = self._find(LprHistory, LPR_ID) or self._add(LprHistory.start(actor))
        return history.set_rate(effective_from=effective_from, rate_bps=rate_bps, actor=actor)

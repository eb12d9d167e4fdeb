"""One row of a bank's file read into the loan it describes, or the reason it cannot be.

Reading is pure: cells become typed values by the mapping, and the row's status says how
far the loan got. Whether the ledger's rules accept the loan is decided later, on the
ledger's aggregates (`ledger.bulk_import.admission`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from domain.errors import DomainError
from domain.money import WHOLE_BPS
from domain.schedule import EQUAL_PRINCIPAL, INTEREST_ONLY, SCHEDULE_NAMES, maturity_date
from domain.uscc import validate_uscc
from ledger.bulk_import import cells
from ledger.bulk_import.cells import CellError, is_blank
from ledger.bulk_import.identity import derived_uscc
from ledger.bulk_import.mapping import (
    ACTIVE,
    AMOUNT,
    DATE,
    DEFAULTED,
    FLAG,
    PAID_OFF,
    RATE,
    RATIO,
    REGISTERED,
    WHOLE,
    WRITTEN_OFF,
    FieldSpec,
    LoanMapping,
)
from ledger.bulk_import.records import CoverRow, LoanRow, RowError, RowRefused
from ledger.bulk_import.sources import Row

_SCHEDULES = {
    **{kind: kind for kind in SCHEDULE_NAMES},
    **{name: kind for kind, name in SCHEDULE_NAMES.items()},
    "interest-only": INTEREST_ONLY,
    "equal-principal": EQUAL_PRINCIPAL,
}
# How far each lifecycle goes: disbursed, defaulted, written off.
_REACHES = {
    REGISTERED: (False, False, False),
    ACTIVE: (True, False, False),
    PAID_OFF: (True, False, False),
    DEFAULTED: (True, True, False),
    WRITTEN_OFF: (True, True, True),
}


class RowReader:
    """Reads rows by one mapping, with the bank and product the command line may fix."""

    def __init__(
        self, mapping: LoanMapping, *, bank: str | None, product: str | None, as_of: date | None
    ) -> None:
        self.mapping = mapping
        self.bank = bank
        self.product = product
        self.as_of = as_of or mapping.as_of

    def read(self, number: int, row: Row) -> LoanRow:
        """Returns the loan the row describes; RowRefused names the first cell that is wrong."""
        return _RowRead(self, number, row).loan()


class _RowRead:
    """Reading one row: each field once, remembering where it came from."""

    def __init__(self, reader: RowReader, number: int, row: Row) -> None:
        self.reader = reader
        self.mapping = reader.mapping
        self.number = number
        self.row = row
        self.sources: dict[str, tuple[str, str]] = {}

    def refuse(self, spec_or_label: FieldSpec | str, value: Any, reason: str) -> RowRefused:
        label = spec_or_label if isinstance(spec_or_label, str) else spec_or_label.label
        shown = "" if value is None else cells.text_of(value)
        return RowRefused(RowError(self.number, label, shown, reason))

    def raw(self, spec: FieldSpec) -> Any:
        """The cell (or constant) the field reads, its default when the cell is empty."""
        value = self.row.get(spec.column) if spec.column is not None else spec.value
        if is_blank(value) and spec.default is not None:
            value = spec.default
        if spec.codes is not None and not is_blank(value):
            key = cells.text_of(value)
            if key not in spec.codes:
                known = ", ".join(repr(code) for code in spec.codes)
                raise self.refuse(spec, value, f"{key!r} is not one of the mapped codes {known}")
            value = spec.codes[key]
        self.sources[spec.name] = (spec.label, "" if value is None else cells.text_of(value))
        return value

    def value(self, spec: FieldSpec | None, *, required: bool = False, zero: bool = True) -> Any:
        """Reads a field by its kind; None when it is unmapped or empty and not `required`."""
        if spec is None:
            return None
        value = self.raw(spec)
        if is_blank(value):
            if required:
                raise self.refuse(spec, value, "is empty")
            return None
        try:
            read = self._typed(spec, value)
        except CellError as error:
            raise self.refuse(spec, value, error.reason) from None
        if spec.kind == AMOUNT and read == 0 and not zero:
            raise self.refuse(spec, value, "is zero; it must be positive")
        return read

    def _typed(self, spec: FieldSpec, value: Any) -> Any:
        if spec.kind == AMOUNT:
            return cells.amount_fen(value, spec.unit or "yuan")
        if spec.kind == RATE:
            return cells.rate_bps(value, spec.unit or "percent")
        if spec.kind == WHOLE:
            return cells.whole_number(value)
        if spec.kind == DATE:
            return cells.day_of(
                value, spec.formats, epoch=spec.epoch, century_from=spec.century_from
            )
        if spec.kind == FLAG:
            return cells.flag(value, spec.true_values, spec.false_values)
        if spec.kind == RATIO:
            return cells.rate_bps(value, spec.unit or "percent")
        return cells.text_of(value)

    def field(self, name: str, **kwargs: Any) -> Any:
        return self.value(self.mapping.fields.get(name), **kwargs)

    def coverage(self, spec: FieldSpec) -> int:
        """The cover's share of principal in bps: a column, a constant, or a ratio of two
        amounts rounded half up to a whole basis point (R16)."""
        if spec.ratio is None:
            return self.value(spec, required=True)
        numerator_column, denominator_column = spec.ratio
        raw = (self.row.get(numerator_column), self.row.get(denominator_column))
        shown = f"{cells.text_of(raw[0]) if raw[0] is not None else ''}/" + (
            cells.text_of(raw[1]) if raw[1] is not None else ""
        )
        self.sources[spec.name] = (spec.label, shown)
        if any(is_blank(part) for part in raw):
            raise self.refuse(spec, shown, "both amounts of the coverage ratio are needed")
        try:
            numerator, denominator = (cells.amount_fen(part, spec.unit or "yuan") for part in raw)
        except CellError as error:
            raise self.refuse(spec, shown, error.reason) from None
        if denominator == 0:
            raise self.refuse(spec, shown, "the coverage ratio divides by zero")
        return (2 * numerator * WHOLE_BPS + denominator) // (2 * denominator)

    def lifecycle(self) -> str:
        status = self.mapping.status
        if status is None:
            return self._inferred_lifecycle()
        value = self.row.get(status.column)
        key = "" if is_blank(value) else cells.text_of(value)
        self.sources["status"] = (status.column, key)
        if key in status.codes:
            return status.codes[key]
        if key == "" and status.default is not None:
            return status.default
        known = ", ".join(repr(code) for code in status.codes)
        raise self.refuse(status.column, value, f"{key!r} is not one of the mapped codes {known}")

    def _inferred_lifecycle(self) -> str:
        """Without a status column, the dates present say how far the loan got."""
        fields = self.mapping.fields
        for name, lifecycle in (("written_off_on", WRITTEN_OFF), ("defaulted_on", DEFAULTED)):
            spec = fields.get(name)
            if spec is not None and not is_blank(self.raw(spec)):
                return lifecycle
        # A loan book lists loans lent: a row is disbursed unless a mapped disbursement is empty.
        spec = fields.get("disbursed")
        if spec is not None and is_blank(self.raw(spec)):
            return REGISTERED
        return ACTIVE

    def borrower(self) -> tuple[str, str, str]:
        """The borrower's USCC (or the identity derived for a foreign layout), name, region."""
        specs = self.mapping.borrower
        name = self.value(specs["name"], required=True)
        region = self.value(specs.get("region")) or ""
        if "uscc" in specs:
            code = self.value(specs["uscc"], required=True)
            try:
                return validate_uscc(code), name, region
            except DomainError as error:
                raise self.refuse(specs["uscc"], code, error.reason) from None
        parts = [self.row.get(column) for column in self.mapping.derive_from]
        label = "+".join(self.mapping.derive_from)
        if all(is_blank(part) for part in parts):
            raise self.refuse(
                label, "", "the columns the borrower's identity derives from are blank"
            )
        key = [("" if is_blank(part) else cells.text_of(part)) for part in parts]
        code = derived_uscc(self.mapping.namespace, key)
        self.sources["uscc"] = (label, "|".join(key))
        return code, name, region

    def loan(self) -> LoanRow:
        lifecycle = self.lifecycle()
        disbursing, defaulting, writing_off = _REACHES[lifecycle]
        reference = self.field("reference", required=True)
        bank = self._party("bank", self.reader.bank)
        product = self._party("product", self.reader.product)
        uscc, enterprise_name, region = self.borrower()
        principal = self.field("principal", required=True, zero=False)
        term = self.field("term", required=True)
        start = self.field("start", required=True)
        disbursed = self.field("disbursed", required=False, zero=False)
        disbursed_on = self.field("disbursed_on")
        if disbursing and disbursed is None:
            disbursed = principal
        if not disbursing:
            disbursed = 0
        defaulted_on = self.field("defaulted_on", required=defaulting) if defaulting else None
        written_off_on = self.field("written_off_on", required=writing_off) if writing_off else None
        repaid, interest = self._repaid(lifecycle, disbursed)
        repaid_on = self._repaid_on(
            lifecycle, repaid + interest, start, term, defaulted_on, written_off_on
        )
        schedule = self._schedule()
        self._name_derived(disbursed, repaid, repaid_on)
        return LoanRow(
            row=self.number,
            lifecycle=lifecycle,
            reference=reference,
            bank=bank,
            product=product,
            uscc=uscc,
            enterprise_name=enterprise_name,
            region=region,
            principal_fen=principal,
            rate_bps=self.field("rate", required=True),
            term_months=term,
            start=start,
            first_loan=bool(self.field("first_loan")),
            pure_credit=bool(self.field("pure_credit")),
            revenue_fen=self.field("revenue"),
            schedule=schedule,
            interest_every=self.field("interest_every") or 1,
            disbursed_fen=disbursed,
            disbursed_on=disbursed_on or start,
            principal_repaid_fen=repaid,
            interest_repaid_fen=interest,
            repaid_on=repaid_on,
            defaulted_on=defaulted_on,
            default_reason=self._reason("default_reason", lifecycle) if defaulting else "",
            written_off_on=written_off_on,
            written_off_fen=self.field("written_off") if writing_off else None,
            write_off_reason=self._reason("write_off_reason", lifecycle) if writing_off else "",
            cover=self._cover(reference),
            sources=self.sources,
        )

    def _name_derived(self, disbursed: int, repaid: int, repaid_on: date | None) -> None:
        """Says where values the file did not give came from, for the error report."""
        derived = {
            "disbursed": self.sources.get("principal", ("[disbursed]", "")),
            "disbursed_on": self.sources.get("start", ("[disbursed_on]", "")),
            "principal_repaid": ("[principal_repaid]", str(Decimal(repaid) / 100)),
            "repaid_on": ("[repaid_on]", "" if repaid_on is None else repaid_on.isoformat()),
        }
        if disbursed == 0:
            derived["disbursed"] = ("[disbursed]", "0")
        for name, source in derived.items():
            self.sources.setdefault(name, source)

    def _party(self, name: str, fixed: str | None) -> str:
        """The bank or product: the command line's when given (rows naming another are
        refused), else the row's own."""
        spec = self.mapping.fields.get(name)
        own = self.value(spec, required=fixed is None) if spec is not None else None
        if fixed is None:
            if own is None:
                raise self.refuse(f"[{name}]", "", f"no {name}: map one, or give --{name}")
            return own
        if own is not None and own != fixed:
            assert spec is not None
            raise self.refuse(spec, own, f"the row is for {name} {own}, not --{name} {fixed}")
        self.sources.setdefault(name, (f"--{name}", fixed))
        return fixed

    def _repaid(self, lifecycle: str, disbursed: int) -> tuple[int, int]:
        """Principal and interest repaid to date, one total each (the file's, or what the
        status implies: all of it for a paid-off loan, all but the loss for a written-off one)."""
        principal = self.field("principal_repaid")
        interest = self.field("interest_repaid") or 0
        if principal is not None:
            return principal, interest
        if lifecycle == PAID_OFF:
            return disbursed, interest
        if lifecycle == WRITTEN_OFF:
            loss = self.field("written_off")
            if loss is not None:
                if loss > disbursed:
                    spec = self.mapping.fields["written_off"]
                    raise self.refuse(
                        spec, self.sources["written_off"][1], "is more than was disbursed"
                    )
                return disbursed - loss, interest
        return 0, interest

    def _repaid_on(
        self,
        lifecycle: str,
        repaid: int,
        start: date,
        term: int,
        defaulted_on: date | None,
        written_off_on: date | None,
    ) -> date | None:
        """The value date of the repayments to date: the file's, else the default for a loan
        that defaulted, else maturity (no later than the file's as-of date) for one paid off."""
        given = self.field("repaid_on")
        if given is not None or repaid == 0:
            return given
        if defaulted_on is not None:
            return defaulted_on
        if lifecycle == PAID_OFF:
            if term <= 0:
                return None  # the ledger refuses the term itself
            matures = maturity_date(start, term)
            as_of = self.reader.as_of
            return matures if as_of is None else min(matures, as_of)
        if self.reader.as_of is not None:
            return self.reader.as_of
        raise self.refuse(
            "[repaid_on]", "", "repayments without a date: map repaid_on or set [source] as_of"
        )

    def _schedule(self) -> str:
        spec = self.mapping.fields.get("schedule")
        value = self.value(spec)
        if value is None:
            return INTEREST_ONLY
        kind = _SCHEDULES.get(value)
        if kind is None:
            assert spec is not None
            known = ", ".join(sorted(_SCHEDULES))
            raise self.refuse(spec, value, f"{value!r} is not a schedule ({known})")
        return kind

    def _reason(self, name: str, lifecycle: str) -> str:
        given = self.field(name)
        if given:
            return given
        status = self.sources.get("status")
        code = f" {status[1]}" if status is not None else ""
        return f"imported: status{code} ({lifecycle})"

    def _cover(self, reference: str) -> CoverRow | None:
        cover = self.mapping.cover
        if cover is None:
            return None
        specs = cover.fields
        reguarantor = self.value(specs.get("reguarantor"))
        return CoverRow(
            kind=cover.kind,
            party=self.value(specs["party"], required=True),
            contract=self.value(specs.get("contract")) or reference,
            coverage_bps=self.coverage(specs["coverage"]),
            fee_rate_bps=self.value(specs["fee_rate"], required=True),
            reguarantor=reguarantor,
            reguarantee_fee_bps=self.value(specs.get("reguarantee_fee")),
        )

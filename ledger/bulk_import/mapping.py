"""The mapping file: for each ledger field, the column of the bank's file and how to read it.

A mapping is TOML. In `[fields]`, `[borrower]` and `[cover]` a field is either a column's
name (`reference = "LoanNr_ChkDgt"`) or a table saying more: `column`, or a constant
`value`; a `default` for empty cells; `codes` translating the file's words; a `unit` for
amounts and rates; date `format`s (strptime codes, or `days` with an `epoch`). `[status]`
maps the file's status codes to the lifecycle each row is brought to. See the README,
"Importing loan books", for the whole format and two worked examples.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from domain.errors import InvalidInput
from ledger.bulk_import.cells import AMOUNT_UNITS, DAYS, RATE_UNITS

TEXT = "text"
AMOUNT = "amount"
RATE = "rate"
WHOLE = "whole"
DATE = "date"
FLAG = "flag"
RATIO = "ratio"

# The lifecycle a row's loan is brought to, in the order its events are recorded.
REGISTERED = "registered"
ACTIVE = "active"
PAID_OFF = "paid_off"
DEFAULTED = "defaulted"
WRITTEN_OFF = "written_off"
LIFECYCLES = (REGISTERED, ACTIVE, PAID_OFF, DEFAULTED, WRITTEN_OFF)

FIELDS = {
    "reference": TEXT,
    "bank": TEXT,
    "product": TEXT,
    "principal": AMOUNT,
    "rate": RATE,
    "term": WHOLE,
    "start": DATE,
    "first_loan": FLAG,
    "pure_credit": FLAG,
    "revenue": AMOUNT,
    "schedule": TEXT,
    "interest_every": WHOLE,
    "disbursed": AMOUNT,
    "disbursed_on": DATE,
    "principal_repaid": AMOUNT,
    "interest_repaid": AMOUNT,
    "repaid_on": DATE,
    "defaulted_on": DATE,
    "default_reason": TEXT,
    "written_off": AMOUNT,
    "written_off_on": DATE,
    "write_off_reason": TEXT,
}
REQUIRED = ("reference", "principal", "rate", "term", "start")
BORROWER_FIELDS = {"uscc": TEXT, "name": TEXT, "region": TEXT}
GUARANTEE, POLICY = "guarantee", "policy"
# The cover's fields as a mapping names them, per kind, and the name used inside the importer.
COVER_FIELDS = {
    GUARANTEE: {
        "guarantor": ("party", TEXT),
        "coverage": ("coverage", RATIO),
        "fee_rate": ("fee_rate", RATE),
        "contract": ("contract", TEXT),
        "reguarantor": ("reguarantor", TEXT),
        "reguarantee_fee": ("reguarantee_fee", RATE),
    },
    POLICY: {
        "insurer": ("party", TEXT),
        "coverage": ("coverage", RATIO),
        "premium_rate": ("fee_rate", RATE),
        "number": ("contract", TEXT),
    },
}
_SPEC_KEYS = {
    "column",
    "value",
    "default",
    "codes",
    "unit",
    "format",
    "epoch",
    "century_from",
    "ratio",
    "true",
    "false",
}
TRUE_WORDS = ("是", "Y", "y", "Yes", "yes", "YES", "TRUE", "True", "true", "1")
FALSE_WORDS = ("否", "N", "n", "No", "no", "NO", "FALSE", "False", "false", "0", "")
DEFAULT_DATE_FORMATS = ("%Y-%m-%d",)


@dataclass(frozen=True)
class FieldSpec:
    """Where one ledger field comes from in a row, and how its cell is read."""

    name: str
    kind: str
    column: str | None = None
    value: Any = None
    default: Any = None
    codes: Mapping[str, str] | None = None
    unit: str | None = None
    formats: tuple[str, ...] = DEFAULT_DATE_FORMATS
    epoch: date | None = None
    century_from: int | None = None
    ratio: tuple[str, str] | None = None
    true_values: tuple[str, ...] = TRUE_WORDS
    false_values: tuple[str, ...] = FALSE_WORDS

    @property
    def columns(self) -> tuple[str, ...]:
        """The file's columns this field reads."""
        if self.ratio is not None:
            return self.ratio
        return () if self.column is None else (self.column,)

    @property
    def label(self) -> str:
        """How the error report names the field: its column(s), or the field for a constant."""
        if self.ratio is not None:
            return "/".join(self.ratio)
        return self.column if self.column is not None else f"[{self.name}]"


@dataclass(frozen=True)
class Status:
    """The column whose codes say how far each loan got, and what each code means."""

    column: str
    codes: Mapping[str, str]
    default: str | None = None


@dataclass(frozen=True)
class Cover:
    """The guarantee or policy each row's loan carries (R16: its coverage may be per loan)."""

    kind: str
    fields: Mapping[str, FieldSpec]


@dataclass(frozen=True)
class LoanMapping:
    """A whole mapping file, read and checked."""

    fields: Mapping[str, FieldSpec]
    borrower: Mapping[str, FieldSpec]
    derive_from: tuple[str, ...] = ()
    namespace: str = ""
    status: Status | None = None
    cover: Cover | None = None
    sheet: str | None = None
    encoding: str = "utf-8-sig"
    delimiter: str = ","
    as_of: date | None = None
    source: str = field(default="")

    def columns(self) -> set[str]:
        """Every column of the file the mapping reads."""
        specs = [*self.fields.values(), *self.borrower.values()]
        if self.cover is not None:
            specs.extend(self.cover.fields.values())
        found = {column for spec in specs for column in spec.columns}
        found.update(self.derive_from)
        if self.status is not None:
            found.add(self.status.column)
        return found


def load_mapping(path: Path) -> LoanMapping:
    """Returns the mapping in a TOML file; InvalidInput names the first key that is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput("--mapping", f"{path} does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise InvalidInput("--mapping", f"{path} is not valid TOML: {error}") from None
    return parse_mapping(data, source=str(path))


def _problem(path: str, reason: str) -> InvalidInput:
    return InvalidInput(f"mapping {path}", reason)


def _table(data: Mapping[str, Any], key: str, known: set[str] | None = None) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise _problem(key, "must be a table")
    if known is not None:
        for name in value:
            if name not in known:
                raise _problem(f"{key}.{name}", f"is not one of {', '.join(sorted(known))}")
    return value


def _text_list(raw: Any, path: str) -> tuple[str, ...]:
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise _problem(path, "must be a text or a list of texts")
    return tuple(items)


def _units(kind: str, *, two_columns: bool) -> tuple[str, ...]:
    """The units a field may be read in: amounts (and the two amounts of a ratio) or rates."""
    if kind == AMOUNT or (kind == RATIO and two_columns):
        return tuple(AMOUNT_UNITS)
    if kind in (RATE, RATIO):
        return RATE_UNITS
    return ()


def parse_spec(name: str, kind: str, raw: Any, path: str) -> FieldSpec:
    """Returns one field's spec from its mapping entry (a column name or a table)."""
    if isinstance(raw, str):
        raw = {"column": raw}
    if not isinstance(raw, Mapping):
        raise _problem(path, 'must be a column name or a table such as { column = "..." }')
    for key in raw:
        if key not in _SPEC_KEYS:
            raise _problem(f"{path}.{key}", f"is not one of {', '.join(sorted(_SPEC_KEYS))}")
    sources = [key for key in ("column", "value", "ratio") if key in raw]
    if len(sources) != 1:
        raise _problem(path, "give exactly one of column, value or ratio")
    column = raw.get("column")
    if column is not None and (not isinstance(column, str) or not column.strip()):
        raise _problem(f"{path}.column", "must be the name of a column")
    ratio = None
    if "ratio" in raw:
        if kind != RATIO:
            raise _problem(f"{path}.ratio", "only a coverage is read as a ratio of two columns")
        columns = raw["ratio"]
        if not (isinstance(columns, list) and len(columns) == 2):
            raise _problem(f"{path}.ratio", "must name two columns: [numerator, denominator]")
        ratio = (str(columns[0]), str(columns[1]))
    codes = raw.get("codes")
    if codes is not None and not (
        isinstance(codes, Mapping) and all(isinstance(v, str) for v in codes.values())
    ):
        raise _problem(f"{path}.codes", "must be a table of file code = ledger text")
    unit = raw.get("unit")
    if unit is not None:
        units = _units(kind, two_columns=ratio is not None)
        if unit not in units:
            raise _problem(f"{path}.unit", f"{unit!r} is not one of {', '.join(units) or '(none)'}")
    formats = DEFAULT_DATE_FORMATS
    if "format" in raw:
        if kind != DATE:
            raise _problem(f"{path}.format", "only dates have a format")
        formats = _text_list(raw["format"], f"{path}.format")
    epoch = raw.get("epoch")
    if DAYS in formats and not isinstance(epoch, date):
        raise _problem(f"{path}.epoch", "day numbers need an epoch date, e.g. epoch = 1960-01-01")
    century_from = raw.get("century_from")
    if century_from is not None and not isinstance(century_from, int):
        raise _problem(f"{path}.century_from", "must be a year, e.g. 1940")
    return FieldSpec(
        name=name,
        kind=kind,
        column=column,
        value=raw.get("value"),
        default=raw.get("default"),
        codes=codes,
        unit=unit,
        formats=formats,
        epoch=epoch if isinstance(epoch, date) else None,
        century_from=century_from,
        ratio=ratio,
        true_values=_text_list(raw["true"], f"{path}.true") if "true" in raw else TRUE_WORDS,
        false_values=_text_list(raw["false"], f"{path}.false") if "false" in raw else FALSE_WORDS,
    )


def _fields(data: Mapping[str, Any]) -> dict[str, FieldSpec]:
    table = _table(data, "fields", set(FIELDS))
    specs = {
        name: parse_spec(name, FIELDS[name], raw, f"fields.{name}") for name, raw in table.items()
    }
    for name in REQUIRED:
        if name not in specs:
            raise _problem(f"fields.{name}", "is required")
    return specs


def _borrower(data: Mapping[str, Any]) -> tuple[dict[str, FieldSpec], tuple[str, ...], str]:
    table = _table(data, "borrower", {*BORROWER_FIELDS, "derive_from", "namespace"})
    specs = {
        name: parse_spec(name, BORROWER_FIELDS[name], table[name], f"borrower.{name}")
        for name in BORROWER_FIELDS
        if name in table
    }
    derive_from = _text_list(table.get("derive_from", []), "borrower.derive_from")
    namespace = table.get("namespace", "")
    if ("uscc" in specs) == bool(derive_from):
        raise _problem(
            "borrower", "give the USCC column (uscc), or the columns to derive_from, not both"
        )
    if derive_from and (not isinstance(namespace, str) or not namespace.strip()):
        raise _problem(
            "borrower.namespace",
            'name the layout the identities are derived in, e.g. namespace = "SBA 7(a)"',
        )
    if "name" not in specs:
        raise _problem("borrower.name", "the borrower's name column is required")
    return specs, derive_from, namespace


def _status(data: Mapping[str, Any]) -> Status | None:
    if "status" not in data:
        return None
    table = _table(data, "status", {"column", "codes", "default"})
    column, codes, default = table.get("column"), table.get("codes"), table.get("default")
    if not isinstance(column, str) or not column.strip():
        raise _problem("status.column", "must name the status column")
    if not isinstance(codes, Mapping) or not codes:
        raise _problem("status.codes", "must be a table of file code = lifecycle")
    for code, lifecycle in codes.items():
        if lifecycle not in LIFECYCLES:
            raise _problem(f"status.codes.{code}", f"{lifecycle!r} is not one of {LIFECYCLES}")
    if default is not None and default not in LIFECYCLES:
        raise _problem("status.default", f"{default!r} is not one of {LIFECYCLES}")
    return Status(column=column, codes=dict(codes), default=default)


def _cover(data: Mapping[str, Any]) -> Cover | None:
    if "cover" not in data:
        return None
    raw = _table(data, "cover")
    kind = raw.get("kind")
    if kind not in COVER_FIELDS:
        raise _problem("cover.kind", f"must be {GUARANTEE!r} or {POLICY!r}")
    known = COVER_FIELDS[kind]
    specs: dict[str, FieldSpec] = {}
    for key, value in raw.items():
        if key == "kind":
            continue
        if key not in known:
            raise _problem(f"cover.{key}", f"is not one of kind, {', '.join(known)}")
        name, field_kind = known[key]
        specs[name] = parse_spec(name, field_kind, value, f"cover.{key}")
    party_key, rate_key = (
        ("guarantor", "fee_rate") if kind == GUARANTEE else ("insurer", "premium_rate")
    )
    for key in (party_key, "coverage", rate_key):
        if known[key][0] not in specs:
            raise _problem(f"cover.{key}", "is required")
    return Cover(kind=kind, fields=specs)


def parse_mapping(data: Mapping[str, Any], *, source: str = "") -> LoanMapping:
    """Returns the mapping a parsed TOML document describes; InvalidInput names what is wrong."""
    for key in data:
        if key not in {"layout", "source", "fields", "borrower", "status", "cover"}:
            raise _problem(key, "is not one of layout, source, fields, borrower, status, cover")
    options = _table(data, "source", {"sheet", "encoding", "delimiter", "as_of"})
    as_of = options.get("as_of")
    if as_of is not None and not isinstance(as_of, date):
        raise _problem("source.as_of", "must be a date, e.g. as_of = 2014-12-31")
    delimiter = options.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise _problem("source.delimiter", "must be one character")
    borrower, derive_from, namespace = _borrower(data)
    return LoanMapping(
        fields=_fields(data),
        borrower=borrower,
        derive_from=derive_from,
        namespace=namespace,
        status=_status(data),
        cover=_cover(data),
        sheet=options.get("sheet"),
        encoding=options.get("encoding", "utf-8-sig"),
        delimiter=delimiter,
        as_of=as_of,
        source=source,
    )

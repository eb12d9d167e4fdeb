"""The read-model tables. Every one can be dropped and rebuilt from the events."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# A column marked additive holds a sum of the events' effects: its history is kept by
# effective date (projections/dated.py), so a report can be read as of any past date.
ADDITIVE = "additive"


def _fen(name: str, *, additive: bool = True) -> Column[int]:
    return Column(name, BigInteger, nullable=False, default=0, info={ADDITIVE: additive})


def _count(name: str, *, additive: bool = True) -> Column[int]:
    return Column(name, Integer, nullable=False, default=0, info={ADDITIVE: additive})


def additive_columns(table: Table) -> tuple[str, ...]:
    """Returns the columns of `table` whose history is kept by effective date."""
    return tuple(column.name for column in table.columns if column.info.get(ADDITIVE))


schema = Table(
    "rl_schema",
    metadata,
    Column("fingerprint", String(64), primary_key=True),
)

tracking = Table(
    "rl_tracking",
    metadata,
    Column("projection", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

pools = Table(
    "rl_pool",
    metadata,
    Column("pool_id", String(32), primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("level", String(16), nullable=False),
    Column("owner", String(64), nullable=False),
    _fen("contributed_fen"),
    _fen("paid_out_fen"),
    _fen("recovered_fen"),
    _fen("queued_fen"),
)

# A pool leg queued for want of funds (R10); paid_on is set when the pool pays it.
pool_queue = Table(
    "rl_pool_queue",
    metadata,
    Column("pool_id", String(32), primary_key=True),
    Column("claim_id", String(32), primary_key=True),
    Column("payer", String(32), nullable=False),
    _fen("amount_fen"),
    Column("queued_on", Date, nullable=False),
    Column("paid_on", Date, nullable=True),
)

products = Table(
    "rl_product",
    metadata,
    Column("product", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("structure", String(16), nullable=False),
    _count("loans"),
    _fen("disbursed_fen"),
    _fen("repaid_fen"),
    _fen("interest_fen"),
    _fen("written_off_fen"),
    _fen("outstanding_fen"),
    _count("paid_off_loans"),
    _count("defaulted_loans"),
    _fen("defaulted_fen"),
    _count("claims"),
    _fen("approved_fen"),
    _fen("recovered_fen"),
    # Loans classified substandard or worse (R5) and their outstanding principal: these
    # follow each loan's class, so their past is read from rl_loan_class, not summed.
    _count("npl_loans", additive=False),
    _fen("npl_fen", additive=False),
    _fen("registered_fen"),
    # R3: principal covered now (the exposure) and principal ever compensated, and the
    # multiple of the pools' funds the latest terms allow (null: no pool shares losses).
    _fen("covered_fen"),
    _fen("compensated_fen"),
    Column("leverage_multiple", Integer, nullable=True),
)

# The pool paying each level's share of a product's losses (R3 levers on their funds).
product_pools = Table(
    "rl_product_pool",
    metadata,
    Column("product", String(64), primary_key=True),
    Column("level", String(16), primary_key=True),
    Column("pool", String(64), nullable=False),
)

# The same figures for each bank lending under a product (R4 watches a bank's NPL ratio).
product_banks = Table(
    "rl_product_bank",
    metadata,
    Column("product", String(64), primary_key=True),
    Column("bank", String(64), primary_key=True),
    _count("loans"),
    _fen("registered_fen"),
    _fen("disbursed_fen"),
    _fen("repaid_fen"),
    _fen("interest_fen"),
    _fen("written_off_fen"),
    _fen("outstanding_fen"),
    _count("paid_off_loans"),
    _count("defaulted_loans"),
    _fen("defaulted_fen"),
    _count("claims"),
    _fen("approved_fen"),
    _fen("recovered_fen"),
    _count("npl_loans", additive=False),
    _fen("npl_fen", additive=False),
)

product_parties = Table(
    "rl_product_party",
    metadata,
    Column("product", String(64), primary_key=True),
    Column("party", String(32), primary_key=True),
    _fen("burden_fen"),
    _fen("compensation_paid_fen"),
    _fen("recovery_share_fen"),
    # Legs this party received as a claim's payee (the claimant, or the guarantor after 代偿).
    _fen("legs_received_fen"),
)

product_enterprises = Table(
    "rl_product_enterprise",
    metadata,
    Column("product", String(64), primary_key=True),
    Column("enterprise", String(18), primary_key=True),
    # The start date of its first loan under the product: borrowers as of a date.
    Column("first_on", Date, nullable=True),
)
Index(
    "rl_product_enterprise_by_first_on",
    product_enterprises.c.product,
    product_enterprises.c.first_on,
)

loans = Table(
    "rl_loan",
    metadata,
    Column("loan_id", String(32), primary_key=True),
    Column("bank", String(64), nullable=False),
    Column("reference", String(128), nullable=False),
    Column("product", String(64), nullable=False),
    Column("enterprise", String(18), nullable=False),
    _fen("principal_fen"),
    _fen("disbursed_fen"),
    _fen("repaid_fen"),
    _fen("interest_fen"),
    _fen("written_off_fen"),
    Column("state", String(16), nullable=False),
    Column("default_date", Date, nullable=True),
    # The five-category class (R5) and the days past due when it last changed.
    Column("class", String(16), nullable=False, default="normal"),
    _count("days_past_due", additive=False),
    Column("registered_on", Date, nullable=True),
    Column("recorded_at", DateTime, nullable=True),
)
Index("rl_loan_by_enterprise", loans.c.enterprise)

# Every change of a loan's state or class, so the loan book can be read as of a past date.
loan_changes = Table(
    "rl_loan_change",
    metadata,
    Column("position", BigInteger, primary_key=True),
    Column("attribute", String(8), primary_key=True),  # "state" or "class"
    Column("loan_id", String(32), nullable=False),
    Column("value", String(16), nullable=False),
    _count("days_past_due", additive=False),
    Column("effective_date", Date, nullable=False),
    Column("recorded_at", DateTime, nullable=False),
)
Index("rl_loan_change_by_loan", loan_changes.c.loan_id, loan_changes.c.attribute)
Index("rl_loan_change_by_value", loan_changes.c.attribute, loan_changes.c.value)

claims = Table(
    "rl_claim",
    metadata,
    Column("claim_id", String(32), primary_key=True),
    Column("loan_id", String(32), nullable=False),
    Column("product", String(64), nullable=False),
    Column("bank", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    _fen("loss_base_fen"),
    _fen("approved_fen"),
    _fen("recovered_fen"),
)

# One row per guarantee or policy (R16, R17): what it covers, its fees, 代偿 and claims paid.
covers = Table(
    "rl_cover",
    metadata,
    Column("cover_id", String(32), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("loan_id", String(32), nullable=False),
    Column("product", String(64), nullable=False),
    Column("bank", String(64), nullable=False),
    Column("loan_reference", String(128), nullable=False),
    Column("institution", String(64), nullable=False),
    Column("reference", String(128), nullable=False),
    Column("coverage_bps", Integer, nullable=False),
    Column("rate_bps", Integer, nullable=False),
    _fen("covered_fen"),
    _fen("fees_fen"),
    _fen("reguarantee_fees_fen"),
    _fen("payout_fen"),
    _fen("reimbursed_fen"),
    _fen("claims_paid_fen"),
    Column("state", String(16), nullable=False),
)

# Which product each exposure aggregate (R3) belongs to: its events name only its id.
exposures = Table(
    "rl_exposure",
    metadata,
    Column("exposure_id", String(32), primary_key=True),
    Column("product", String(64), nullable=False),
)

# The double-entry journal's balance per account (projections/journal.py); sums to zero.
journal_balances = Table(
    "rl_journal_balance",
    metadata,
    Column("account", String(200), primary_key=True),
    _fen("balance_fen"),
)

# Who plays which part for the journal (a loan's guarantor, a pool leg's payee, a
# contribution's funder): later money events name only ids.
journal_parties = Table(
    "rl_journal_party",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("role", String(32), primary_key=True),
    Column("institution", String(64), nullable=False),
)

# Dated balance history (projections/dated.py): each additive figure's change per row and
# effective date, summed over the events of that day …
daily = Table(
    "rl_daily",
    metadata,
    Column("tbl", String(32), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("col", String(32), primary_key=True),
    Column("effective_date", Date, primary_key=True),
    Column("delta", BigInteger, nullable=False),
)
Index("rl_daily_by_date", daily.c.tbl, daily.c.effective_date)

# … and by month (keyed by its first day), so a figure as of a date sums whole months
# first and only the days of the last one.
monthly = Table(
    "rl_monthly",
    metadata,
    Column("tbl", String(32), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("col", String(32), primary_key=True),
    Column("month", Date, primary_key=True),
    Column("delta", BigInteger, nullable=False),
)

# … and each event's changes with the time it was recorded, for --known-at.
movements = Table(
    "rl_movement",
    metadata,
    Column("position", BigInteger, primary_key=True),
    Column("effective_date", Date, nullable=False),
    Column("recorded_at", DateTime, nullable=False, index=True),
    Column("changes", Text, nullable=False),
)

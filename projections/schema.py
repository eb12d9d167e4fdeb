"""The read-model tables. Every one can be dropped and rebuilt from the events."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, Integer, MetaData, String, Table

metadata = MetaData()


def _fen(name: str) -> Column[int]:
    return Column(name, BigInteger, nullable=False, default=0)


def _count(name: str) -> Column[int]:
    return Column(name, Integer, nullable=False, default=0)


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
    _fen("outstanding_fen"),
    _count("paid_off_loans"),
    _count("defaulted_loans"),
    _fen("defaulted_fen"),
    _count("claims"),
    _fen("approved_fen"),
    _fen("recovered_fen"),
)

product_parties = Table(
    "rl_product_party",
    metadata,
    Column("product", String(64), primary_key=True),
    Column("party", String(32), primary_key=True),
    _fen("burden_fen"),
    _fen("compensation_paid_fen"),
    _fen("recovery_share_fen"),
)

product_enterprises = Table(
    "rl_product_enterprise",
    metadata,
    Column("product", String(64), primary_key=True),
    Column("enterprise", String(18), primary_key=True),
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
    Column("state", String(16), nullable=False),
    Column("default_date", Date, nullable=True),
)

claims = Table(
    "rl_claim",
    metadata,
    Column("claim_id", String(32), primary_key=True),
    Column("loan_id", String(32), nullable=False),
    Column("product", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    _fen("loss_base_fen"),
    _fen("approved_fen"),
    _fen("recovered_fen"),
)

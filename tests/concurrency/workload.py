"""Several writer processes at once, all on one product, one pool and the same loans.

Each worker issues a seeded, mixed stream of the commands a programme's parties give:
registrations that push the product toward its leverage limit (R3), repayments, defaults,
claims filed, approved and paid on the same loans by several workers at once, contributions
and recoveries. It logs what became of each command (applied, a repeat that wrote nothing,
refused and why, or given up after too many conflicts) and how many events it wrote, so the
test can hold the store to account. Used by tests/concurrency and bench/concurrency.py.
"""

from __future__ import annotations

import json
import multiprocessing
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from eventsourcing.application import Recording

from domain.actor import Actor
from domain.errors import DomainError, RuleViolation
from domain.terms_parsing import parse_terms
from ledger.app import ConcurrencyError, RiskLedger, Session
from ledger.demo.enterprises import make_uscc
from ledger.settings import Settings

PRODUCT = "TKD"
POOL = "SZ-P"
FUNDER = "SZ-FIN"
BANK = "ICBC"
MULTIPLE = 10
FUNDS_FEN = 4_000_000_00  # 400万: at 10×, 4000万 of loans (2000万 taken by the setup)
SHARED_PRINCIPAL_FEN = 1_000_000_00  # each loan of the setup: 100万
SETUP_DAY = date(2024, 1, 2)
START = date(2024, 2, 1)
DEFAULT_DAY = date(2024, 6, 1)
FILED_DAY = date(2024, 6, 10)
APPROVED_DAY = date(2024, 6, 20)
PAID_DAY = date(2024, 7, 1)
CLAIM_REF = "CLM"

MANAGER = Actor("KJJ", "alice", "cli")
CLERK = Actor(BANK, "bob", "cli")

# Loans the setup registers and disburses: REPAID ones take every worker's repayments,
# DOOMED ones are defaulted, claimed, approved, paid and recovered by every worker at once.
REPAID = [f"R{i:02}" for i in range(8)]
DOOMED = [f"D{i:02}" for i in range(12)]
# Loans every worker registers with the same content: exactly one registration is new.
RACED = [f"S{i:02}" for i in range(6)]
# How long a worker waits for the others to be ready: a safety net, never reached unless
# one of them failed to start.
START_TIMEOUT_SECONDS = 300
# What the fork server imports once for every worker it forks.
PRELOAD = ["ledger.app", "ledger.recorders.sqlite", "ledger.recorders.postgres", "ledger.demo"]
# How many times a worker gives a command that ended in ConcurrencyError.
CLIENT_TRIES = 3
ENTERPRISES = sorted({make_uscc(random.Random(seed), "320505") for seed in range(16)})


def programme(session: Session) -> None:
    """The operator, pool owner, bank, enterprises, the product, its funded pool."""
    for code, kind, level in (
        ("KJJ", "operator", None),
        (FUNDER, "pool_owner", "city"),
        (BANK, "bank", None),
    ):
        session.add_institution(
            code=code,
            kind=kind,
            name=code,
            region="苏州",
            level=level,
            effective_date=SETUP_DAY,
            actor=MANAGER,
        )
    for number, uscc in enumerate(ENTERPRISES):
        session.add_enterprise(
            uscc=uscc,
            name=f"科技企业{number}",
            region="苏州",
            effective_date=SETUP_DAY,
            actor=MANAGER,
        )
    terms = {
        "code": PRODUCT,
        "name": "通科贷",
        "structure": "direct",
        "effective_from": date(2024, 1, 1),
        "shares": {"pool.city": 8000, "bank": 2000},
        "leverage": {"multiple": MULTIPLE},
    }
    session.define_product(terms=parse_terms(terms), actor=MANAGER)
    session.open_pool(
        code=POOL,
        name="市池",
        owner=FUNDER,
        level="city",
        products=[PRODUCT],
        effective_date=SETUP_DAY,
        actor=MANAGER,
    )
    session.fund_pool(
        pool=POOL,
        amount_fen=FUNDS_FEN,
        funder=FUNDER,
        ref="C0",
        effective_date=SETUP_DAY,
        actor=MANAGER,
    )


def _register(reference: str, uscc: str, principal_fen: int) -> Callable[[Session], Any]:
    return lambda s: s.register_loan(
        bank=BANK,
        reference=reference,
        uscc=uscc,
        product=PRODUCT,
        principal_fen=principal_fen,
        annual_rate_bps=400,
        term_months=12,
        start_date=START,
        actor=CLERK,
    )


def shared_loan(reference: str, uscc: str) -> Callable[[Session], Any]:
    """Registers and fully disburses one of the setup's loans, in one session."""

    def command(session: Session) -> None:
        _register(reference, uscc, SHARED_PRINCIPAL_FEN)(session)
        session.disburse(
            bank=BANK,
            reference=reference,
            amount_fen=SHARED_PRINCIPAL_FEN,
            value_date=START,
            ref="D",
            actor=CLERK,
        )

    return command


def set_up(ledger: RiskLedger, loans: Sequence[str] = (*REPAID, *DOOMED)) -> None:
    """Records the programme and the shared `loans` the workers will all work on."""
    ledger.transact(programme)
    for number, reference in enumerate(loans):
        ledger.transact(shared_loan(reference, ENTERPRISES[number % len(ENTERPRISES)]))


@dataclass(frozen=True)
class Outcome:
    """What became of one command: applied (wrote events), repeat (wrote none), refused
    (a DomainError: `why` names the rule or field), gave_up (ConcurrencyError)."""

    worker: int
    op: str
    key: str
    result: str
    events: int
    tries: int  # how many times the worker gave it (more than 1 after a ConcurrencyError)
    why: str = ""


@dataclass(frozen=True)
class Command:
    op: str
    key: str
    run: Callable[[Session], Any]


def command_stream(worker: int, seed: int, count: int) -> list[Command]:
    """Returns the worker's seeded mix of `count` commands."""
    rng = random.Random(seed * 1000 + worker)
    stream: list[Command] = []
    weights = {
        "register": 26,
        "register_raced": 6,
        "repay": 20,
        "default": 7,
        "file": 8,
        "approve": 8,
        "pay": 9,
        "contribute": 6,
        "recover": 10,
    }
    ops = rng.choices(list(weights), weights=list(weights.values()), k=count)
    for index, op in enumerate(ops):
        own = f"W{worker}-{index:04}"  # this worker's own reference for this command
        if op == "register":
            principal = rng.randrange(10, 101) * 10_000_00  # 10万 to 100万
            uscc = rng.choice(ENTERPRISES)
            stream.append(Command(op, own, _register(own, uscc, principal)))
        elif op == "register_raced":
            reference = rng.choice(RACED)
            uscc = ENTERPRISES[RACED.index(reference)]
            stream.append(Command(op, reference, _register(reference, uscc, 50 * 10_000_00)))
        elif op == "repay":
            loan = rng.choice(REPAID)
            principal = rng.randrange(1, 6) * 10_000_00  # 1万 to 5万
            day = START + timedelta(days=rng.randrange(1, 200))
            stream.append(Command(op, f"{loan}/{own}", _repay(loan, own, principal, day)))
        elif op == "contribute":
            amount = rng.randrange(2, 11) * 10_000_00  # 2万 to 10万
            stream.append(Command(op, own, contribution(own, amount)))
        elif op == "recover":
            loan = rng.choice(DOOMED)
            amount = rng.randrange(1, 4) * 10_000_00
            day = PAID_DAY + timedelta(days=rng.randrange(1, 100))
            stream.append(Command(op, f"{loan}/{own}", _recover(loan, own, amount, day)))
        else:
            loan = rng.choice(DOOMED)
            stream.append(Command(op, loan, CLAIM_STEPS[op](loan)))
    return stream


def _repay(loan: str, ref: str, principal_fen: int, day: date) -> Callable[[Session], Any]:
    return lambda s: s.repay(
        bank=BANK,
        reference=loan,
        principal_fen=principal_fen,
        interest_fen=1_000_00,
        value_date=day,
        ref=ref,
        actor=CLERK,
    )


def contribution(ref: str, amount_fen: int) -> Callable[[Session], Any]:
    return lambda s: s.fund_pool(
        pool=POOL,
        amount_fen=amount_fen,
        funder=FUNDER,
        ref=ref,
        effective_date=SETUP_DAY,
        actor=MANAGER,
    )


def _recover(loan: str, ref: str, amount_fen: int, day: date) -> Callable[[Session], Any]:
    return lambda s: s.record_recovery(
        bank=BANK, reference=loan, amount_fen=amount_fen, ref=ref, effective_date=day, actor=CLERK
    )


CLAIM_STEPS: dict[str, Callable[[str], Callable[[Session], Any]]] = {
    "default": lambda loan: (
        lambda s: s.declare_default(
            bank=BANK, reference=loan, default_date=DEFAULT_DAY, reason="破产", actor=CLERK
        )
    ),
    "file": lambda loan: (
        lambda s: s.file_claim(
            bank=BANK, reference=loan, ref=CLAIM_REF, filed_on=FILED_DAY, actor=CLERK
        )
    ),
    "approve": lambda loan: (
        lambda s: s.approve_claim(
            bank=BANK, reference=loan, amount_fen=None, effective_date=APPROVED_DAY, actor=MANAGER
        )
    ),
    "pay": lambda loan: (
        lambda s: s.pay_legs(
            bank=BANK, reference=loan, parties=None, effective_date=PAID_DAY, actor=MANAGER
        )
    ),
}


class CountingLedger(RiskLedger):
    """The ledger, counting the events its saves wrote (a failed save writes none)."""

    name = RiskLedger.name  # the library names a subclass's tables after it otherwise

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.written = 0

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[Any]]:
        recordings = super().save(*objs, **kwargs)
        self.written += len(recordings)
        return recordings


def run_commands(ledger: CountingLedger, worker: int, stream: list[Command]) -> list[Outcome]:
    """Gives every command of the stream in turn; returns what became of each.

    A command given up after too many conflicts (ConcurrencyError: "try again") is given
    again, as a clerk would, up to CLIENT_TRIES times: its reference makes that safe (R14).
    """
    outcomes: list[Outcome] = []
    for command in stream:
        for tries in range(1, CLIENT_TRIES + 1):
            outcome = _give(ledger, worker, command, tries)
            if outcome.result != "gave_up":
                break
        outcomes.append(outcome)
    return outcomes


def _give(ledger: CountingLedger, worker: int, command: Command, tries: int) -> Outcome:
    before = ledger.written
    try:
        ledger.transact(command.run)
    except ConcurrencyError as error:
        written = ledger.written - before
        return Outcome(worker, command.op, command.key, "gave_up", written, tries, error.reason)
    except DomainError as error:
        why = error.rule if isinstance(error, RuleViolation) else error.field
        written = ledger.written - before
        return Outcome(worker, command.op, command.key, "refused", written, tries, why)
    written = ledger.written - before
    return Outcome(
        worker, command.op, command.key, "applied" if written else "repeat", written, tries
    )


def worker_main(url: str, worker: int, seed: int, count: int, start: Any, out: str) -> None:
    """One writer process: opens the ledger, waits for every other worker, then writes.

    `start` is a multiprocessing Barrier shared by the workers; the outcomes, the events
    written, the conflicts met and the seconds spent go to the JSON file `out`.
    """
    ledger = CountingLedger(Settings(db=url))
    stream = command_stream(worker, seed, count)
    start.wait(timeout=START_TIMEOUT_SECONDS)
    began = time.perf_counter()
    outcomes = run_commands(ledger, worker, stream)
    seconds = time.perf_counter() - began
    Path(out).write_text(
        json.dumps(
            {
                "worker": worker,
                "written": ledger.written,
                "conflicts": ledger.conflicts,
                "seconds": seconds,
                "outcomes": [asdict(outcome) for outcome in outcomes],
            }
        )
    )
    ledger.close()


def run_workers(url: str, *, workers: int, seed: int, count: int, folder: Path) -> list[dict]:
    """Runs `workers` writer processes at once on the ledger at `url`; returns their reports.

    Each is forked from a fork server that imported the ledger once and never opened one, so
    a worker shares no connection with anyone: it opens its own, as a separate program
    would. All start writing together, once every one of them is ready.
    """
    context = multiprocessing.get_context("forkserver")
    # Python 3.11's fork server preloads before it takes the parent's sys.path: only
    # installed modules can be preloaded (a missing one, psycopg's say, is skipped).
    context.set_forkserver_preload(PRELOAD)
    start = context.Barrier(workers)
    outs = [folder / f"worker-{worker}.json" for worker in range(workers)]
    processes = [
        context.Process(
            target=worker_main,
            args=(url, worker, seed, count, start, str(outs[worker])),
            name=f"riskledger-writer-{worker}",
        )
        for worker in range(workers)
    ]
    for process in processes:
        process.start()
    while any(process.is_alive() for process in processes):
        if any(process.exitcode not in (None, 0) for process in processes):
            start.abort()  # a worker died: the others must not wait for it at the barrier
        time.sleep(0.05)
    failed = [f"{p.name} (exit {p.exitcode})" for p in processes if p.exitcode != 0]
    if failed:
        raise RuntimeError(f"writer processes failed: {', '.join(failed)}")
    return [json.loads(out.read_text()) for out in outs]

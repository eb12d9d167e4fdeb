"""Options shared by several commands, spelled once."""

from __future__ import annotations

from typing import Annotated

import typer

Date = Annotated[
    str | None, typer.Option("--date", help="Business date YYYY-MM-DD [default: today]")
]
Bank = Annotated[str, typer.Option("--bank", help="The bank's institution code")]
LoanRef = Annotated[str, typer.Option("--loan", help="The bank's own loan reference")]
Ref = Annotated[str, typer.Option("--ref", help="Your reference for this command (idempotency)")]

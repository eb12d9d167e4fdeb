"""The benchmark's figures as rows: printed as a table and written to RESULTS.md."""

from __future__ import annotations

import cProfile
import io
import math
import pstats
import site
import sysconfig
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROFILE_ENTRIES = 15
OWN_TIME_ENTRIES = 10
# The sections this script writes; any other `## ` section of RESULTS.md is hand-written
# (an analysis of the figures, figures of other scripts) and a new run keeps it, after its own.
GENERATED_SECTIONS = (
    "## Machine",
    "## Figures",
    "## How they were measured",
    "## Profiles of the targets missed",
)

MET = "met"
MISSED = "MISSED"
NOT_MEASURED = "not measured"


@dataclass(frozen=True)
class Row:
    """One figure: what was measured, on which store, the figure, what it is compared with
    (a target or the issue's reference figure) and, for a target, whether it was met."""

    measure: str
    backend: str
    figure: str
    compared_with: str = ""
    verdict: str = ""


@dataclass(frozen=True)
class Profile:
    """The top entries of a cProfile run, by cumulative time, for a missed target."""

    title: str
    text: str


def whole(number: float) -> str:
    """A count or rate with thousands separators."""
    return f"{number:,.0f}"


def ratio(numerator: float, denominator: float) -> str:
    """How many times `denominator` `numerator` is, e.g. `0.07×`."""
    if denominator <= 0:
        return "n/a"
    value = numerator / denominator
    return f"{value:.2f}×" if value < 10 else f"{value:.1f}×"


def percentile(samples: Sequence[float], share: float) -> float:
    """The nearest-rank percentile of `samples` (share 0.5 for p50, 0.95 for p95)."""
    ordered = sorted(samples)
    rank = max(math.ceil(share * len(ordered)), 1)
    return ordered[rank - 1]


def latency(samples: Sequence[float]) -> str:
    """p50 and p95 of `samples` (seconds), in milliseconds."""
    p50, p95 = percentile(samples, 0.5) * 1000, percentile(samples, 0.95) * 1000
    return f"p50 {p50:,.1f} ms / p95 {p95:,.1f} ms ({len(samples)} runs)"


def table(rows: Sequence[Row]) -> str:
    """The rows as a plain text table, for the terminal."""
    header = Row("measure", "store", "figure", "compared with", "verdict")
    cells = [(r.measure, r.backend, r.figure, r.compared_with, r.verdict) for r in (header, *rows)]
    widths = [max(len(row[column]) for row in cells) for column in range(5)]
    lines = []
    for number, row in enumerate(cells):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def _markdown_cell(text: str) -> str:
    return text.replace("|", "\\|") or " "


def markdown_table(rows: Sequence[Row]) -> str:
    lines = [
        "| measure | store | figure | compared with | verdict |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        cells = (row.measure, row.backend, row.figure, row.compared_with, row.verdict)
        lines.append("| " + " | ".join(_markdown_cell(cell) for cell in cells) + " |")
    return "\n".join(lines)


def profile_text(profile: cProfile.Profile | Path) -> str:
    """The top entries by cumulative time, then by own time, of a profiler or of a profile
    dumped to a file by another process; paths are shortened to the modules'."""
    stream = io.StringIO()
    source = profile if isinstance(profile, cProfile.Profile) else str(profile)
    stats = pstats.Stats(source, stream=stream)
    stats.sort_stats("cumulative").print_stats(PROFILE_ENTRIES)
    stats.sort_stats("tottime").print_stats(OWN_TIME_ENTRIES)
    return shorten(stream.getvalue())


def shorten(text: str) -> str:
    """`text` without the dump's file name and with the repository's and site-packages' paths
    cut, so each entry names its module."""
    libraries = [*site.getsitepackages(), sysconfig.get_paths()["stdlib"]]
    prefixes = [f"{REPO}/", *(f"{path}/" for path in libraries)]
    lines = []
    for line in text.splitlines():
        if not line.strip() or ".prof" in line or line.lstrip().startswith("List reduced"):
            continue
        for prefix in prefixes:
            line = line.replace(prefix, "")
        lines.append(line.rstrip())
    return "\n".join(lines)


def kept_sections(out: Path) -> str | None:
    """The hand-written sections of an earlier RESULTS.md, from the first `## ` heading this
    script does not write to the end; None when there are none."""
    if not out.exists():
        return None
    lines = out.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if line.startswith("## ") and line.rstrip() not in GENERATED_SECTIONS:
            return "\n".join(lines[number:]).rstrip() + "\n"
    return None


def write_markdown(
    out: Path,
    *,
    command: str,
    started: str,
    duration_seconds: float,
    machine: Sequence[tuple[str, str]],
    rows: Sequence[Row],
    profiles: Sequence[Profile],
    notes: Sequence[str],
) -> None:
    """Writes RESULTS.md: the machine, the figures, the targets' verdicts and the profiles of
    the targets missed; hand-written sections already there are kept, after these."""
    kept = kept_sections(out)
    parts = [
        "# riskledger benchmark results",
        "",
        f"Written by `{command}` on {started}, in {duration_seconds / 60:.1f} minutes. "
        "Regenerate with `python bench/run.py` (README, Benchmarks).",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *(f"| {what} | {_markdown_cell(value)} |" for what, value in machine),
        "",
        "## Figures",
        "",
        markdown_table(rows),
        "",
        "## How they were measured",
        "",
        *(f"- {note}" for note in notes),
        "",
    ]
    if profiles:
        parts += ["## Profiles of the targets missed", ""]
        for profile in profiles:
            parts += [f"### {profile.title}", "", "```", profile.text, "```", ""]
    if kept is not None:
        parts.append(kept)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(parts).rstrip() + "\n", encoding="utf-8")

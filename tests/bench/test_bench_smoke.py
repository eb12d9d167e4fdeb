"""bench/run.py keeps working: a tiny run on SQLite prints every figure and writes its
results. No figure is judged here; speed is the benchmark's business, not the tests'."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"

# Every measure a SQLite run with an as-of ledger reports, in the table and in RESULTS.md.
MEASURES = (
    "loan book",
    "import: events/s",
    "import: peak RSS",
    "raw write of the same rows: rows/s",
    "import ÷ raw write",
    "eventsourcing, 1 aggregate per save: events/s",
    "import ÷ eventsourcing 1 aggregate per save",
    "eventsourcing, 500 aggregates per save: events/s",
    "rebuild of every read model: events/s",
    "read-and-decode scan: events/s",
    "rebuild ÷ scan",
    "report pools",
    "report pools --as-of 2024-12-31",
    "report products",
    "report products --as-of 2024-12-31",
    "top-up import: events/s",
    "catch-up of the top-up's events: events/s",
    "as-of ledger: events",
    "as-of ledger: report pools --as-of 2024-12-31",
    "as-of ledger: report products --as-of 2024-12-31",
    "as-of report p95, worst of pools and products",
    "as-of ledger: riskledger report pools --format json",
    "as-of ledger: riskledger report pools --as-of 2024-12-31 --format json",
    "as-of ledger: riskledger report products --format json",
    "as-of ledger: riskledger report products --as-of 2024-12-31 --format json",
)
TARGETS = ("import: events/s", "import: peak RSS", "rebuild of every read model: events/s")


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """bench/run.py as a module, its sibling modules importable as the script finds them."""
    monkeypatch.syspath_prepend(str(BENCH))
    return importlib.import_module("run")


def _row(text: str, measure: str) -> list[str]:
    """The cells of the markdown table row for `measure`."""
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if line.startswith("|") and cells[0] == measure:
            return cells
    raise AssertionError(f"no row {measure!r} in RESULTS.md")


def test_a_tiny_run_prints_every_figure_and_writes_the_results_with_the_machine(
    bench: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "RESULTS.md"
    work = tmp_path / "work"
    code = bench.main(
        [
            "--quick",
            "--loans",
            "120",
            "--backends",
            "sqlite",
            "--as-of-events",
            "1200",
            "--report-runs",
            "2",
            "--baseline-events",
            "200",
            "--profile-loans",
            "40",
            "--out",
            str(out),
            "--workdir",
            str(work),
        ]
    )

    assert code == 0
    printed = capsys.readouterr().out
    written = out.read_text(encoding="utf-8")
    printed_measures = {line.split("  ")[0] for line in printed.splitlines()}
    for measure in MEASURES:
        assert measure in printed_measures, f"{measure!r} not printed"
        _row(written, measure)
    for measure in TARGETS:
        assert re.match(r"(met|MISSED)", _row(written, measure)[4]), measure
    # The figures are this run's: every loan of the book landed, and the as-of ledger was
    # topped up past the size asked for.
    assert "120 of 120 loans imported, 0 refused" in _row(written, "import: events/s")[2]
    assert int(_row(written, "as-of ledger: events")[2].replace(",", "")) >= 1200
    for what in ("| CPU |", "| cores |", "| RAM |", "| Python |", "| SQLite |"):
        assert what in written
    # A missed target comes with its profile; the run's files are gone afterwards.
    if "MISSED" in _row(written, "import: events/s")[4]:
        assert "### import of 40 loans" in written
    assert list(work.iterdir()) == []


def test_a_new_run_rewrites_its_own_sections_and_keeps_the_hand_written_ones(
    bench: ModuleType, tmp_path: Path
) -> None:
    results = importlib.import_module("results")
    out = tmp_path / "RESULTS.md"

    def write(figure: str, profile: str) -> None:
        results.write_markdown(
            out,
            command="python bench/run.py",
            started="2025-01-01T00:00:00+08:00",
            duration_seconds=60.0,
            machine=[("CPU", "test")],
            rows=[results.Row("import: events/s", "sqlite", figure)],
            profiles=[results.Profile("import", profile)],
            notes=["a note"],
        )

    write("1,000", "first profile")
    hand_written = (
        "## Analysis\n\nThe fold is the bottleneck.\n\n"
        "## Concurrency\n\n| writers | events/s |\n|---|---|\n| 8 | 900 |\n"
    )
    out.write_text(out.read_text() + "\n" + hand_written)
    write("2,000", "second profile")

    text = out.read_text()
    assert "| import: events/s | sqlite | 2,000 |" in text
    assert "1,000" not in text
    assert "second profile" in text
    assert "first profile" not in text
    assert text.endswith(hand_written)
    assert text.count("## Profiles of the targets missed") == 1

"""Who may act as fund manager, and refusals that stay on one line whatever was typed."""

from __future__ import annotations


def test_only_the_first_operator_registers_itself(programme):
    count = programme.event_count()
    refused = programme("institution add ROGUE --kind operator --name 冒充的科技局", acting_as=None)
    assert refused.exit_code == 2
    (line,) = refused.output.splitlines()
    assert line.startswith("error: --as: ")
    assert programme.event_count() == count
    added = programme.ok("institution add SZ-CZJ2 --kind operator --name 苏州市财政局科技处")
    assert added.stdout == "institution SZ-CZJ2 registered (operator)\n"


def test_a_reason_typed_over_several_lines_is_refused_on_one_line(programme):
    programme.ok(
        'enterprise blacklist 91320505MA1ABCDE09 --reason "失信\n被执行人" --date 2024-01-10'
    )
    count = programme.event_count()
    refused = programme(
        "loan register --bank ICBC-SZ --loan L9 --uscc 91320505MA1ABCDE09 --product SKD "
        "--principal 100万 --rate 3.85% --term 12 --start 2024-02-01 "
        "--revenue 100万"
    )
    assert refused.exit_code == 2
    (line,) = refused.output.splitlines()
    assert "失信 被执行人" in line
    assert programme.event_count() == count

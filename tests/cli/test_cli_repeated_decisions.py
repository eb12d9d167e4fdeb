"""The fund manager's decisions typed again (R14): the same approval prints the same burdens
`(already approved)`, the same rejection `already rejected`, a payment of paid legs says so;
none stores anything. Another amount, reason or day is one `error:` line, exit 2."""

from __future__ import annotations

import pytest

REFUSED = 2
APPROVE = "claim approve --bank ICBC-SZ --loan L001 --date 2024-11-20"
REJECT = "claim reject --bank ICBC-SZ --loan L001 --reason 材料不全 --date 2024-11-20"
BURDENS = "burdens: pool.province 700,000.00, pool.city 700,000.00, bank 600,000.00"
# The manual session's loan L001, 200万 outstanding at its default, and the bank's claim.
UP_TO_FILING = [
    "loan register --bank ICBC-SZ --loan L001 --uscc 91320505MA1ABCDE09 --product SKD "
    "--principal 300万 --rate 3.85% --term 12 --start 2024-02-01 --first-loan",
    "loan disburse --bank ICBC-SZ --loan L001 --amount 300万 --ref D1 --date 2024-02-01",
    "loan repay --bank ICBC-SZ --loan L001 --principal 100万 --interest 28,875.00 "
    "--ref R1 --date 2024-05-01",
    "loan default --bank ICBC-SZ --loan L001 --reason 逾期90天 --date 2024-11-01",
    "claim file --bank ICBC-SZ --loan L001 --date 2024-11-10",
]
UP_TO_APPROVAL = [*UP_TO_FILING, (APPROVE, BURDENS)]


def _refused(riskledger, command: str, field: str) -> str:
    count = riskledger.event_count()
    result = riskledger(command)
    assert result.exit_code == REFUSED, result.output
    (line,) = result.output.splitlines()
    assert line.startswith(f"error: {field}: "), line
    assert riskledger.event_count() == count
    return line


@pytest.mark.parametrize("again", [APPROVE, f"{APPROVE} --amount 200万"])
def test_the_same_approval_again_prints_its_burdens_and_stores_nothing(programme, again):
    programme.run_all(UP_TO_APPROVAL)
    count = programme.event_count()

    result = programme.ok(again)

    assert result.stdout.splitlines() == [
        "claim on ICBC-SZ/L001 approved: 2,000,000.00 (already approved)",
        BURDENS,
    ]
    assert programme.event_count() == count


def test_another_amount_or_day_for_the_approved_claim_is_a_conflict(programme):
    programme.run_all(UP_TO_APPROVAL)
    line = _refused(programme, f"{APPROVE} --amount 100万", "amount")
    assert "approved for 2,000,000.00 on 2024-11-20, not 1,000,000.00" in line
    _refused(programme, APPROVE.replace("2024-11-20", "2024-11-21"), "date")


def test_the_same_rejection_again_stores_nothing_and_another_reason_is_a_conflict(programme):
    programme.run_all(UP_TO_FILING)
    assert programme.ok(REJECT).stdout == "claim on ICBC-SZ/L001 rejected: 材料不全\n"
    count = programme.event_count()

    assert programme.ok(REJECT).stdout == "claim on ICBC-SZ/L001 already rejected: 材料不全\n"
    assert programme.event_count() == count
    line = _refused(programme, REJECT.replace("材料不全", "用途不符"), "reason")
    assert "rejected on 2024-11-20 because '材料不全', not '用途不符'" in line
    _refused(programme, REJECT.replace("2024-11-20", "2024-11-21"), "date")


def test_paying_a_claim_whose_legs_are_all_paid_says_so_and_stores_nothing(
    recovered_programme,
):
    count = recovered_programme.event_count()

    result = recovered_programme.ok("claim pay --bank ICBC-SZ --loan L001 --date 2024-12-01")

    assert (
        result.stdout == "every leg of the claim on ICBC-SZ/L001 is already paid: nothing to pay\n"
    )
    assert recovered_programme.event_count() == count
    # The settled claim approved again the same way is still the same answer.
    assert recovered_programme.ok(APPROVE).stdout.splitlines()[1] == BURDENS
    assert recovered_programme.event_count() == count

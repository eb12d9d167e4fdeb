Feature: A repeated command changes nothing (R14)
  Every command a bank sends carries its own reference. Sent again with the same content, it
  is recognised and answered as the first time, and nothing new is written. The same
  reference with different content is a conflict: refused, with the field that names it.

  Background:
    Given the direct product 苏科贷 shares each approved loss as follows:
      | party         | share |
      | province pool | 35%   |
      | city pool     | 35%   |
      | bank          | 30%   |
    And the risk pools of 苏科贷 are opened and funded:
      | pool          | funded by    | funds         |
      | province pool | 江苏省财政厅 | 10,000,000.00 |
      | city pool     | 苏州市财政局 | 10,000,000.00 |
    And ICBC lent 3,000,000.00 to 苏州云帆智能科技有限公司 under 苏科贷 as loan L1 on 2024-02-01

  Scenario: Registering the same loan reference twice finds the first registration
    When ICBC registers loan L1 of 3,000,000.00 to 苏州云帆智能科技有限公司 under 苏科贷 on 2024-02-01
    Then the answer is loan L1 as first registered, not a new loan
    And nothing is written to the ledger
    And loan L1 is active with 3,000,000.00 outstanding

  Scenario: The same loan reference with a different principal is a conflict
    When ICBC registers loan L1 of 5,000,000.00 to 苏州云帆智能科技有限公司 under 苏科贷 on 2024-02-01
    Then the command is refused as a conflict on the field "principal"
    And the reason says "ICBC loan L1 is already registered with another principal"
    And nothing is written to the ledger
    And loan L1 has a principal of 3,000,000.00

  Scenario: A repeated repayment reference is recorded once
    Given ICBC received a repayment on loan L1 of 500,000.00 principal and 10,000.00 interest on 2024-05-01 under reference R-0501
    When ICBC records a repayment on loan L1 of 500,000.00 principal and 10,000.00 interest on 2024-05-01 under reference R-0501
    Then the ledger answers that it was already recorded
    And nothing is written to the ledger
    And loan L1 is active with 2,500,000.00 outstanding

  Scenario: A repayment reference used again for another amount is a conflict
    Given ICBC received a repayment on loan L1 of 500,000.00 principal and 10,000.00 interest on 2024-05-01 under reference R-0501
    When ICBC records a repayment on loan L1 of 400,000.00 principal and 10,000.00 interest on 2024-05-01 under reference R-0501
    Then the command is refused as a conflict on the field "ref"
    And nothing is written to the ledger
    And loan L1 is active with 2,500,000.00 outstanding

  Scenario: A repeated claim reference finds the claim already filed
    Given ICBC declared loan L1 in default on 2024-09-01
    And ICBC filed a claim on loan L1 on 2024-09-10 under reference C-1
    When ICBC files a claim on loan L1 on 2024-09-10 under reference C-1
    Then the answer is the claim C-1 on loan L1 as first filed, not a new claim
    And nothing is written to the ledger

  Scenario: A repeated recovery reference is shared back once
    Given ICBC declared loan L1 in default on 2024-09-01
    And ICBC filed a claim on loan L1 on 2024-09-10
    And the fund manager approved 3,000,000.00 of the claim on loan L1 on 2024-09-20
    And the fund manager paid the legs of the claim on loan L1 on 2024-09-25
    And ICBC recorded a recovery of 100,000.00 on loan L1 on 2025-01-05 under reference REC-1
    When ICBC records a recovery of 100,000.00 on loan L1 on 2025-01-05 under reference REC-1
    Then the ledger answers that it was already recorded
    And nothing is written to the ledger
    And the recoveries on loan L1 total 100,000.00
    And the risk pools of 苏科贷 hold:
      | pool          | balance      |
      | province pool | 8,985,000.00 |
      | city pool     | 8,985,000.00 |

  Scenario: The same approval sent again is answered with the burdens first fixed
    Given ICBC declared loan L1 in default on 2024-09-01
    And ICBC filed a claim on loan L1 on 2024-09-10
    And the fund manager approved 3,000,000.00 of the claim on loan L1 on 2024-09-20
    When the fund manager approves the claim on loan L1 in full on 2024-09-20
    Then the answer is the burdens of the claim on loan L1 as first approved
    And nothing is written to the ledger
    And the burdens of the claim on loan L1 are:
      | party         | burden       |
      | province pool | 1,050,000.00 |
      | city pool     | 1,050,000.00 |
      | bank          | 900,000.00   |

  Scenario: Approving the approved claim for another amount is a conflict
    Given ICBC declared loan L1 in default on 2024-09-01
    And ICBC filed a claim on loan L1 on 2024-09-10
    And the fund manager approved 3,000,000.00 of the claim on loan L1 on 2024-09-20
    When the fund manager approves 2,000,000.00 of the claim on loan L1 on 2024-09-20
    Then the command is refused as a conflict on the field "amount"
    And the reason says "the claim was approved for 3,000,000.00 on 2024-09-20, not 2,000,000.00"
    And nothing is written to the ledger
    When the fund manager approves 3,000,000.00 of the claim on loan L1 on 2024-09-21
    Then the command is refused as a conflict on the field "date"
    And nothing is written to the ledger
    And the burdens of the claim on loan L1 are:
      | party         | burden       |
      | province pool | 1,050,000.00 |
      | city pool     | 1,050,000.00 |
      | bank          | 900,000.00   |

  Scenario: The same rejection sent again changes nothing
    Given ICBC declared loan L1 in default on 2024-09-01
    And ICBC filed a claim on loan L1 on 2024-09-10
    And the fund manager rejected the claim on loan L1 on 2024-09-20 because "贷款用途不符"
    When the fund manager rejects the claim on loan L1 on 2024-09-20 because "贷款用途不符"
    Then the ledger answers that it was already recorded
    And nothing is written to the ledger

  Scenario: Rejecting the rejected claim for another reason is a conflict
    Given ICBC declared loan L1 in default on 2024-09-01
    And ICBC filed a claim on loan L1 on 2024-09-10
    And the fund manager rejected the claim on loan L1 on 2024-09-20 because "贷款用途不符"
    When the fund manager rejects the claim on loan L1 on 2024-09-20 because "材料不全"
    Then the command is refused as a conflict on the field "reason"
    And the reason says "because '贷款用途不符', not '材料不全'"
    And nothing is written to the ledger

Feature: One 苏科贷 loan from registration to recovery
  A bank registers a loan to a technology enterprise, pays it out and takes repayments. When
  the enterprise cannot pay, the bank declares the default and files a claim within the
  window (R6, R7). The fund manager approves the loss; the pools pay their legs (R8, R9);
  money recovered later is shared back (R11). A command the rules refuse names the field at
  fault and writes nothing.

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

  Scenario: A loan is lent, repaid in part, defaults, is compensated and recovered
    When ICBC registers loan L1 of 3,000,000.00 to 苏州云帆智能科技有限公司 under 苏科贷 on 2024-02-01
    Then loan L1 is registered with 0.00 outstanding
    When ICBC disburses 3,000,000.00 on loan L1 on 2024-02-01 under reference D-1
    Then loan L1 is active with 3,000,000.00 outstanding
    When ICBC records a repayment on loan L1 of 1,000,000.00 principal and 30,000.00 interest on 2024-05-01 under reference R-1
    Then loan L1 is active with 2,000,000.00 outstanding
    When ICBC declares loan L1 in default on 2024-09-01 because "90 days overdue"
    Then loan L1 is defaulted with 2,000,000.00 outstanding
    When ICBC files a claim on loan L1 on 2024-09-10 under reference C-1
    Then the claim on loan L1 is filed with a loss base of 2,000,000.00
    When the fund manager approves the claim on loan L1 in full on 2024-09-20
    Then the burdens of the claim on loan L1 are:
      | party         | burden     |
      | province pool | 700,000.00 |
      | city pool     | 700,000.00 |
      | bank          | 600,000.00 |
    When the fund manager pays the legs of the claim on loan L1 on 2024-09-25
    Then these legs of the claim on loan L1 are paid to ICBC:
      | payer         | amount     |
      | province pool | 700,000.00 |
      | city pool     | 700,000.00 |
    And the claim on loan L1 is settled
    And the risk pools of 苏科贷 hold:
      | pool          | balance      |
      | province pool | 9,300,000.00 |
      | city pool     | 9,300,000.00 |
    When ICBC records a recovery of 500,000.00 on loan L1 on 2025-01-05 under reference REC-1
    Then the recovery on loan L1 is shared back as follows:
      | party         | this recovery | recovered so far | burden     |
      | province pool | 175,000.00    | 175,000.00       | 700,000.00 |
      | city pool     | 175,000.00    | 175,000.00       | 700,000.00 |
      | bank          | 150,000.00    | 150,000.00       | 600,000.00 |
    And the risk pools of 苏科贷 hold:
      | pool          | balance      |
      | province pool | 9,475,000.00 |
      | city pool     | 9,475,000.00 |

  Scenario: Repaying more principal than is outstanding is refused
    Given ICBC lent 3,000,000.00 to 苏州云帆智能科技有限公司 under 苏科贷 as loan L1 on 2024-02-01
    And ICBC received a repayment on loan L1 of 1,000,000.00 principal and 30,000.00 interest on 2024-05-01 under reference R-1
    When ICBC records a repayment on loan L1 of 2,000,000.01 principal and 0.00 interest on 2024-06-01 under reference R-2
    Then the command is refused on the field "principal"
    And the reason says "more than the outstanding 2,000,000.00"
    And nothing is written to the ledger
    And loan L1 is active with 2,000,000.00 outstanding

  Scenario: A claim on a loan that is not in default is refused (R7)
    Given ICBC lent 3,000,000.00 to 苏州云帆智能科技有限公司 under 苏科贷 as loan L1 on 2024-02-01
    When ICBC files a claim on loan L1 on 2024-09-10 under reference C-1
    Then the command is refused under rule R7 on the field "loan"
    And the reason says "L1 is active, not in default"
    And nothing is written to the ledger
    And loan L1 is active with 3,000,000.00 outstanding

  Scenario Outline: A claim is accepted up to the 180th day after the default and refused after (R7)
    Given ICBC lent 3,000,000.00 to 苏州云帆智能科技有限公司 under 苏科贷 as loan L1 on 2024-02-01
    And ICBC declared loan L1 in default on 2024-09-01
    When ICBC files a claim on loan L1 on <filed on> under reference C-1
    Then the claim on loan L1 is filed with a loss base of 3,000,000.00

    Examples: within the window
      | filed on   | days after the default |
      | 2024-09-01 | 0                      |
      | 2025-02-28 | 180                    |

  Scenario: A claim filed on the 181st day after the default is refused (R7)
    Given ICBC lent 3,000,000.00 to 苏州云帆智能科技有限公司 under 苏科贷 as loan L1 on 2024-02-01
    And ICBC declared loan L1 in default on 2024-09-01
    When ICBC files a claim on loan L1 on 2025-03-01 under reference C-1
    Then the command is refused under rule R7 on the field "date"
    And the reason says "filed 181 days after default; the window is 180 days"
    And nothing is written to the ledger
    And loan L1 has no open claim

  Scenario: Approving more than the loss base is refused (R7)
    Given ICBC lent 3,000,000.00 to 苏州云帆智能科技有限公司 under 苏科贷 as loan L1 on 2024-02-01
    And ICBC received a repayment on loan L1 of 1,000,000.00 principal and 30,000.00 interest on 2024-05-01 under reference R-1
    And ICBC declared loan L1 in default on 2024-09-01
    And ICBC filed a claim on loan L1 on 2024-09-10
    When the fund manager approves 2,000,000.01 of the claim on loan L1 on 2024-09-20
    Then the command is refused under rule R7 on the field "amount"
    And the reason says "2,000,000.01 exceeds the loss base 2,000,000.00"
    And nothing is written to the ledger
    And the claim on loan L1 is filed

  Scenario: Paying a leg of a claim not yet approved is refused (R9)
    Given ICBC lent 3,000,000.00 to 苏州云帆智能科技有限公司 under 苏科贷 as loan L1 on 2024-02-01
    And ICBC declared loan L1 in default on 2024-09-01
    And ICBC filed a claim on loan L1 on 2024-09-10
    When the fund manager pays the province pool's leg of the claim on loan L1 on 2024-09-25
    Then the command is refused under rule R9 on the field "claim"
    And the reason says "the claim is filed; legs follow approval"
    And nothing is written to the ledger
    And the risk pools of 苏科贷 hold:
      | pool          | balance       |
      | province pool | 10,000,000.00 |
      | city pool     | 10,000,000.00 |

Feature: Guaranteed loans: the guarantee, its fees, the 代偿, the guarantor's claim and its legs
  科创贷 follows the "4321" model. A guarantee company guarantees each loan, within the
  product's bounds on coverage and fees (R16, R17). When a loan defaults the guarantor pays
  the bank everything but the bank's burden: its 代偿. Only then may it file the claim
  (R7). Once the fund manager approves the loss, the 代偿 counts as the guarantor's leg to
  the bank, and the county pool and the re-guarantor pay the guarantor their burdens (R9).
  The shares are the product's; a guarantee must cover at least the part of a loss they put
  on everyone but the bank, and its 代偿 never goes beyond what it covers.

  Background:
    Given the guaranteed product 科创贷 shares each approved loss as follows:
      | party        | share |
      | guarantor    | 40%   |
      | re-guarantor | 30%   |
      | bank         | 20%   |
      | county pool  | 10%   |
    And 科创贷 bounds each guarantee as follows:
      | term             | bound |
      | least coverage   | 80%   |
      | most coverage    | 100%  |
      | guarantee fee    | 1%    |
      | re-guarantee fee | 0.5%  |
    And the risk pools of 科创贷 are opened and funded:
      | pool        | funded by    | funds        |
      | county pool | 昆山市财政局 | 5,000,000.00 |
    And ICBC lent 5,000,000.00 to 苏州云帆智能科技有限公司 under 科创贷 as loan K1 on 2024-02-01

  Scenario: A guarantee within the product's bounds is issued (R16, R17)
    When JSDB guarantees loan K1 on 2024-02-01 under contract DB-001:
      | term             | value |
      | coverage         | 80%   |
      | guarantee fee    | 1%    |
      | re-guarantor     | JSZDB |
      | re-guarantee fee | 0.5%  |
    Then the guarantee on loan K1 covers 4,000,000.00 of principal
    And the guarantee on loan K1 may take these fees over the loan's 12 months:
      | fee              | allowed   |
      | guarantee fee    | 40,000.00 |
      | re-guarantee fee | 20,000.00 |

  Scenario Outline: A guarantee outside the product's bounds is refused and nothing is written
    When JSDB guarantees loan K1 on 2024-02-01 under contract DB-001:
      | term             | value          |
      | coverage         | <coverage>     |
      | guarantee fee    | <fee>          |
      | re-guarantor     | <re-guarantor> |
      | re-guarantee fee | <re-fee>       |
    Then the command is refused under rule <rule> on the field "<field>"
    And the reason says "<reason>"
    And nothing is written to the ledger
    And loan K1 has no guarantee

    Examples:
      | coverage | fee   | re-guarantor | re-fee | rule | field           | reason                                                |
      | 70%      | 1%    | JSZDB        | 0.5%   | R16  | coverage        | 70.00% is outside 科创贷's bounds 80.00% to 100.00%   |
      | 80%      | 1.2%  | JSZDB        | 0.5%   | R17  | fee_rate        | a guarantee fee rate of 1.20% exceeds 科创贷's cap of 1.00% |
      | 80%      | 1%    | JSZDB        | 0.6%   | R17  | reguarantee_fee | a re-guarantee fee rate of 0.60% exceeds 科创贷's cap of 0.50% |
      | 80%      | 1%    | none         | none   | R9   | reguarantor     | 科创贷 shares losses with a re-guarantor: name it     |

  Scenario: Fees are recorded up to what the fee rate allows, once per reference (R17, R14)
    Given JSDB guaranteed loan K1 on 2024-02-01 under contract DB-001 covering 80%
    And JSDB recorded a guarantee fee of 30,000.00 on loan K1 on 2024-02-01 under reference FEE-1
    When JSDB records a guarantee fee of 30,000.00 on loan K1 on 2024-02-01 under reference FEE-1
    Then nothing is written to the ledger
    When JSDB records a guarantee fee of 10,000.01 on loan K1 on 2024-08-01 under reference FEE-2
    Then the command is refused under rule R17 on the field "amount"
    And the reason says "guarantee fees would total 40,000.01, more than the 40,000.00"
    And nothing is written to the ledger
    When JSDB records a guarantee fee of 10,000.00 on loan K1 on 2024-08-01 under reference FEE-2
    Then the guarantee on loan K1 has taken 40,000.00 of guarantee fees

  Scenario: The guarantor files only after its 代偿, and the bank does not file at all (R7)
    Given JSDB guaranteed loan K1 on 2024-02-01 under contract DB-001 covering 80%
    And ICBC received a repayment on loan K1 of 1,000,000.00 principal and 0.00 interest on 2024-08-01 under reference R1
    And ICBC declared loan K1 in default on 2024-12-01
    When ICBC files a claim on loan K1 on 2024-12-10 under reference C1
    Then the command is refused under rule R7 on the field "guarantor"
    And the reason says "its guarantor files, after its 代偿"
    And nothing is written to the ledger
    When JSDB files its claim on loan K1 on 2024-12-10 under reference C1
    Then the command is refused under rule R7 on the field "guarantor"
    And the reason says "only after its 代偿 to the bank"
    And nothing is written to the ledger

  Scenario: The 代偿, the claim and the legs that reimburse the guarantor (R9)
    Given JSDB guaranteed loan K1 on 2024-02-01 under contract DB-001 covering 80%
    And ICBC received a repayment on loan K1 of 1,000,000.00 principal and 0.00 interest on 2024-08-01 under reference R1
    And ICBC declared loan K1 in default on 2024-12-01
    When JSDB pays ICBC its 代偿 on loan K1 on 2024-12-05 under reference DC-1
    Then the 代偿 on loan K1 is 3,200,000.00
    When JSDB files its claim on loan K1 on 2024-12-10 under reference C1
    And the fund manager approves the claim on loan K1 in full on 2024-12-20
    Then the burdens of the claim on loan K1 are:
      | party        | burden       |
      | guarantor    | 1,600,000.00 |
      | re-guarantor | 1,200,000.00 |
      | bank         | 800,000.00   |
      | county pool  | 400,000.00   |
    And the legs of the claim on loan K1 are:
      | payer        | payee     | amount       | paid |
      | guarantor    | bank      | 3,200,000.00 | yes  |
      | re-guarantor | guarantor | 1,200,000.00 | no   |
      | county pool  | guarantor | 400,000.00   | no   |
    When the fund manager pays the legs of the claim on loan K1 on 2024-12-25
    Then the claim on loan K1 is settled
    And the guarantee on loan K1 has been reimbursed:
      | payer        | amount       |
      | re-guarantor | 1,200,000.00 |
      | county pool  | 400,000.00   |
    And the risk pools of 科创贷 hold:
      | pool        | balance      |
      | county pool | 4,600,000.00 |

  Scenario: A 代偿 beyond what the guarantee covers is refused (R16)
    Given JSDB guaranteed loan K1 on 2024-02-01 under contract DB-001 covering 80%
    And ICBC received a repayment on loan K1 of 1,000,000.00 principal and 0.00 interest on 2024-08-01 under reference R1
    And ICBC declared loan K1 in default on 2024-12-01
    When JSDB pays ICBC a 代偿 of 3,200,000.01 on loan K1 on 2024-12-05 under reference DC-1
    Then the command is refused under rule R16 on the field "amount"
    And the reason says "exceeds the 3,200,000.00 the guarantee covers"
    And nothing is written to the ledger

  Scenario: An approval that leaves the guarantor owing the bank more than its 代偿 is refused (R9)
    Given JSDB guaranteed loan K1 on 2024-02-01 under contract DB-001 covering 80%
    And ICBC received a repayment on loan K1 of 1,000,000.00 principal and 0.00 interest on 2024-08-01 under reference R1
    And ICBC declared loan K1 in default on 2024-12-01
    And JSDB paid ICBC a 代偿 of 3,000,000.00 on loan K1 on 2024-12-05 under reference DC-1
    And JSDB filed its claim on loan K1 on 2024-12-10 under reference C1
    When the fund manager approves the claim on loan K1 in full on 2024-12-20
    Then the command is refused under rule R9 on the field "amount"
    And the reason says "leaves 3,200,000.00 for the guarantor to pay, more than its 代偿 of 3,000,000.00"
    And nothing is written to the ledger
    And the claim on loan K1 is filed
    When the fund manager approves 3,750,000.00 of the claim on loan K1 on 2024-12-20
    Then the legs of the claim on loan K1 are:
      | payer        | payee     | amount       | paid |
      | guarantor    | bank      | 3,000,000.00 | yes  |
      | re-guarantor | guarantor | 1,125,000.00 | no   |
      | county pool  | guarantor | 375,000.00   | no   |

  Scenario: A guarantee is released when its loan is paid off, not before
    Given JSDB guaranteed loan K1 on 2024-02-01 under contract DB-001 covering 80%
    When JSDB releases the guarantee on loan K1 on 2024-06-01
    Then the command is refused under rule lifecycle on the field "loan"
    And the reason says "a guarantee is released when it is paid off"
    And nothing is written to the ledger
    Given ICBC received a repayment on loan K1 of 5,000,000.00 principal and 0.00 interest on 2025-02-01 under reference R1
    When JSDB releases the guarantee on loan K1 on 2025-02-01
    Then the guarantee on loan K1 is released

Feature: Splitting an approved loss into burdens, paid in legs from the pools
  A fund manager approves the loss on a defaulted 苏科贷 loan. The ledger splits it into
  burdens by the product's shares, exact to the fen: largest remainder, a tie going to the
  party listed first (R8). Every party other than the bank pays the bank its burden as a
  leg, and a pool pays its leg from its funds, never going below zero: a leg it cannot pay
  waits in its queue until funds arrive (R9, R10). The pools are funded before the bank
  lends, as leverage requires (R3).

  Background:
    Given the direct product 苏科贷 shares each approved loss as follows:
      | party         | share |
      | province pool | 35%   |
      | city pool     | 35%   |
      | bank          | 30%   |
    And the risk pools of 苏科贷 are opened and funded:
      | pool          | funded by    | funds         |
      | province pool | 江苏省财政厅 | 10,000,000.00 |
      | city pool     | 苏州市财政局 | 200,000.00    |
    And ICBC lent 3,000,000.00 to 苏州云帆智能科技有限公司 under 苏科贷 as loan L1 on 2024-02-01
    And ICBC declared loan L1 in default on 2024-09-01
    And ICBC filed a claim on loan L1 on 2024-09-10

  Scenario Outline: The approved loss is split by the shares, exact to the fen
    When the fund manager approves <loss> of the claim on loan L1 on 2024-09-20
    Then the burdens of the claim on loan L1 are:
      | party         | burden     |
      | province pool | <province> |
      | city pool     | <city>     |
      | bank          | <bank>     |
    And the claim on loan L1 is approved

    Examples: the last fen goes to the largest remainder, the province pool on a tie
      | loss         | province     | city         | bank       |
      | 3,000,000.00 | 1,050,000.00 | 1,050,000.00 | 900,000.00 |
      | 1,000,000.01 | 350,000.01   | 350,000.00   | 300,000.00 |
      | 1,000,000.02 | 350,000.01   | 350,000.01   | 300,000.00 |
      | 0.03         | 0.01         | 0.01         | 0.01       |
      | 0.01         | 0.01         | 0.00         | 0.00       |

  Scenario: The pools pay their legs to the bank, and the claim is settled
    Given 苏州市财政局 contributed 9,800,000.00 to the city pool of 苏科贷 on 2024-09-15 under reference SZ-2024-09
    And the fund manager approved 1,000,000.01 of the claim on loan L1 on 2024-09-20
    When the fund manager pays the legs of the claim on loan L1 on 2024-09-25
    Then these legs of the claim on loan L1 are paid to ICBC:
      | payer         | amount     |
      | province pool | 350,000.01 |
      | city pool     | 350,000.00 |
    And the claim on loan L1 is settled
    And the risk pools of 苏科贷 hold:
      | pool          | balance      |
      | province pool | 9,649,999.99 |
      | city pool     | 9,650,000.00 |

  Scenario: A leg the pool cannot cover waits in its queue and is paid when funds arrive (R10)
    Given the fund manager approved 1,000,000.01 of the claim on loan L1 on 2024-09-20
    When the fund manager pays the legs of the claim on loan L1 on 2024-09-25
    Then these legs of the claim on loan L1 are paid to ICBC:
      | payer         | amount     |
      | province pool | 350,000.01 |
    And these legs of the claim on loan L1 wait in the pools' queues:
      | payer     | amount     |
      | city pool | 350,000.00 |
    And the claim on loan L1 is approved
    And the risk pools of 苏科贷 hold:
      | pool          | balance      |
      | province pool | 9,649,999.99 |
      | city pool     | 200,000.00   |
    When 苏州市财政局 contributes 150,000.00 to the city pool of 苏科贷 on 2024-10-08 under reference SZ-2024-10
    Then the city pool's leg of the claim on loan L1 was paid on 2024-10-08
    And no leg of the claim on loan L1 waits in the pools' queues
    And the claim on loan L1 is settled
    And the risk pools of 苏科贷 hold:
      | pool          | balance      |
      | province pool | 9,649,999.99 |
      | city pool     | 0.00         |

  Scenario: Naming a leg that already waits in the queue is refused and nothing is written (R10)
    Given the fund manager approved 1,000,000.01 of the claim on loan L1 on 2024-09-20
    And the fund manager paid the legs of the claim on loan L1 on 2024-09-25
    When the fund manager pays the city pool's leg of the claim on loan L1 on 2024-09-30
    Then the command is refused under rule R10 on the field "party"
    And the reason says "has waited in 苏科贷-city's queue since 2024-09-25"
    And nothing is written to the ledger
    And these legs of the claim on loan L1 wait in the pools' queues:
      | payer     | amount     |
      | city pool | 350,000.00 |
    And the risk pools of 苏科贷 hold:
      | pool          | balance       |
      | province pool | 9,649,999.99  |
      | city pool     | 200,000.00    |

  Scenario: The pool that was short pays its leg once it is topped up
    Given the fund manager approved 1,000,000.01 of the claim on loan L1 on 2024-09-20
    When the fund manager pays the province pool's leg of the claim on loan L1 on 2024-09-25
    Then these legs of the claim on loan L1 are paid to ICBC:
      | payer         | amount     |
      | province pool | 350,000.01 |
    And the claim on loan L1 is approved
    When 苏州市财政局 contributes 150,000.00 to the city pool of 苏科贷 on 2024-10-08 under reference SZ-2024-10
    And the fund manager pays the legs of the claim on loan L1 on 2024-10-09
    Then these legs of the claim on loan L1 are paid to ICBC:
      | payer     | amount     |
      | city pool | 350,000.00 |
    And the claim on loan L1 is settled
    And the risk pools of 苏科贷 hold:
      | pool          | balance      |
      | province pool | 9,649,999.99 |
      | city pool     | 0.00         |

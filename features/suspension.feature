Feature: The circuit breaker: banks suspended on their NPL ratio, products stopped on a cap (R4)
  At each close of business, after the loans are classified, the ledger works out for each
  bank its NPL ratio under each product: the outstanding principal of its loans classified
  次级, 可疑 or 损失, over all its outstanding principal under the product. A bank at or
  above the suspend threshold may register no new loans under the product until its ratio
  falls below the lower resume threshold. A product stops taking new loans from every bank
  when its compensation rate (principal compensated over principal covered) or its overdue
  ratio (outstanding past due by even a day, over all outstanding) reaches its cap.

  Background:
    Given the direct product 苏科贷 has these terms:
      | term                                 | value |
      | share of the province pool           | 35%   |
      | share of the city pool               | 35%   |
      | share of the bank                    | 30%   |
      | NPL ratio suspending a bank          | 5%    |
      | NPL ratio below which a bank resumes | 3%    |
    And the risk pools of 苏科贷 are opened and funded:
      | pool          | funded by    | funds         |
      | province pool | 江苏省财政厅 | 10,000,000.00 |
      | city pool     | 苏州市财政局 | 10,000,000.00 |
    # L2 pays no interest: its first instalment fell due on 2024-02-01, 91 days before 2024-05-02.
    And ICBC lent 500,000.00 to 苏州云帆智能科技有限公司 under 苏科贷 as loan L2 on 2024-01-01
    # L1's first instalment falls due on 2024-05-10: it is current throughout.
    And ICBC registered loan L1 of 20,000,000.00 to 苏州青禾生物科技有限公司 under 苏科贷 on 2024-04-10 and disbursed 9,500,000.00 of it

  Scenario: A bank whose NPL ratio reaches 5% is suspended at close of business, and its new loan is refused
    Given the business day 2024-05-01 was closed
    When the business day 2024-05-02 closes
    Then the close of business changed the circuit breaker as follows:
      | product | change                                   |
      | 苏科贷  | ICBC suspended (NPL ratio 5.00% ≥ 5.00%) |
    And the banks under 苏科贷 stand as follows on 2024-05-02:
      | bank | outstanding   | NPL        | NPL ratio | state     |
      | ICBC | 10,000,000.00 | 500,000.00 | 5.00%     | suspended |
    When ICBC registers loan L3 of 1,000,000.00 to 苏州青禾生物科技有限公司 under 苏科贷 on 2024-05-03
    Then the command is refused under rule R4 on the field "bank"
    And the reason says "ICBC's new loans under 苏科贷 are suspended since 2024-05-02: its NPL ratio was 5.00%, at or above the 5.00% suspend threshold; they resume when it falls below 3.00%"
    And nothing is written to the ledger
    When BOC registers loan B1 of 1,000,000.00 to 苏州青禾生物科技有限公司 under 苏科贷 on 2024-05-03
    Then loan B1 is registered

  Scenario: A bank just under 5% keeps lending
    Given ICBC disbursed 10,000.00 more of loan L1 on 2024-04-20 under reference L1-D2
    When the business day 2024-05-02 closes
    Then the close of business changed no circuit breaker
    And the banks under 苏科贷 stand as follows on 2024-05-02:
      | bank | outstanding   | NPL        | NPL ratio | state  |
      | ICBC | 10,010,000.00 | 500,000.00 | 4.99%     | active |
    When ICBC registers loan L3 of 1,000,000.00 to 苏州青禾生物科技有限公司 under 苏科贷 on 2024-05-03
    Then loan L3 is registered

  Scenario: A suspended bank stays suspended at 4% and resumes only below 3%
    Given the business day 2024-05-02 was closed
    And ICBC disbursed 2,500,000.00 more of loan L1 on 2024-05-06 under reference L1-D2
    When the business day 2024-05-06 closes
    Then the close of business changed no circuit breaker
    And the banks under 苏科贷 stand as follows on 2024-05-06:
      | bank | outstanding   | NPL        | NPL ratio | state     |
      | ICBC | 12,500,000.00 | 500,000.00 | 4.00%     | suspended |
    When ICBC registers loan L3 of 1,000,000.00 to 苏州青禾生物科技有限公司 under 苏科贷 on 2024-05-07
    Then the command is refused under rule R4 on the field "bank"
    And nothing is written to the ledger
    Given ICBC disbursed 5,000,000.00 more of loan L1 on 2024-05-08 under reference L1-D3
    When the business day 2024-05-08 closes
    Then the close of business changed the circuit breaker as follows:
      | product | change                                 |
      | 苏科贷  | ICBC resumed (NPL ratio 2.85% < 3.00%) |
    And the banks under 苏科贷 stand as follows on 2024-05-08:
      | bank | outstanding   | NPL        | NPL ratio | state  |
      | ICBC | 17,500,000.00 | 500,000.00 | 2.85%     | active |
    When ICBC registers loan L3 of 1,000,000.00 to 苏州青禾生物科技有限公司 under 苏科贷 on 2024-05-09
    Then loan L3 is registered

  Scenario: Closing the same business day again changes nothing
    Given the business day 2024-05-02 was closed
    When the business day 2024-05-02 closes
    Then nothing is written to the ledger
    And the banks under 苏科贷 stand as follows on 2024-05-02:
      | bank | outstanding   | NPL        | NPL ratio | state     |
      | ICBC | 10,000,000.00 | 500,000.00 | 5.00%     | suspended |

  Scenario Outline: 科技保 stops taking new loans when its overdue ratio reaches 10%
    Given the insured product 科技保 has these terms:
      | term                               | value |
      | share of the insurer               | 70%   |
      | share of the bank                  | 30%   |
      | overdue ratio stopping the product | 10%   |
    # K2's first instalment fell due on 2024-04-01 and is unpaid: it is 14 days past due.
    And BOC lent 1,000,000.00 to 苏州云帆智能科技有限公司 under 科技保 as loan K2 on 2024-03-01
    And ICBC lent <current> to 苏州青禾生物科技有限公司 under 科技保 as loan K1 on 2024-04-10
    When the business day 2024-04-15 closes
    Then 科技保 is <state> on 2024-04-15 with an overdue ratio of <ratio>

    Examples:
      | current      | ratio  | state   |
      | 9,010,000.00 | 9.99%  | open    |
      | 9,000,000.00 | 10.00% | stopped |

  Scenario: A stopped product refuses every bank's new loans, and restarts once the arrears are paid
    Given the insured product 科技保 has these terms:
      | term                               | value |
      | share of the insurer               | 70%   |
      | share of the bank                  | 30%   |
      | overdue ratio stopping the product | 10%   |
    And BOC lent 1,000,000.00 to 苏州云帆智能科技有限公司 under 科技保 as loan K2 on 2024-03-01
    And ICBC lent 9,000,000.00 to 苏州青禾生物科技有限公司 under 科技保 as loan K1 on 2024-04-10
    When the business day 2024-04-15 closes
    Then the close of business changed the circuit breaker as follows:
      | product | change                                 |
      | 科技保  | stopped (overdue ratio 10.00% ≥ 10.00%) |
    When ICBC registers loan K3 of 1,000,000.00 to 苏州青禾生物科技有限公司 under 科技保 on 2024-04-16
    Then the command is refused under rule R4 on the field "product"
    And the reason says "科技保 stopped taking new loans on 2024-04-15: its overdue ratio 10.00% reached the cap of 10.00%"
    And nothing is written to the ledger
    Given BOC received a repayment on loan K2 of 0.00 principal and 5,000.00 interest on 2024-04-18 under reference K2-I1
    When the business day 2024-04-18 closes
    Then the close of business changed the circuit breaker as follows:
      | product | change                                 |
      | 科技保  | restarted (overdue ratio 0.00% < 10.00%) |
    When ICBC registers loan K3 of 1,000,000.00 to 苏州青禾生物科技有限公司 under 科技保 on 2024-04-19
    Then loan K3 is registered

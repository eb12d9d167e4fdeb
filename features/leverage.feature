Feature: Leverage: a product covers at most a multiple of its pools' funds (R3)
  A product's covered outstanding principal is every registered loan's principal, drawn or
  not (the pools stand behind the whole commitment), less the principal its borrower has
  repaid, and less what is left of a loan once its claim is approved. It may never exceed
  the product's leverage multiple times the funds its risk pools hold. The check is saved
  together with the registration, so two registrations racing for the last headroom cannot
  both land: the second is decided again on the ledger as the first left it.

  Background:
    Given the direct product 苏科贷 has these terms:
      | term                       | value |
      | share of the province pool | 35%   |
      | share of the city pool     | 35%   |
      | share of the bank          | 30%   |
      | leverage multiple          | 10    |
    And the risk pools of 苏科贷 are opened and funded:
      | pool          | funded by    | funds      |
      | province pool | 江苏省财政厅 | 600,000.00 |
      | city pool     | 苏州市财政局 | 400,000.00 |
    And ICBC lent 6,000,000.00 to 苏州云帆智能科技有限公司 under 苏科贷 as loan L1 on 2024-02-01

  Scenario: Loans up to 10× the pools' funds are registered, to the last fen
    When BOC registers loan B1 of 4,000,000.00 to 苏州青禾生物科技有限公司 under 苏科贷 on 2024-02-15
    Then loan B1 is registered
    And 苏科贷's leverage stands as follows:
      | pool funds   | limit         | covered       | headroom |
      | 1,000,000.00 | 10,000,000.00 | 10,000,000.00 | 0.00     |

  Scenario: A loan that would take the product past 10× is refused, with the amounts, and nothing is written
    When BOC registers loan B1 of 4,000,000.01 to 苏州青禾生物科技有限公司 under 苏科贷 on 2024-02-15
    Then the command is refused under rule R3 on the field "principal"
    And the reason says "苏科贷 covers 6,000,000.00 already; with 4,000,000.01 more it would cover 10,000,000.01, above 10× its pools' funds of 1,000,000.00 (10,000,000.00); 4,000,000.00 of headroom is left"
    And nothing is written to the ledger
    And 苏科贷's leverage stands as follows:
      | pool funds   | limit         | covered      | headroom     |
      | 1,000,000.00 | 10,000,000.00 | 6,000,000.00 | 4,000,000.00 |

  Scenario: Principal a borrower repays frees headroom for new loans
    Given ICBC received a repayment on loan L1 of 1,000,000.00 principal and 60,000.00 interest on 2024-06-01 under reference R-0601
    When BOC registers loan B1 of 5,000,000.00 to 苏州青禾生物科技有限公司 under 苏科贷 on 2024-06-03
    Then loan B1 is registered
    And 苏科贷's leverage stands as follows:
      | pool funds   | limit         | covered       | headroom |
      | 1,000,000.00 | 10,000,000.00 | 10,000,000.00 | 0.00     |

  Scenario: Principal registered but not yet disbursed takes headroom too
    Given ICBC registered loan L2 of 3,000,000.00 to 苏州云帆智能科技有限公司 under 苏科贷 on 2024-03-01, none of it disbursed yet
    When BOC registers loan B1 of 1,000,000.01 to 苏州青禾生物科技有限公司 under 苏科贷 on 2024-03-05
    Then the command is refused under rule R3 on the field "principal"
    And the reason says "苏科贷 covers 9,000,000.00 already"
    And nothing is written to the ledger

  Scenario: A loan whose claim is approved stops using headroom
    Given ICBC declared loan L1 in default on 2024-09-01
    And ICBC filed a claim on loan L1 on 2024-09-10
    And the fund manager approved 6,000,000.00 of the claim on loan L1 on 2024-09-20
    When BOC registers loan B1 of 10,000,000.00 to 苏州青禾生物科技有限公司 under 苏科贷 on 2024-09-23
    Then loan B1 is registered
    And 苏科贷's leverage stands as follows:
      | pool funds   | limit         | covered       | headroom |
      | 1,000,000.00 | 10,000,000.00 | 10,000,000.00 | 0.00     |

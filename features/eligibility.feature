Feature: Who may borrow, and on what terms (R1, R2)
  A product lends only to enterprises holding one of its qualifications on the loan's start
  date and not blacklisted (R1). A loan keeps within the product's limits: the per-loan cap,
  the per-enterprise cap on what it owes under the product, the longest term, and a rate cap
  that is absolute or the 1-year LPR in force on the start date plus a spread (R2). A refused
  registration names the rule and the field, and writes nothing.

  Background:
    Given the product 苏科贷 is defined with these terms:
      | term                              | value                                          |
      | structure                         | "direct"                                       |
      | shares                            | {"pool.province" = 3500, "pool.city" = 3500, bank = 3000} |
      | eligibility.qualifications        | ["高新技术企业", "科技型中小企业"]             |
      | limits.max_principal              | "500万"                                        |
      | limits.max_enterprise_outstanding | "800万"                                        |
      | limits.max_term_months            | 36                                             |
      | limits.lpr_spread                 | "40bp"                                         |
    And the risk pools of 苏科贷 are opened and funded:
      | pool          | funded by    | funds         |
      | province pool | 江苏省财政厅 | 10,000,000.00 |
      | city pool     | 苏州市财政局 | 10,000,000.00 |
    And the 1-year LPR from 2024-01-22 is 3.45%
    And 苏州云帆智能科技有限公司 holds 高新技术企业 from 2023-01-01 to 2025-12-31

  Scenario: A qualified enterprise borrows at the LPR plus the spread
    When ICBC registers loan L1 of 3,000,000.00 to 苏州云帆智能科技有限公司 under 苏科贷 on 2024-02-01 at 3.85% for 12 months
    Then loan L1 is registered with 0.00 outstanding

  Scenario: An enterprise whose qualification lapsed before the start date is refused (R1)
    When ICBC registers loan L1 of 3,000,000.00 to 苏州云帆智能科技有限公司 under 苏科贷 on 2026-01-05 at 3.85% for 12 months
    Then the command is refused under rule R1 on the field "uscc"
    And the reason says "holds none of 高新技术企业, 科技型中小企业 on 2026-01-05"
    And nothing is written to the ledger

  Scenario: An enterprise without any of the product's qualifications is refused (R1)
    When ICBC registers loan L1 of 1,000,000.00 to 苏州无证贸易有限公司 under 苏科贷 on 2024-02-01 at 3.85% for 12 months
    Then the command is refused under rule R1 on the field "uscc"
    And nothing is written to the ledger

  Scenario: A blacklisted enterprise is refused until it is cleared (R1)
    Given 苏州云帆智能科技有限公司 was blacklisted on 2024-01-15 because "失信被执行人"
    When ICBC registers loan L1 of 1,000,000.00 to 苏州云帆智能科技有限公司 under 苏科贷 on 2024-02-01 at 3.85% for 12 months
    Then the command is refused under rule R1 on the field "uscc"
    And the reason says "blacklisted on 2024-02-01: 失信被执行人"
    And nothing is written to the ledger
    Given 苏州云帆智能科技有限公司 was cleared on 2024-03-01
    When ICBC registers loan L1 of 1,000,000.00 to 苏州云帆智能科技有限公司 under 苏科贷 on 2024-03-05 at 3.85% for 12 months
    Then loan L1 is registered with 0.00 outstanding

  Scenario Outline: Each limit of the product refuses a loan beyond it (R2)
    When ICBC registers loan L1 of <principal> to 苏州云帆智能科技有限公司 under 苏科贷 on <start> at <rate> for <months> months
    Then the command is refused under rule R2 on the field "<field>"
    And the reason says "<reason>"
    And nothing is written to the ledger

    Examples:
      | principal    | start      | rate  | months | field     | reason                                 |
      | 5,000,000.01 | 2024-02-01 | 3.85% | 12     | principal | exceeds 苏科贷's per-loan cap          |
      | 3,000,000.00 | 2024-02-01 | 3.86% | 12     | rate      | 3.86% is above 苏科贷's cap of 3.85%   |
      | 3,000,000.00 | 2024-01-10 | 3.50% | 12     | rate      | no 1-year LPR is recorded on or before |
      | 3,000,000.00 | 2024-02-01 | 3.85% | 48     | term      | 48 months exceeds 苏科贷's maximum     |

  Scenario: What an enterprise owes under the product stays within the per-enterprise cap (R2)
    Given ICBC lent 5,000,000.00 to 苏州云帆智能科技有限公司 under 苏科贷 as loan L1 on 2024-02-01
    When ABC registers loan L2 of 3,000,000.01 to 苏州云帆智能科技有限公司 under 苏科贷 on 2024-03-01 at 3.85% for 12 months
    Then the command is refused under rule R2 on the field "principal"
    And the reason says "would owe 8,000,000.01 under 苏科贷, above the per-enterprise cap of 8,000,000.00"
    And nothing is written to the ledger
    Given ICBC received a repayment on loan L1 of 1,000,000.00 principal and 0.00 interest on 2024-04-01 under reference R-1
    When ABC registers loan L2 of 3,000,000.01 to 苏州云帆智能科技有限公司 under 苏科贷 on 2024-04-02 at 3.85% for 12 months
    Then loan L2 is registered with 0.00 outstanding

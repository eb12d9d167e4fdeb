Feature: A loan keeps the terms in force on its start date (R15)
  A programme revises a product's terms from a later date: new loans take the new version,
  loans already lent keep the version in force on their start date, whatever happens later.
  A revision that does not take effect after the latest version is refused and writes
  nothing, and so is a loan starting before the product's first terms.

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
    And ICBC lent 1,000,000.00 to 苏州云帆智能科技有限公司 under 苏科贷 as loan L1 on 2024-06-01

  Scenario: A revision applies to later loans only
    When the fund manager revises 苏科贷 from 2025-01-01 to share each approved loss as follows:
      | party         | share |
      | province pool | 40%   |
      | city pool     | 40%   |
      | bank          | 20%   |
    And ICBC registers loan L2 of 1,000,000.00 to 苏州云帆智能科技有限公司 under 苏科贷 on 2025-02-01
    Then loan L1 keeps terms version 1 of 苏科贷
    And loan L2 keeps terms version 2 of 苏科贷
    Given ICBC declared loan L1 in default on 2025-03-01
    And ICBC filed a claim on loan L1 on 2025-03-10
    When the fund manager approves the claim on loan L1 in full on 2025-03-20
    Then the burdens of the claim on loan L1 are:
      | party         | burden     |
      | province pool | 350,000.00 |
      | city pool     | 350,000.00 |
      | bank          | 300,000.00 |

  Scenario: A revision that does not take effect after the latest version is refused (R15)
    When the fund manager revises 苏科贷 from 2024-01-01 to share each approved loss as follows:
      | party         | share |
      | province pool | 40%   |
      | city pool     | 40%   |
      | bank          | 20%   |
    Then the command is refused under rule R15 on the field "effective_from"
    And nothing is written to the ledger

  Scenario: A loan starting before the product's first terms is refused (R15)
    When ICBC registers loan L3 of 1,000,000.00 to 苏州云帆智能科技有限公司 under 苏科贷 on 2023-12-01
    Then the command is refused under rule R15 on the field "start_date"
    And nothing is written to the ledger

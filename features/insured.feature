Feature: Insured loans: the policy, its premiums, and the insurer's leg of a claim
  科技保 is a 政银保 product: an insurer insures each loan with a loan-guarantee policy,
  within the product's bounds on coverage and premium (R16, R17). When a loan defaults the
  bank files the claim while the policy is in force (R7); once the fund manager approves
  the loss, the insurer pays the bank its burden and the policy records the claim paid (R9).

  Background:
    Given the insured product 科技保 shares each approved loss as follows:
      | party   | share |
      | insurer | 70%   |
      | bank    | 30%   |
    And 科技保 bounds each policy as follows:
      | term           | bound |
      | least coverage | 70%   |
      | most coverage  | 100%  |
      | premium        | 2.7%  |
    And ICBC lent 3,000,000.00 to 苏州云帆智能科技有限公司 under 科技保 as loan B1 on 2024-03-01

  Scenario: A policy within the product's bounds is issued, and premiums are capped by its rate (R16, R17)
    When PICC insures loan B1 on 2024-03-01 under policy P-001 covering 70% at a premium of 2.5% a year
    Then the policy on loan B1 insures 2,100,000.00 of principal and may take 52,500.00 of premiums
    When PICC records a premium of 52,500.00 on loan B1 on 2024-03-01 under reference PR-1
    And PICC records a premium of 0.01 on loan B1 on 2024-09-01 under reference PR-2
    Then the command is refused under rule R17 on the field "amount"
    And the reason says "premiums would total 52,500.01, more than the 52,500.00"
    And nothing is written to the ledger

  Scenario Outline: A policy outside the product's bounds is refused and nothing is written
    When PICC insures loan B1 on 2024-03-01 under policy P-001 covering <coverage> at a premium of <premium> a year
    Then the command is refused under rule <rule> on the field "<field>"
    And the reason says "<reason>"
    And nothing is written to the ledger

    Examples:
      | coverage | premium | rule | field        | reason                                               |
      | 60%      | 2.5%    | R16  | coverage     | 60.00% is outside 科技保's bounds 70.00% to 100.00%  |
      | 70%      | 3%      | R17  | premium_rate | a premium rate of 3.00% exceeds 科技保's cap of 2.70% |

  Scenario: The bank files, and the insurer pays the bank its burden (R7, R9)
    Given PICC insured loan B1 on 2024-03-01 under policy P-001 covering 70% at a premium of 2.5% a year
    And ICBC declared loan B1 in default on 2024-10-01
    And ICBC filed a claim on loan B1 on 2024-10-10
    When the fund manager approves the claim on loan B1 in full on 2024-10-20
    Then the burdens of the claim on loan B1 are:
      | party   | burden       |
      | insurer | 2,100,000.00 |
      | bank    | 900,000.00   |
    And the legs of the claim on loan B1 are:
      | payer   | payee | amount       | paid |
      | insurer | bank  | 2,100,000.00 | no   |
    When the fund manager pays the legs of the claim on loan B1 on 2024-10-25
    Then these legs of the claim on loan B1 are paid to ICBC:
      | payer   | amount       |
      | insurer | 2,100,000.00 |
    And the claim on loan B1 is settled
    And the policy on loan B1 has paid claims of 2,100,000.00

  Scenario: A loan whose policy lapsed before its default cannot be claimed under 科技保 (R7)
    Given PICC insured loan B1 on 2024-03-01 under policy P-001 covering 70% at a premium of 2.5% a year
    And PICC let the policy on loan B1 lapse on 2024-06-01 because 保费未缴
    And ICBC declared loan B1 in default on 2024-10-01
    When ICBC files a claim on loan B1 on 2024-10-10 under reference C1
    Then the command is refused under rule R7 on the field "policy"
    And the reason says "policy P-001 lapsed on 2024-06-01"
    And nothing is written to the ledger

  Scenario: A policy cannot lapse once the loss it insures has happened
    Given PICC insured loan B1 on 2024-03-01 under policy P-001 covering 70% at a premium of 2.5% a year
    And ICBC declared loan B1 in default on 2024-10-01
    When PICC lets the policy on loan B1 lapse on 2024-10-02 because 保费未缴
    Then the command is refused under rule lifecycle on the field "loan"
    And the reason says "the policy must answer the loss it insures"
    And nothing is written to the ledger

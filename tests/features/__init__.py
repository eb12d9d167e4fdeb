"""Step definitions for the Gherkin features in features/, run against a real ledger."""

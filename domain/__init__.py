"""The riskledger domain: aggregates, events, value objects and rules. Pure Python, no I/O."""

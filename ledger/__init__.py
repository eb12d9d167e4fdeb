"""The riskledger application: commands, persistence settings and idempotency."""

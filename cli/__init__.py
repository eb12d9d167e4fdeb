"""The riskledger command line: parses, calls the ledger and the projections, prints."""

"""Read models built from the event log, and the reports printed from them."""

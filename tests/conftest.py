"""Settings for the whole suite."""

from __future__ import annotations

from hypothesis import settings

# Property tests measure correctness, not speed: on a loaded 2-core CI machine a per-example
# deadline only produces flaky failures (speed is measured by bench/, never by tests).
settings.register_profile("riskledger", deadline=None)
settings.load_profile("riskledger")

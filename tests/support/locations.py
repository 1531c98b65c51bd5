"""Where the repository and the test data are, for every test wherever it sits."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
"""The checkout: ``intents/``, ``responses/``, ``deploy/`` and ``bot/`` are here."""

DATA = REPO / "tests" / "data"
"""The labelled files and the voice clips."""

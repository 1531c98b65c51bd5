"""Shared helpers: paths, the question set, percentiles and resource readings."""

from __future__ import annotations

import math
import resource
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.content import Content, load_content

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "data" / "questions.yml"
CONVERSATIONS = ROOT / "tests" / "data" / "conversations.yml"
SAFETY = ROOT / "tests" / "data" / "safety.yml"
TESTS_DIR = ROOT / "tests" / "support"


@dataclass(frozen=True)
class Question:
    """A labelled question from ``tests/data/questions.yml``."""

    q: str
    want: tuple[str, ...]


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    """Read the labelled question set."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for entry in data:
        want = entry["want"]
        out.append(Question(entry["q"], tuple([want] if isinstance(want, str) else want)))
    return out


def bundled_content() -> Content:
    """The project's own ``intents/`` and ``responses/``."""
    return load_content(ROOT / "intents", ROOT / "responses")


def percentile(values: list[float], pct: float) -> float:
    """The ``pct`` percentile (0-100) by the nearest-rank method; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = min(max(1, math.ceil(len(ordered) * pct / 100)), len(ordered))
    return ordered[rank - 1]


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size of this process in MB, from ``/proc/self/status``.

    Falls back to ``getrusage`` for the peak (and 0 for the current size) off Linux.
    """
    current = peak = 0.0
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                current = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) / 1024
    except OSError:
        scale = 1024 * 1024 if sys.platform == "darwin" else 1024
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale
    return current, peak


def ensure_tests_on_path() -> None:
    """Make ``tests/support/fake_bot_api.py`` importable (the one place ``sys.path`` is touched)."""
    if str(TESTS_DIR) not in sys.path:
        sys.path.insert(0, str(TESTS_DIR))

"""Matcher latency and scale: per-message time, index build time and memory at N x content."""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import dataclass

from bench.common import percentile
from bench.report import Table
from bench.synthetic import scaled_content
from bot.content import Content
from bot.matching import Analyzer, Matcher
from bot.safety import Outcome, SafetyScreen
from bot.text import clear_caches as clear_word_caches
from bot.text import sentences


@dataclass(frozen=True)
class ScaleResult:
    """Measurements at one content size.

    Attributes:
        factor: Content multiplier (1 = the real content).
        intents: Intents indexed.
        examples: Examples indexed.
        build_s: Median index build time (``Matcher(content)``), seconds.
        build_peak_mb: Peak Python allocation during one build (tracemalloc), MB.
        index_mb: Memory the built index keeps (tracemalloc), MB.
        warm_us: Per-message times with warm caches, microseconds.
        cold_us: Per-message times on first sight (word caches cleared), microseconds.
    """

    factor: int
    intents: int
    examples: int
    build_s: float
    build_peak_mb: float
    index_mb: float
    warm_us: list[float]
    cold_us: list[float]


def clear_caches(screen: SafetyScreen | None = None, matcher: Matcher | None = None) -> None:
    """Forget every memoised word (folded words, typo corrections, screen words, stems)."""
    if screen is not None:
        screen.forget_words()
    if matcher is not None:
        matcher.forget_words()
    Analyzer._closest.cache_clear()
    Analyzer._word.cache_clear()
    clear_word_caches()


WARM_PASSES = 3
"""Measured passes over the messages in the steady state (each message keeps its best)."""


@dataclass(frozen=True)
class _Pipeline:
    """What every message passes through: the safety screen, then the matcher."""

    screen: SafetyScreen
    matcher: Matcher


def _build(content: Content) -> _Pipeline:
    return _Pipeline(SafetyScreen.from_content(content), Matcher(content))


def _time_each(
    pipeline: _Pipeline, messages: Sequence[str], *, as_answered: bool = False
) -> list[float]:
    """Split, screen and decide each message once, one at a time; microseconds per message.

    Args:
        pipeline: The screen and the matcher.
        messages: Raw messages.
        as_answered: Decide only when the screen leaves the message to the matcher, as the
            dialogue does (urgent symptoms, a crisis and questions about the signs are
            answered by the screen's outcome alone); by default every message is decided.
    """
    out: list[float] = []
    clock = time.perf_counter_ns
    assess, decide = pipeline.screen.assess, pipeline.matcher.decide
    for message in messages:
        start = clock()
        split = sentences(message)
        if assess(message, split).outcome not in SCREEN_ANSWERS or not as_answered:
            decide(message, split)
        out.append((clock() - start) / 1000)
    return out


SCREEN_ANSWERS = frozenset({Outcome.URGENT, Outcome.CRISIS, Outcome.ASKING})
"""Outcomes the dialogue answers without the matcher."""


def measure_scale(
    content: Content, factor: int, messages: Sequence[str], build_repeats: int = 3
) -> ScaleResult:
    """Build the screen and matcher over ``factor`` x ``content`` and time it on ``messages``.

    Args:
        content: The real content.
        factor: Size multiplier (synthetic intents, see :mod:`bench.synthetic`).
        messages: Raw messages to decide.
        build_repeats: Builds to time (the median is reported).

    Returns:
        The measurements.
    """
    scaled = scaled_content(content, factor)
    builds: list[float] = []
    pipeline: _Pipeline | None = None
    for _ in range(max(1, build_repeats)):
        pipeline = None
        clear_caches()
        gc.collect()
        start = time.perf_counter()
        pipeline = _build(scaled)
        builds.append(time.perf_counter() - start)
    assert pipeline is not None

    # Memory: one more build under tracemalloc (slower, so not timed).
    del pipeline
    clear_caches()
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    pipeline = _build(scaled)
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    # First sight: no word seen before (the index itself was built above).
    clear_caches(pipeline.screen, pipeline.matcher)
    cold = _time_each(pipeline, messages)
    # Steady state: a warm-up pass, then three measured passes; each message keeps its
    # fastest time, so a hiccup of the (shared) machine does not pass for the pipeline's tail.
    _time_each(pipeline, messages)
    gc.collect()
    passes = [_time_each(pipeline, messages) for _ in range(WARM_PASSES)]
    warm = [min(times) for times in zip(*passes, strict=True)]
    result = ScaleResult(
        factor=factor,
        intents=len(scaled.intents),
        examples=sum(len(i.examples) for i in scaled.intents.values()),
        build_s=statistics.median(builds),
        build_peak_mb=(peak - base) / 1e6,
        index_mb=(current - base) / 1e6,
        warm_us=warm,
        cold_us=cold,
    )
    del pipeline
    clear_caches()
    gc.collect()
    return result


def run_latency(
    content: Content, messages: Sequence[str], factors: Sequence[int]
) -> tuple[Table, list[ScaleResult]]:
    """Measure every scale and tabulate it."""
    results = [
        measure_scale(content, f, messages, build_repeats=5 if f == 1 else 3 if f <= 10 else 1)
        for f in factors
    ]
    table = Table(
        "Matcher latency and scale",
        [
            "content",
            "intents",
            "examples",
            "p50 us",
            "p99 us",
            "max us",
            "first-sight p50 us",
            "first-sight p99 us",
            "build ms",
            "build peak MB",
            "index MB",
        ],
    )
    for r in results:
        table.add(
            f"{r.factor}x",
            r.intents,
            r.examples,
            f"{percentile(r.warm_us, 50):.0f}",
            f"{percentile(r.warm_us, 99):.0f}",
            f"{max(r.warm_us):.0f}",
            f"{percentile(r.cold_us, 50):.0f}",
            f"{percentile(r.cold_us, 99):.0f}",
            f"{r.build_s * 1000:.0f}",
            f"{r.build_peak_mb:.1f}",
            f"{r.index_mb:.1f}",
        )
    table.notes.append(
        f"{len(messages)} messages (tests/data/questions.yml), one at a time through "
        "bot.text.sentences, SafetyScreen.assess and Matcher.decide (split and normalise once, "
        "safety screen, read, candidates, decision). p50/p99 after a "
        f"warm-up pass, each message's best of {WARM_PASSES} passes; first-sight = the same "
        "messages with the word caches (typo corrections, screen words, stems, folded words) "
        "cleared. Synthetic intents: bench/synthetic.py."
    )
    return table, results


LENGTH_ROWS: tuple[tuple[str, int, int, float], ...] = (
    # label, more than, at most (characters), p99 goal in microseconds
    ("up to 100 chars", 0, 100, 1000.0),
    ("101-600 chars", 100, 600, 1000.0),
    ("all up to 600 chars", 0, 600, 1000.0),
    ("601-1,500 chars", 600, 1500, 5000.0),
    ("1,501-4,096 chars", 1500, 4096, 5000.0),
)


def long_messages(texts: Sequence[str], limit: int = 4096, count: int = 40) -> list[str]:
    """Messages of nearly ``limit`` characters, each made of real messages one after another."""
    out: list[str] = []
    pool = [t for t in texts if t.strip()]
    for start in range(min(count, len(pool))):
        parts: list[str] = []
        size = 0
        i = start
        while True:
            text = pool[i % len(pool)].strip()
            if size + len(text) + 1 > limit:
                break
            parts.append(text)
            size += len(text) + 1
            i += 7
        out.append(" ".join(parts))
    return out


def run_length_latency(content: Content, messages: Sequence[str]) -> Table:
    """Screen + matcher time by message length, against the goals (1x content)."""
    pipeline = _build(content)

    def best_of(as_answered: bool) -> list[float]:
        _time_each(pipeline, messages, as_answered=as_answered)  # warm-up
        passes = [
            _time_each(pipeline, messages, as_answered=as_answered) for _ in range(WARM_PASSES)
        ]
        return [min(times) for times in zip(*passes, strict=True)]

    both, answered = best_of(False), best_of(True)
    table = Table(
        "Screen + matcher latency by message length",
        [
            "length",
            "messages",
            "p50 us",
            "p99 us",
            "max us",
            "p99 goal us",
            "met",
            "p99 as answered us",
        ],
    )
    for label, low, high, goal in LENGTH_ROWS:
        rows = [i for i, m in enumerate(messages) if low < len(m) <= high]
        if not rows:
            table.add(label, 0, "-", "-", "-", f"{goal:.0f}", "-", "-")
            continue
        times = [both[i] for i in rows]
        p99 = percentile(times, 99)
        table.add(
            label,
            len(times),
            f"{percentile(times, 50):.0f}",
            f"{p99:.0f}",
            f"{max(times):.0f}",
            f"{goal:.0f}",
            "yes" if p99 <= goal else "NO",
            f"{percentile([answered[i] for i in rows], 99):.0f}",
        )
    table.notes.append(
        "The messages of tests/data/questions.yml, conversations.yml and safety.yml, plus "
        "messages of nearly 4,096 characters (Telegram's limit) made of them. Each message's "
        f"best of {WARM_PASSES} passes after a warm-up, one at a time through "
        "bot.text.sentences, SafetyScreen.assess and Matcher.decide. The goals hold for "
        "every message screened and decided; 'as answered' skips the matcher where the "
        "dialogue does (urgent symptoms, a crisis, questions about the signs)."
    )
    return table

"""The authors' report: what people ask, and what the bot cannot answer yet.

``sciatica-bot report [--days N] [--json]`` reads the anonymous tables of the
:class:`~bot.store.Store` (opened read-only): answers per intent, typed questions against
button presses, the fallback rate and red flags per day (typed messages describing urgent
symptoms; presses of the urgent-symptoms button are counted only as presses), and the
unanswered questions grouped by similarity (largest group first), each group with an
example and the intent it came closest to. The groups are a to-do list for whoever edits
``intents/``. Questions handed to the clinic are counted, with how long their first answer
took (median and 90th percentile), never their texts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process, utils

from bot.store import HandoverStat, Store, TicketStore, UnansweredRow

ANSWER_KINDS = frozenset({"answer", "red_flag"})
"""Reply kinds that answer a topic."""

GROUP_SIMILARITY = 70.0
"""Least ``token_sort_ratio`` between a question and its group's first question."""


@dataclass(frozen=True)
class Day:
    """One day's totals."""

    day: dt.date
    messages: int
    typed: int
    buttons: int
    fallbacks: int
    did_you_mean: int
    red_flags: int

    @property
    def fallback_rate(self) -> float:
        """Share of typed messages that got the fallback, in percent."""
        return 100.0 * self.fallbacks / self.typed if self.typed else 0.0


@dataclass(frozen=True)
class Group:
    """Similar unanswered questions.

    Attributes:
        size: How many times they were asked (repeats on one day count).
        example: The most asked question of the group.
        suggested_intent: The intent the group's questions came closest to, if any.
        questions: Every distinct question of the group, most asked first.
    """

    size: int
    example: str
    suggested_intent: str | None
    questions: tuple[str, ...]


@dataclass(frozen=True)
class UsageReport:
    """Everything ``sciatica-bot report`` shows."""

    since: dt.date
    until: dt.date
    days: tuple[Day, ...]
    per_intent: tuple[tuple[str, int], ...]
    groups: tuple[Group, ...]
    totals: dict[str, int] = field(default_factory=dict)
    handover: Handovers | None = None

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "totals": self.totals,
            "answers_per_intent": dict(self.per_intent),
            "days": [
                {
                    "day": d.day.isoformat(),
                    "messages": d.messages,
                    "typed": d.typed,
                    "buttons": d.buttons,
                    "fallbacks": d.fallbacks,
                    "did_you_mean": d.did_you_mean,
                    "fallback_rate": round(d.fallback_rate, 1),
                    "red_flags": d.red_flags,
                }
                for d in self.days
            ],
            "questions_to_the_clinic": self.handover.to_json() if self.handover else None,
            "unanswered_groups": [
                {
                    "size": g.size,
                    "example": g.example,
                    "suggested_intent": g.suggested_intent,
                    "questions": list(g.questions),
                }
                for g in self.groups
            ],
        }

    def to_text(self, max_groups: int = 20) -> str:
        """The report as plain-text tables."""
        t = self.totals
        lines = [
            f"Report {self.since} to {self.until}",
            "",
            f"messages {t['messages']}  typed {t['typed']}  buttons {t['buttons']}  "
            f"commands {t['commands']}  fallbacks {t['fallbacks']} "
            f"({_rate(t['fallbacks'], t['typed'])} of typed)  red flags {t['red_flags']}",
            "",
            "Answers per intent",
        ]
        if self.per_intent:
            width = max(len(name) for name, _ in self.per_intent)
            lines += [f"  {name:<{width}}  {count:>6}" for name, count in self.per_intent]
        else:
            lines.append("  (none)")
        lines += ["", "Per day", "  day         messages  typed  buttons  fallback  red flags"]
        for d in self.days:
            lines.append(
                f"  {d.day}  {d.messages:>8}  {d.typed:>5}  {d.buttons:>7}  "
                f"{d.fallback_rate:>7.1f}%  {d.red_flags:>9}"
            )
        if not self.days:
            lines.append("  (no messages)")
        if self.handover is not None:
            lines += ["", *self.handover.to_text()]
        lines += ["", "Unanswered questions, most asked first (a to-do list for intents/)"]
        for number, group in enumerate(self.groups[:max_groups], start=1):
            suggestion = group.suggested_intent or "a new intent?"
            lines.append(f"  {number:>2}. x{group.size}  {group.example!r}  -> {suggestion}")
            for other in group.questions[1:4]:
                lines.append(f"        also: {other!r}")
            if len(group.questions) > 4:
                lines.append(f"        and {len(group.questions) - 4} more")
        if len(self.groups) > max_groups:
            lines.append(f"  ... {len(self.groups) - max_groups} more groups (use --json)")
        if not self.groups:
            lines.append("  (none)")
        return "\n".join(lines)


@dataclass(frozen=True)
class Handovers:
    """Questions handed to the clinic over the report's days.

    Attributes:
        sent: Questions posted to the staff group.
        urgent: Of those, how many described urgent symptoms.
        answered: Questions that got a first answer (on a day of the report).
        median_seconds: Median time to the first answer; ``None`` without answers.
        p90_seconds: 90th percentile (nearest rank) of the same.
    """

    sent: int
    urgent: int
    answered: int
    median_seconds: float | None
    p90_seconds: float | None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data."""
        return dataclasses.asdict(self)

    def to_text(self) -> list[str]:
        """Plain-text lines."""
        line = f"  sent {self.sent}  urgent {self.urgent}  answered {self.answered}"
        if self.median_seconds is not None and self.p90_seconds is not None:
            line += (
                f"  first answer after: median {_duration(self.median_seconds)}, "
                f"90% within {_duration(self.p90_seconds)}"
            )
        return ["Questions to the clinic", line]


def summarise_handovers(stats: list[HandoverStat]) -> Handovers:
    """Count hand-over events and the times to a first answer."""
    waits = sorted(s.seconds for s in stats if s.event == "answered" and s.seconds is not None)
    median = None
    p90 = None
    if waits:
        middle = len(waits) // 2
        median = float(waits[middle]) if len(waits) % 2 else (waits[middle - 1] + waits[middle]) / 2
        p90 = float(waits[math.ceil(0.9 * len(waits)) - 1])
    return Handovers(
        sent=sum(s.event == "opened" for s in stats),
        urgent=sum(s.event == "urgent" for s in stats),
        answered=sum(s.event == "answered" for s in stats),
        median_seconds=median,
        p90_seconds=p90,
    )


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _rate(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "0.0%"


def group_questions(
    rows: list[UnansweredRow], progress: Callable[[int, int], object] | None = None
) -> list[Group]:
    """Group similar questions, largest group first.

    The most asked ungrouped question starts a group and takes every ungrouped question
    within :data:`GROUP_SIMILARITY` of it (``token_sort_ratio`` on rapidfuzz's
    ``default_process``). The suggested intent is the top candidate most of the group's
    questions had.

    Args:
        rows: Unanswered questions (the same text on several days is merged).
        progress: Called with (questions grouped, questions in all) after each group.

    Returns:
        The groups.
    """
    asked: Counter[str] = Counter()
    near: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        asked[row.text] += row.count
        if row.top_intent:
            near[row.text][row.top_intent] += row.count
    ungrouped = dict.fromkeys(sorted(asked, key=lambda text: (-asked[text], text)))
    groups: list[Group] = []
    while ungrouped:
        leader = next(iter(ungrouped))
        members = [leader]
        del ungrouped[leader]
        if ungrouped:
            similar = process.extract(
                leader,
                list(ungrouped),
                scorer=fuzz.token_sort_ratio,
                processor=utils.default_process,
                score_cutoff=GROUP_SIMILARITY,
                limit=None,
            )
            for text, _, _ in similar:
                members.append(text)
                del ungrouped[text]
        members.sort(key=lambda text: (-asked[text], text))
        votes: Counter[str] = Counter()
        for text in members:
            votes.update(near[text])
        if progress is not None:
            progress(len(asked) - len(ungrouped), len(asked))
        groups.append(
            Group(
                size=sum(asked[text] for text in members),
                example=members[0],
                suggested_intent=votes.most_common(1)[0][0] if votes else None,
                questions=tuple(members),
            )
        )
    groups.sort(key=lambda g: (-g.size, g.example))
    return groups


def build_report(
    store: Store,
    days: int,
    today: dt.date | None = None,
    progress: Callable[[int, int], object] | None = None,
) -> UsageReport:
    """Read the store and build the report over the last ``days`` days (today included).

    Args:
        store: The bot's store.
        days: How many days to cover.
        today: The last day (default: the store's today).
        progress: Passed to :func:`group_questions` (the long part over many days).
    """
    until = today or store.today()
    since = until - dt.timedelta(days=days - 1)
    per_day: dict[dt.date, Counter[str]] = defaultdict(Counter)
    per_intent: Counter[str] = Counter()
    for row in store.stats(since):
        counts = per_day[row.day]
        counts["messages"] += row.count
        counts[row.source] += row.count
        if row.kind == "red_flag" and row.source != "typed":
            # A press of the urgent-symptoms button (or a deep link to it) is not a message
            # describing urgent symptoms, and a forged payload looks just like a real one:
            # it counts as a press, never as a red flag.
            continue
        counts[row.kind] += row.count
        if row.kind in ANSWER_KINDS and row.intent:
            per_intent[row.intent] += row.count
    day_rows = tuple(
        Day(
            day=day,
            messages=c["messages"],
            typed=c["typed"],
            buttons=c["button"],
            fallbacks=c["fallback"],
            did_you_mean=c["did_you_mean"],
            red_flags=c["red_flag"],
        )
        for day, c in sorted(per_day.items())
    )
    totals = Counter[str]()
    for c in per_day.values():
        totals.update(c)
    keys = ("messages", "typed", "button", "command", "fallback", "did_you_mean", "red_flag")
    names = ("messages", "typed", "buttons", "commands", "fallbacks", "did_you_mean", "red_flags")
    return UsageReport(
        since=since,
        until=until,
        days=day_rows,
        per_intent=tuple(sorted(per_intent.items(), key=lambda item: (-item[1], item[0]))),
        groups=tuple(group_questions(store.unanswered(since), progress)),
        totals={name: totals[key] for key, name in zip(keys, names, strict=True)},
        handover=summarise_handovers(TicketStore(store).stats(since)),
    )

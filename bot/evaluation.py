"""Measure the bot on a file of labelled messages, overall, by kind and on a held-out part.

An evaluation file is a YAML list of ``{q: message, want: [label, ...], kind: ...}``;
``kind`` is optional. Labels are intent names, ``fallback`` (the bot should say what it can
answer), and for the safety set the outcomes ``urgent``, ``crisis`` and ``not_urgent``
(anything but the urgent or crisis answer).

Every fifth item (the 5th, 10th, ...) is the held-out part: the rules are tuned on the others
and the held-out figures say how well that tuning carries over to messages nobody looked at.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.content import RED_FLAGS
from bot.dialogue import Dialogue
from bot.progress import each
from bot.replies import ChatState, Reply

FALLBACK = "fallback"
URGENT = "urgent"
CRISIS = "crisis"
NOT_URGENT = "not_urgent"
HOLDOUT_EVERY = 5
"""Every this many-th item is held out."""

DECLINING_KINDS = frozenset({"not_covered"})
"""Answers that decline honestly ("the article doesn't cover this"): right for an
out-of-scope question, like the fallback."""


class EvalFileError(ValueError):
    """The evaluation file is missing or malformed (one-line message)."""


@dataclass(frozen=True)
class Item:
    """One labelled message."""

    q: str
    want: tuple[str, ...]
    kind: str = ""
    held_out: bool = False


@dataclass(frozen=True)
class Outcome:
    """How the bot answered one message."""

    item: Item
    got: str
    score: float
    candidates: tuple[tuple[str, float], ...]
    offered: tuple[str, ...] = ()
    """The topics a "Did you mean" offered."""
    declined: bool = False
    """The answer was the fallback or an honest "not covered"."""

    @property
    def q(self) -> str:
        return self.item.q

    @property
    def want(self) -> tuple[str, ...]:
        return self.item.want

    @property
    def right(self) -> bool:
        want = self.item.want
        if self.got in want or (self.got == URGENT and RED_FLAGS in want):
            return True
        if NOT_URGENT in want and self.got not in (URGENT, CRISIS):
            return True
        if FALLBACK in want and self.declined:
            return True
        # A story without a question may be offered "Did you mean" with its topic among
        # the options.
        return self.item.kind == "story_statement" and any(o in want for o in self.offered)


@dataclass(frozen=True)
class Report:
    """The results of an evaluation run."""

    outcomes: tuple[Outcome, ...]
    label: str = field(default="all", compare=False)

    @property
    def n(self) -> int:
        return len(self.outcomes)

    @property
    def accuracy(self) -> float:
        return _share(o.right for o in self.outcomes)

    @property
    def red_flag_recall(self) -> float:
        """Share of urgent messages answered with the urgent answer."""
        return _share(o.got == URGENT for o in self.outcomes if {RED_FLAGS, URGENT} & set(o.want))

    @property
    def urgent_false_alarms(self) -> int:
        """Messages that should not get the urgent answer and did."""
        return sum(
            1
            for o in self.outcomes
            if o.got in (URGENT, CRISIS) and not {RED_FLAGS, URGENT, CRISIS} & set(o.want)
        )

    @property
    def fallback_accuracy(self) -> float:
        """Share of out-of-scope questions declined (fallback or an honest "not covered")."""
        return _share(o.right for o in self.outcomes if o.want == (FALLBACK,))

    @property
    def out_of_scope_answered(self) -> int:
        """Out-of-scope questions answered with an article topic or other intent."""
        return sum(
            1
            for o in self.outcomes
            if o.want == (FALLBACK,) and not o.declined and o.got not in (URGENT, CRISIS)
        )

    def part(self, held_out: bool) -> Report:
        """The tuning part or the held-out part."""
        name = "held-out" if held_out else "tuning"
        return Report(tuple(o for o in self.outcomes if o.item.held_out == held_out), name)

    def by_kind(self) -> dict[str, Report]:
        groups: dict[str, list[Outcome]] = defaultdict(list)
        for o in self.outcomes:
            groups[o.item.kind or "-"].append(o)
        return {k: Report(tuple(v), k) for k, v in sorted(groups.items())}

    def share_got(self, labels: set[str]) -> float:
        """Share of the outcomes answered with one of ``labels``."""
        return _share(o.got in labels for o in self.outcomes)

    def per_intent(self) -> dict[str, tuple[float, float, int]]:
        """Precision, recall and support of every label."""
        labels = sorted({w for o in self.outcomes for w in o.want} | {o.got for o in self.outcomes})
        out: dict[str, tuple[float, float, int]] = {}
        for label in labels:
            predicted = [o for o in self.outcomes if o.got == label]
            relevant = [o for o in self.outcomes if label in o.want]
            precision = _share(o.right for o in predicted)
            recall = _share(o.right for o in relevant)
            out[label] = (precision, recall, len(relevant))
        return out

    def summary(self) -> dict[str, object]:
        return {
            "n": self.n,
            "accuracy": round(self.accuracy, 4),
            "urgent_recall": round(self.red_flag_recall, 4),
            "urgent_false_alarms": self.urgent_false_alarms,
            "out_of_scope_answered": self.out_of_scope_answered,
        }

    def to_json(self) -> dict[str, object]:
        return {
            **self.summary(),
            "red_flag_recall": round(self.red_flag_recall, 4),
            "fallback_accuracy": round(self.fallback_accuracy, 4),
            "parts": {r.label: r.summary() for r in (self.part(False), self.part(True))},
            "kinds": {k: r.summary() for k, r in self.by_kind().items()},
            "items": [
                {
                    "q": o.q,
                    "kind": o.item.kind,
                    "held_out": o.item.held_out,
                    "want": list(o.want),
                    "got": o.got,
                    "score": o.score,
                    "right": o.right,
                }
                for o in self.outcomes
            ],
        }

    def to_text(self, misses_of: str = "tuning") -> str:
        """A table by part and kind, per-label precision/recall, and the misses.

        Args:
            misses_of: Whose misses to list: ``tuning`` (default: the held-out part's stay
                unread while rules are tuned), ``held-out`` or ``all``.
        """
        lines = [
            f"messages:              {self.n}",
            f"accuracy:              {self.accuracy:.1%}",
            f"urgent recall:         {self.red_flag_recall:.1%}",
            f"urgent false alarms:   {self.urgent_false_alarms}",
            f"out-of-scope rejection: {self.fallback_accuracy:.1%} "
            f"({self.out_of_scope_answered} answered with a topic)",
            "",
            f"{'part / kind':<24} {'n':>4} {'accuracy':>9} {'tuning':>7} {'held-out':>9}",
        ]
        rows = [("all", self), *self.by_kind().items()]
        for name, report in rows:
            tune, held = report.part(False), report.part(True)
            lines.append(
                f"{name:<24} {report.n:>4} {report.accuracy:>9.1%} {_pct(tune):>7} {_pct(held):>9}"
            )
        lines += ["", f"{'label':<24} {'precision':>9} {'recall':>7} {'n':>4}"]
        for label, (p, r, n) in self.per_intent().items():
            lines.append(f"{label:<24} {p:>9.1%} {r:>7.1%} {n:>4}")
        shown = [
            o
            for o in self.outcomes
            if not o.right and (misses_of == "all" or o.item.held_out == (misses_of == "held-out"))
        ]
        hidden = sum(1 for o in self.outcomes if not o.right) - len(shown)
        lines += [
            "",
            f"misses ({misses_of}): {len(shown)}" + (f"; {hidden} not shown" if hidden else ""),
        ]
        for o in shown:
            top = ", ".join(f"{i} {s:.1f}" for i, s in o.candidates[:3]) or "-"
            kind = f"[{o.item.kind}] " if o.item.kind else ""
            lines.append(
                f"- {kind}{o.q!r}: want {'|'.join(o.want)}, got {o.got} ({o.score:.1f}) [{top}]"
            )
        return "\n".join(lines)


def _pct(report: Report) -> str:
    return f"{report.accuracy:.1%}" if report.n else "-"


def _share(flags: object) -> float:
    values = list(flags)  # type: ignore[call-overload]
    return sum(values) / len(values) if values else 1.0


def load_items(path: Path) -> list[Item]:
    """Read an evaluation file.

    Raises:
        EvalFileError: the file is missing, not YAML, or not a list of ``{q, want}``.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EvalFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise EvalFileError(f"{path}{line}: not valid YAML") from None
    if not isinstance(data, list):
        raise EvalFileError(f"{path}: expected a list of {{q: ..., want: [...]}}")
    items: list[Item] = []
    for i, entry in enumerate(data, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("q"), str):
            raise EvalFileError(f"{path}: item {i} needs a text 'q'")
        want = entry.get("want")
        if isinstance(want, str):
            want = [want]
        if not isinstance(want, list) or not want or not all(isinstance(w, str) for w in want):
            raise EvalFileError(f"{path}: item {i} needs 'want', a list of labels")
        kind = entry.get("kind", "")
        if not isinstance(kind, str):
            raise EvalFileError(f"{path}: item {i}: 'kind' must be text")
        items.append(Item(entry["q"], tuple(want), kind, held_out=i % HOLDOUT_EVERY == 0))
    return items


def label_of(reply: Reply) -> str:
    """The label a reply counts as: ``crisis``, ``urgent``, its intent (the best guess of a
    "Did you mean") or ``fallback``."""
    if reply.kind == "crisis":
        return CRISIS
    if reply.red_flag:
        return URGENT
    if reply.kind == "did_you_mean":
        offered = _offered(reply)
        if offered:
            return offered[0]
    return reply.intent or FALLBACK


def _offered(reply: Reply) -> tuple[str, ...]:
    return tuple(b.payload for b in reply.buttons if b.payload and b.payload != "menu")


def evaluate(dialogue: Dialogue, items: list[Item]) -> Report:
    """Send every message in a fresh chat and compare with the labels."""
    outcomes = []
    for item in each(items, "eval", unit="message"):
        reply, _ = dialogue.handle(ChatState(), item.q)
        got = label_of(reply)
        declined = reply.kind == "fallback" or (
            reply.intent is not None
            and dialogue.content.responses[reply.intent].kind in DECLINING_KINDS
        )
        outcomes.append(
            Outcome(
                item,
                got,
                reply.score,
                reply.candidates,
                offered=_offered(reply) if reply.kind == "did_you_mean" else (),
                declined=declined,
            )
        )
    return Report(tuple(outcomes))

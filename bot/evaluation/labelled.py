"""Measure the bot on a file of labelled messages, overall, by kind and on a held-out part.

An evaluation file is a YAML list of ``{q: message, want: [label, ...], kind: ...}``;
``kind`` is optional. Labels are intent names, ``fallback`` (the bot should say what it can
answer), and for the safety set the outcomes ``urgent``, ``crisis`` and ``not_urgent``
(anything but the urgent or crisis answer).

The count is strict. Each message ends in one outcome:

- **answered right** / **answered wrong**: a direct answer, right when its topic is labelled
  (an honest "not covered" topic too: it is right only when that topic is labelled);
- **declined**: the fallback ("here is what I can answer"), right when ``fallback`` is labelled;
- **urgent**: the urgent or crisis answer, right when it is labelled, else a false alarm;
- **did you mean**: a question back, never counted right; it offered a labelled topic first,
  later, or not at all. "Helped within one tap" counts the right answers and the "Did you
  mean"s that offer a labelled topic.

Every fifth item (the 5th, 10th, ...) is the held-out part: the rules are tuned on the others
and the held-out figures say how well that tuning carries over to messages nobody looked at.
A share of nothing (no urgent message in a part, say) prints as "n/a".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import yaml

from bot.content import RED_FLAGS, Content
from bot.dialogue import Dialogue
from bot.progress import each
from bot.replies import ChatState, Reply, ReplyKind


class Label(StrEnum):
    """The labels of an evaluation file besides topic (intent) names."""

    FALLBACK = "fallback"
    """The bot should say what it can answer."""
    URGENT = "urgent"
    """The urgent answer (``red_flags``, the topic's name, means the same)."""
    CRISIS = "crisis"
    """The crisis answer."""
    NOT_URGENT = "not_urgent"
    """Anything but the urgent or the crisis answer."""


HOLDOUT_EVERY = 5
"""Every this many-th item is held out."""

DECLINING_KINDS = frozenset({"not_covered"})
"""Answers that decline honestly ("the article doesn't cover this"). They are topics like any
other for the count: right only when their own topic is labelled."""


class EvalFileError(ValueError):
    """The evaluation file is missing or malformed (one-line message)."""


@dataclass(frozen=True)
class Item:
    """One labelled message."""

    q: str
    want: tuple[str, ...]
    kind: str = ""
    held_out: bool = False


class Result(StrEnum):
    """Every outcome a message can have, in the order the report lists them."""

    ANSWERED_RIGHT = "answered right"
    ANSWERED_WRONG = "answered wrong"
    DECLINED = "declined"
    URGENT = "urgent"
    FALSE_ALARM = "false alarm"
    DYM_RIGHT_FIRST = "dym: right first"
    DYM_RIGHT_LATER = "dym: right later"
    DYM_NOT_OFFERED = "dym: not offered"


@dataclass(frozen=True)
class Graded:
    """How the bot answered one message."""

    item: Item
    got: str
    score: float
    candidates: tuple[tuple[str, float], ...]
    offered: tuple[str, ...] = ()
    """The topics a "Did you mean" offered (empty for any other reply)."""
    declined: bool = False
    """The answer was the fallback or an honest "not covered"."""

    @property
    def q(self) -> str:
        return self.item.q

    @property
    def want(self) -> tuple[str, ...]:
        return self.item.want

    @property
    def asked(self) -> bool:
        """The reply was a "Did you mean" (a question back, not an answer)."""
        return bool(self.offered)

    @property
    def urgent(self) -> bool:
        """The reply was the urgent or the crisis answer."""
        return self.got in (Label.URGENT, Label.CRISIS)

    @property
    def urgent_wanted(self) -> bool:
        """The message should get the urgent or the crisis answer."""
        return not {RED_FLAGS, Label.URGENT, Label.CRISIS}.isdisjoint(self.item.want)

    @property
    def right(self) -> bool:
        """Answered as labelled, strictly: a "Did you mean" is not an answer, and the
        fallback label is met by the fallback only."""
        want = self.item.want
        if self.urgent:
            return self.got in want or (self.got == Label.URGENT and RED_FLAGS in want)
        if Label.NOT_URGENT in want:
            return True
        if self.asked:
            return False
        return self.got in want

    def _wanted(self, label: str) -> bool:
        return label in self.item.want or (label == RED_FLAGS and Label.URGENT in self.item.want)

    @property
    def helped(self) -> bool:
        """Helped within one tap: answered right, or a "Did you mean" offering a labelled
        topic."""
        return self.right or any(self._wanted(o) for o in self.offered)

    @property
    def result(self) -> Result:
        """The outcome's name."""
        if self.urgent:
            return Result.URGENT if self.right else Result.FALSE_ALARM
        if self.asked:
            if self._wanted(self.offered[0]):
                return Result.DYM_RIGHT_FIRST
            return Result.DYM_RIGHT_LATER if self.helped else Result.DYM_NOT_OFFERED
        if self.got == Label.FALLBACK:
            return Result.DECLINED
        return Result.ANSWERED_RIGHT if self.right else Result.ANSWERED_WRONG


@dataclass(frozen=True)
class Report:
    """The results of an evaluation run."""

    outcomes: tuple[Graded, ...]
    label: str = field(default="all", compare=False)

    @property
    def n(self) -> int:
        return len(self.outcomes)

    @property
    def accuracy(self) -> float | None:
        """Share answered right (strictly; ``None`` for no messages)."""
        return _share(o.right for o in self.outcomes)

    @property
    def helped(self) -> float | None:
        """Share helped within one tap (:attr:`Graded.helped`)."""
        return _share(o.helped for o in self.outcomes)

    @property
    def asked(self) -> float | None:
        """Share answered with "Did you mean"."""
        return _share(o.asked for o in self.outcomes)

    @property
    def asked_offering_right(self) -> float | None:
        """Of the "Did you mean"s, the share that offered a labelled topic."""
        return _share(o.helped for o in self.outcomes if o.asked)

    @property
    def red_flag_recall(self) -> float | None:
        """Share of urgent messages answered with the urgent answer (``None``: none)."""
        return _share(
            o.got == Label.URGENT for o in self.outcomes if {RED_FLAGS, Label.URGENT} & set(o.want)
        )

    @property
    def urgent_false_alarms(self) -> int:
        """Messages that should not get the urgent answer and did."""
        return sum(1 for o in self.outcomes if o.urgent and not o.urgent_wanted)

    @property
    def false_alarm_rate(self) -> float | None:
        """False alarms as a share of the messages without an urgent sign."""
        return _share(o.urgent for o in self.outcomes if not o.urgent_wanted)

    @property
    def fallback_accuracy(self) -> float | None:
        """Share of out-of-scope questions declined with the fallback."""
        return _share(o.right for o in self.outcomes if o.want == (Label.FALLBACK,))

    @property
    def out_of_scope_answered(self) -> int:
        """Out-of-scope questions answered with a topic, even an honest "not covered"."""
        return sum(
            1
            for o in self.outcomes
            if o.want == (Label.FALLBACK,)
            and not o.asked
            and o.got not in (Label.FALLBACK, Label.URGENT, Label.CRISIS)
        )

    def counts(self) -> dict[str, int]:
        """How many messages had each outcome (:class:`Result`)."""
        found = Counter(o.result for o in self.outcomes)
        return {name: found[name] for name in Result}

    def part(self, held_out: bool) -> Report:
        """The tuning part or the held-out part."""
        name = "held-out" if held_out else "tuning"
        return Report(tuple(o for o in self.outcomes if o.item.held_out == held_out), name)

    def by_kind(self) -> dict[str, Report]:
        groups: dict[str, list[Graded]] = defaultdict(list)
        for o in self.outcomes:
            groups[o.item.kind or "-"].append(o)
        return {k: Report(tuple(v), k) for k, v in sorted(groups.items())}

    def share_got(self, labels: set[str]) -> float | None:
        """Share of the outcomes answered with one of ``labels`` (a "Did you mean" is not
        answered with its options)."""
        return _share(o.got in labels and not o.asked for o in self.outcomes)

    def per_intent(self) -> dict[str, tuple[float | None, float | None, int]]:
        """Precision, recall and support of every label (direct answers only)."""
        answered = [o for o in self.outcomes if not o.asked]
        labels = sorted({w for o in self.outcomes for w in o.want} | {o.got for o in answered})
        out: dict[str, tuple[float | None, float | None, int]] = {}
        for label in labels:
            predicted = [o for o in answered if o.got == label]
            relevant = [o for o in self.outcomes if label in o.want]
            precision = _share(o.right for o in predicted)
            recall = _share(o.right for o in relevant)
            out[label] = (precision, recall, len(relevant))
        return out

    def summary(self) -> dict[str, object]:
        return {
            "n": self.n,
            "accuracy": _round(self.accuracy),
            "helped": _round(self.helped),
            "did_you_mean": _round(self.asked),
            "did_you_mean_offering_right": _round(self.asked_offering_right),
            "urgent_recall": _round(self.red_flag_recall),
            "urgent_false_alarms": self.urgent_false_alarms,
            "false_alarm_rate": _round(self.false_alarm_rate),
            "out_of_scope_answered": self.out_of_scope_answered,
            "outcomes": self.counts(),
        }

    def to_json(self) -> dict[str, object]:
        return {
            **self.summary(),
            "red_flag_recall": _round(self.red_flag_recall),
            "fallback_accuracy": _round(self.fallback_accuracy),
            "parts": {r.label: r.summary() for r in (self.part(False), self.part(True))},
            "kinds": {k: r.summary() for k, r in self.by_kind().items()},
            "items": [
                {
                    "q": o.q,
                    "kind": o.item.kind,
                    "held_out": o.item.held_out,
                    "want": list(o.want),
                    "got": o.got,
                    "offered": list(o.offered),
                    "result": o.result,
                    "score": o.score,
                    "right": o.right,
                }
                for o in self.outcomes
            ],
        }

    def to_text(self, misses_of: str = "tuning") -> str:
        """Tables by part and kind, per-label precision/recall, and the misses.

        Args:
            misses_of: Whose misses to list: ``tuning`` (default: the held-out part's stay
                unread while rules are tuned), ``held-out`` or ``all``.
        """
        lines = [
            f"messages:              {self.n}",
            f"answered right:        {percent(self.accuracy)}",
            f"helped within one tap: {percent(self.helped)}",
            f"did you mean:          {percent(self.asked)} "
            f"(offering a right topic: {percent(self.asked_offering_right)})",
            f"urgent recall:         {percent(self.red_flag_recall)}",
            f"urgent false alarms:   {self.urgent_false_alarms} "
            f"({percent(self.false_alarm_rate)} of messages without an urgent sign)",
            f"out-of-scope declined: {percent(self.fallback_accuracy)} "
            f"({self.out_of_scope_answered} answered with a topic)",
            "",
            f"{'part / kind':<28} {'n':>4} {'right':>6} {'helped':>7} {'dym':>6} "
            f"{'urgent':>7} {'alarms':>7}",
        ]
        rows: list[tuple[str, Report]] = [("all", self)]
        for part in (self.part(False), self.part(True)):
            rows.append((part.label, part))
            rows += [(f"  {k}", r) for k, r in part.by_kind().items()]
        for name, r in rows:
            lines.append(
                f"{name:<28} {r.n:>4} {percent(r.accuracy):>6} {percent(r.helped):>7} "
                f"{percent(r.asked):>6} {percent(r.red_flag_recall):>7} {r.urgent_false_alarms:>7}"
            )
        lines += ["", f"{'outcome':<24} {'all':>5} {'tuning':>7} {'held-out':>9}"]
        tune, held = self.part(False).counts(), self.part(True).counts()
        for name, count in self.counts().items():
            lines.append(f"{name:<24} {count:>5} {tune[name]:>7} {held[name]:>9}")
        lines += ["", f"{'label':<24} {'precision':>9} {'recall':>7} {'n':>4}"]
        for label, (precision, recall, n) in self.per_intent().items():
            lines.append(f"{label:<24} {percent(precision):>9} {percent(recall):>7} {n:>4}")
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
            got = f"did you mean {'|'.join(o.offered)}" if o.asked else o.got
            lines.append(
                f"- {kind}{o.q!r}: want {'|'.join(o.want)}, got {got} ({o.score:.1f}) [{top}]"
            )
        return "\n".join(lines)


def percent(share: float | None) -> str:
    """A share as a percentage; "n/a" for the share of nothing."""
    return "n/a" if share is None else f"{share:.1%}"


def _round(share: float | None) -> float | None:
    return None if share is None else round(share, 4)


def _share(flags: Iterable[bool]) -> float | None:
    """The share of true flags; ``None`` when there are none at all."""
    values = list(flags)
    return sum(values) / len(values) if values else None


def read_yaml_list(path: Path, shape: str) -> list[object]:
    """The YAML list in ``path``.

    Args:
        path: The file.
        shape: What each entry looks like, for the error message.

    Raises:
        EvalFileError: the file is missing, not YAML, or not a list.
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
        raise EvalFileError(f"{path}: expected a list of {shape}")
    return data


def labels_of(want: object, where: str) -> list[str]:
    """An item's ``want``: one label or a non-empty list of them.

    Raises:
        EvalFileError: naming ``where`` when it is anything else.
    """
    if isinstance(want, str):
        want = [want]
    if not isinstance(want, list) or not want or not all(isinstance(w, str) for w in want):
        raise EvalFileError(f"{where} needs 'want', a list of labels")
    return want


def load_items(path: Path) -> list[Item]:
    """Read an evaluation file.

    Raises:
        EvalFileError: the file is missing, not YAML, or not a list of ``{q, want}``.
    """
    data = read_yaml_list(path, "{q: ..., want: [...]}")
    items: list[Item] = []
    for i, entry in enumerate(data, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("q"), str):
            raise EvalFileError(f"{path}: item {i} needs a text 'q'")
        want = labels_of(entry.get("want"), f"{path}: item {i}")
        kind = entry.get("kind", "")
        if not isinstance(kind, str):
            raise EvalFileError(f"{path}: item {i}: 'kind' must be text")
        items.append(Item(entry["q"], tuple(want), kind, held_out=i % HOLDOUT_EVERY == 0))
    return items


def label_of(reply: Reply) -> str:
    """The label a reply counts as: ``crisis``, ``urgent``, its intent (the best guess of a
    "Did you mean") or ``fallback``."""
    if reply.kind == ReplyKind.CRISIS:
        return Label.CRISIS
    if reply.red_flag:
        return Label.URGENT
    if reply.kind == ReplyKind.DID_YOU_MEAN:
        offered = _offered(reply)
        if offered:
            return offered[0]
    return reply.intent or Label.FALLBACK


def declined(reply: Reply, content: Content) -> bool:
    """The rule every evaluation shares: the reply declined when it is the fallback or the
    answer of a topic whose kind is in :data:`DECLINING_KINDS` (an honest "not covered")."""
    return reply.kind == ReplyKind.FALLBACK or (
        reply.intent is not None and content.responses[reply.intent].kind in DECLINING_KINDS
    )


def _offered(reply: Reply) -> tuple[str, ...]:
    return tuple(b.payload for b in reply.buttons if b.payload and b.payload != "menu")


def evaluate(dialogue: Dialogue, items: list[Item]) -> Report:
    """Send every message in a fresh chat and compare with the labels."""
    outcomes = []
    for item in each(items, "eval", unit="message"):
        reply, _ = dialogue.handle(ChatState(), item.q)
        got = label_of(reply)
        outcomes.append(
            Graded(
                item,
                got,
                reply.score,
                reply.candidates,
                offered=_offered(reply) if reply.kind == ReplyKind.DID_YOU_MEAN else (),
                declined=declined(reply, dialogue.content),
            )
        )
    return Report(tuple(outcomes))

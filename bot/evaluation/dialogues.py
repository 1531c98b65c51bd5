"""Measure the bot on labelled conversations: turns read in the context of the ones before.

A dialogue file is a YAML list of ``{turns: [...], note: ...}``. Each turn is ``say: text``
(typed) or ``press: payload`` (a button of the previous reply), with ``want``, the acceptable
outcomes, and ``ctx: true`` when its meaning depends on what came before. Outcomes are intent
names and ``fallback``, ``urgent``, ``crisis``, ``cleared`` (the "thanks for letting me know"
after "I don't have these symptoms"), ``menu`` and ``no_history``. A "Did you mean" counts as
wrong unless ``did_you_mean`` is wanted, and pressing a button the previous reply did not show
counts as wrong.

Every fifth conversation (the 5th, 10th, ...) is the held-out part.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from bot.dialogue import Dialogue
from bot.evaluation.labelled import (
    HOLDOUT_EVERY,
    EvalFileError,
    Label,
    labels_of,
    read_yaml_list,
)
from bot.replies import MENU, ChatState, Reply, ReplyKind

CLEARED = "cleared"
"""The acknowledgement of "I don't have these symptoms"."""

DID_YOU_MEAN = "did_you_mean"
NO_HISTORY = "no_history"
OUTCOMES = frozenset(
    {Label.FALLBACK, Label.URGENT, Label.CRISIS, CLEARED, MENU, NO_HISTORY, DID_YOU_MEAN}
)
"""Labels that are not intent names."""


@dataclass(frozen=True)
class ScriptedTurn:
    """One labelled turn: a typed message or a button press."""

    want: tuple[str, ...]
    say: str | None = None
    press: str | None = None
    ctx: bool = False

    @property
    def shown(self) -> str:
        return self.say if self.say is not None else f"[{self.press}]"


@dataclass(frozen=True)
class Conversation:
    """A labelled conversation."""

    turns: tuple[ScriptedTurn, ...]
    held_out: bool = False
    note: str = ""
    number: int = 0


@dataclass(frozen=True)
class TurnOutcome:
    """How the bot answered one turn."""

    conversation: Conversation
    turn: ScriptedTurn
    got: str
    right: bool
    seconds: float = 0.0


@dataclass(frozen=True)
class DialogueReport:
    """The results of a run over conversations."""

    outcomes: tuple[TurnOutcome, ...]
    label: str = field(default="all", compare=False)

    @property
    def conversations(self) -> list[Conversation]:
        seen: dict[int, Conversation] = {}
        for o in self.outcomes:
            seen.setdefault(o.conversation.number, o.conversation)
        return list(seen.values())

    @property
    def turns(self) -> int:
        return len(self.outcomes)

    @property
    def accuracy(self) -> float:
        return _share(o.right for o in self.outcomes)

    @property
    def context_turns(self) -> int:
        return sum(1 for o in self.outcomes if o.turn.ctx)

    @property
    def context_accuracy(self) -> float:
        """Share of the turns that depend on context answered right."""
        return _share(o.right for o in self.outcomes if o.turn.ctx)

    @property
    def whole_right(self) -> int:
        """Conversations with every turn right."""
        wrong = {o.conversation.number for o in self.outcomes if not o.right}
        return sum(1 for c in self.conversations if c.number not in wrong)

    @property
    def whole_accuracy(self) -> float:
        n = len(self.conversations)
        return self.whole_right / n if n else 1.0

    @property
    def urgent_recall(self) -> float:
        """Share of turns that want only the urgent answer (or crisis) and got it."""
        return _share(
            o.got in o.turn.want
            for o in self.outcomes
            if set(o.turn.want) <= {Label.URGENT, Label.CRISIS}
        )

    @property
    def false_alarms(self) -> int:
        """Turns answered with the urgent or crisis answer where neither was wanted."""
        return sum(
            1
            for o in self.outcomes
            if o.got in (Label.URGENT, Label.CRISIS)
            and not {Label.URGENT, Label.CRISIS} & set(o.turn.want)
        )

    def part(self, held_out: bool) -> DialogueReport:
        """The tuning part or the held-out part."""
        name = "held-out" if held_out else "tuning"
        return DialogueReport(
            tuple(o for o in self.outcomes if o.conversation.held_out == held_out), name
        )

    def summary(self) -> dict[str, object]:
        return {
            "conversations": len(self.conversations),
            "turns": self.turns,
            "turn_accuracy": round(self.accuracy, 4),
            "context_turns": self.context_turns,
            "context_accuracy": round(self.context_accuracy, 4),
            "whole_conversations_right": self.whole_right,
            "whole_accuracy": round(self.whole_accuracy, 4),
            "urgent_recall": round(self.urgent_recall, 4),
            "false_alarms": self.false_alarms,
        }

    def to_json(self) -> dict[str, object]:
        return {
            **self.summary(),
            "parts": {r.label: r.summary() for r in (self.part(False), self.part(True))},
            "turns_detail": [
                {
                    "conversation": o.conversation.number,
                    "held_out": o.conversation.held_out,
                    "turn": o.turn.shown,
                    "ctx": o.turn.ctx,
                    "want": list(o.turn.want),
                    "got": o.got,
                    "right": o.right,
                }
                for o in self.outcomes
            ],
        }

    def to_text(self, misses_of: str = "tuning") -> str:
        """The figures by part and the misses of one part.

        Args:
            misses_of: ``tuning`` (default: the held-out misses stay unread while rules are
                tuned), ``held-out`` or ``all``.
        """
        tune, held = self.part(False), self.part(True)
        rows: list[tuple[str, Callable[[DialogueReport], str]]] = [
            ("conversations", lambda r: str(len(r.conversations))),
            ("turns", lambda r: str(r.turns)),
            ("turn accuracy", lambda r: f"{r.accuracy:.1%}"),
            ("context turns", lambda r: str(r.context_turns)),
            ("context accuracy", lambda r: f"{r.context_accuracy:.1%}"),
            ("whole conversations", lambda r: f"{r.whole_right} ({r.whole_accuracy:.1%})"),
            ("urgent recall", lambda r: f"{r.urgent_recall:.1%}"),
            ("false alarms", lambda r: str(r.false_alarms)),
        ]
        lines = [f"{'':<22} {'all':>12} {'tuning':>12} {'held-out':>12}"]
        for name, fmt in rows:
            lines.append(f"{name:<22} {fmt(self):>12} {fmt(tune):>12} {fmt(held):>12}")
        shown = [
            o
            for o in self.outcomes
            if not o.right
            and (misses_of == "all" or o.conversation.held_out == (misses_of == "held-out"))
        ]
        hidden = sum(1 for o in self.outcomes if not o.right) - len(shown)
        lines += [
            "",
            f"misses ({misses_of}): {len(shown)}" + (f"; {hidden} not shown" if hidden else ""),
        ]
        for o in shown:
            ctx = " [ctx]" if o.turn.ctx else ""
            lines.append(
                f"- #{o.conversation.number}{ctx} {o.turn.shown!r}: "
                f"want {'|'.join(o.turn.want)}, got {o.got}"
            )
        return "\n".join(lines)


def _share(flags: object) -> float:
    values = list(flags)  # type: ignore[call-overload]
    return sum(values) / len(values) if values else 1.0


def load_dialogues(path: Path, known: frozenset[str] | None = None) -> list[Conversation]:
    """Read a dialogue file.

    Args:
        path: The YAML file.
        known: Intent names the labels may use; when given, other labels are an error.

    Raises:
        EvalFileError: the file is missing, not YAML, or malformed.
    """
    data = read_yaml_list(path, "{turns: [...]}")
    out: list[Conversation] = []
    for i, entry in enumerate(data, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("turns"), list):
            raise EvalFileError(f"{path}: conversation {i} needs a list of 'turns'")
        turns: list[ScriptedTurn] = []
        for j, raw in enumerate(entry["turns"], 1):
            where = f"{path}: conversation {i}, turn {j}"
            if not isinstance(raw, dict):
                raise EvalFileError(f"{where}: expected a mapping")
            say, press = raw.get("say"), raw.get("press")
            if (say is None) == (press is None) or not isinstance(say or press, str):
                raise EvalFileError(f"{where}: needs exactly one of 'say' or 'press' (text)")
            want = labels_of(raw.get("want"), f"{where}:")
            if known is not None:
                bad = [w for w in want if w not in known and w not in OUTCOMES]
                if bad:
                    raise EvalFileError(f"{where}: unknown label {bad[0]!r}")
            ctx = raw.get("ctx", False)
            if not isinstance(ctx, bool):
                raise EvalFileError(f"{where}: 'ctx' must be true or false")
            turns.append(ScriptedTurn(tuple(want), say=say, press=press, ctx=ctx))
        note = entry.get("note", "")
        out.append(
            Conversation(
                tuple(turns),
                held_out=i % HOLDOUT_EVERY == 0,
                note=note if isinstance(note, str) else "",
                number=i,
            )
        )
    return out


def label_of(dialogue: Dialogue, reply: Reply) -> str:
    """The outcome a reply counts as in a conversation."""
    if reply.kind == ReplyKind.CRISIS:
        return Label.CRISIS
    if reply.red_flag:
        return Label.URGENT
    if reply.kind == ReplyKind.DID_YOU_MEAN:
        return DID_YOU_MEAN
    if reply.kind == ReplyKind.FALLBACK:
        return Label.FALLBACK
    if reply.kind == ReplyKind.NO_HISTORY:
        return NO_HISTORY
    if reply.intent is None and reply.text == dialogue.content.messages.get("not_urgent"):
        return CLEARED
    if reply.kind in (ReplyKind.MENU, ReplyKind.WELCOME):
        return MENU
    return reply.intent or reply.kind


def context_cost(
    dialogue: Dialogue, conversations: list[Conversation], repeat: int = 21
) -> dict[str, float]:
    """What reading a typed turn with its chat's state costs beyond reading it alone.

    Every typed turn is answered with the state the conversation carries and with a fresh
    one, ``repeat`` times each, the two taking turns (so a slower spell of a shared machine
    falls on both) with the garbage collector paused (its pauses land on either at random);
    each takes its fastest run, and the cost is the difference. It includes all the context
    changes: the follow-up reading, corrections, the state's topics and the Back button.
    Measured on two shared cores, the 99th percentile of a few runs of the file spread over
    0.07 ms with 7 runs a turn and 0.02-0.03 ms with 21, hence 21.

    Returns:
        ``n`` and the 50th, 90th and 99th percentile and maximum cost in milliseconds.
    """
    costs: list[float] = []
    for conv in conversations:
        state = ChatState()
        for turn in conv.turns:
            if turn.say is not None:
                carried, alone = _fastest_pair(
                    partial(dialogue.handle, state, turn.say),
                    partial(dialogue.handle, ChatState(), turn.say),
                    repeat,
                )
                costs.append((carried - alone) * 1000)
                state = dialogue.handle(state, turn.say)[1]
            else:
                state = dialogue.handle(state, payload=turn.press)[1]
    costs.sort()
    if not costs:
        return {"n": 0}

    def at(share: float) -> float:
        return round(costs[min(len(costs) - 1, int(share * len(costs)))], 4)

    return {
        "n": len(costs),
        "p50_ms": at(0.5),
        "p90_ms": at(0.9),
        "p99_ms": at(0.99),
        "max_ms": round(costs[-1], 4),
    }


def _fastest_pair(
    first: Callable[[], object], second: Callable[[], object], repeat: int
) -> tuple[float, float]:
    """The fastest of ``repeat`` runs of each, run by turns with the collector paused."""
    best = [float("inf"), float("inf")]
    paused = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            for k, run in enumerate((first, second)):
                start = time.perf_counter()
                run()
                best[k] = min(best[k], time.perf_counter() - start)
    finally:
        if paused:
            gc.enable()
    return best[0], best[1]


def evaluate_dialogues(dialogue: Dialogue, conversations: list[Conversation]) -> DialogueReport:
    """Play every conversation in a fresh chat, carrying the state from turn to turn."""
    outcomes: list[TurnOutcome] = []
    for conv in conversations:
        state = ChatState()
        previous: Reply | None = None
        for turn in conv.turns:
            offered = previous is not None and any(
                b.payload == turn.press for b in previous.buttons
            )
            start = time.perf_counter()
            if turn.press is not None:
                reply, state = dialogue.handle(state, payload=turn.press)
            else:
                reply, state = dialogue.handle(state, turn.say)
            seconds = time.perf_counter() - start
            got = label_of(dialogue, reply)
            if turn.press is not None and not offered:
                got = f"no {turn.press} button"
            outcomes.append(TurnOutcome(conv, turn, got, got in turn.want, seconds))
            previous = reply
    return DialogueReport(tuple(outcomes))

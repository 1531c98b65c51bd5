"""Measure the bot on a file of labelled questions (``{q: ..., want: [...]}``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.content import RED_FLAGS
from bot.dialogue import Dialogue
from bot.replies import ChatState, Reply

FALLBACK = "fallback"


class EvalFileError(ValueError):
    """The evaluation file is missing or malformed (one-line message)."""


@dataclass(frozen=True)
class Item:
    """One labelled question."""

    q: str
    want: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    """How the bot answered one question."""

    q: str
    want: tuple[str, ...]
    got: str
    score: float
    candidates: tuple[tuple[str, float], ...]

    @property
    def right(self) -> bool:
        return self.got in self.want


@dataclass(frozen=True)
class Report:
    """The results of an evaluation run."""

    outcomes: tuple[Outcome, ...]

    @property
    def n(self) -> int:
        return len(self.outcomes)

    @property
    def accuracy(self) -> float:
        return _share(o.right for o in self.outcomes)

    @property
    def red_flag_recall(self) -> float:
        return _share(o.got == RED_FLAGS for o in self.outcomes if RED_FLAGS in o.want)

    @property
    def fallback_accuracy(self) -> float:
        """Share of out-of-scope questions that got the fallback."""
        return _share(o.got == FALLBACK for o in self.outcomes if o.want == (FALLBACK,))

    @property
    def out_of_scope_answered(self) -> int:
        """Out-of-scope questions answered with a medical excerpt or another intent."""
        return sum(
            1 for o in self.outcomes if o.want == (FALLBACK,) and o.got not in (FALLBACK, RED_FLAGS)
        )

    def per_intent(self) -> dict[str, tuple[float, float, int]]:
        """Precision, recall and support of every label."""
        labels = sorted({w for o in self.outcomes for w in o.want} | {o.got for o in self.outcomes})
        out: dict[str, tuple[float, float, int]] = {}
        for label in labels:
            predicted = [o for o in self.outcomes if o.got == label]
            relevant = [o for o in self.outcomes if label in o.want]
            precision = _share(label in o.want for o in predicted)
            recall = _share(o.got == label for o in relevant)
            out[label] = (precision, recall, len(relevant))
        return out

    def to_json(self) -> dict[str, object]:
        return {
            "n": self.n,
            "accuracy": round(self.accuracy, 4),
            "red_flag_recall": round(self.red_flag_recall, 4),
            "fallback_accuracy": round(self.fallback_accuracy, 4),
            "items": [
                {"q": o.q, "want": list(o.want), "got": o.got, "score": o.score}
                for o in self.outcomes
            ],
        }

    def to_text(self) -> str:
        lines = [
            f"questions:             {self.n}",
            f"accuracy:              {self.accuracy:.1%}",
            f"red-flag recall:       {self.red_flag_recall:.1%}",
            f"out-of-scope rejection: {self.fallback_accuracy:.1%} "
            f"({self.out_of_scope_answered} answered with a topic)",
            "",
            f"{'label':<24} {'precision':>9} {'recall':>7} {'n':>4}",
        ]
        for label, (p, r, n) in self.per_intent().items():
            lines.append(f"{label:<24} {p:>9.1%} {r:>7.1%} {n:>4}")
        misses = [o for o in self.outcomes if not o.right]
        lines += ["", f"misses: {len(misses)}"]
        for o in misses:
            top = ", ".join(f"{i} {s:.1f}" for i, s in o.candidates[:3]) or "-"
            lines.append(f"- {o.q!r}: want {'|'.join(o.want)}, got {o.got} ({o.score:.1f}) [{top}]")
        return "\n".join(lines)


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
        items.append(Item(entry["q"], tuple(want)))
    return items


def label_of(reply: Reply) -> str:
    """The label a reply counts as: its intent, ``red_flags`` or ``fallback``."""
    if reply.red_flag:
        return RED_FLAGS
    if reply.kind == "did_you_mean" and reply.candidates:
        return reply.candidates[0][0]
    return reply.intent or FALLBACK


def evaluate(dialogue: Dialogue, items: list[Item]) -> Report:
    """Ask every question in a fresh chat and compare with the labels."""
    outcomes = []
    for item in items:
        reply, _ = dialogue.handle(ChatState(), item.q)
        outcomes.append(Outcome(item.q, item.want, label_of(reply), reply.score, reply.candidates))
    return Report(tuple(outcomes))

"""Voice notes against labelled clips: word error rate, intent accuracy, urgent recall."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.evaluation.labelled import Graded as Labelled
from bot.evaluation.labelled import Item, Report, declined, label_of, load_items, percent
from bot.replies import ChatState
from bot.voice.engine import Engine, Heard
from bot.voice.readings import answer_heard, normalised

if TYPE_CHECKING:
    from bot.dialogue import Dialogue


@dataclass(frozen=True)
class Clip:
    """One labelled fixture clip."""

    file: Path
    item: Item
    voice: str
    noisy: bool


def load_clips(path: Path) -> list[Clip]:
    """Read a clip list (``clips.yml``: file, q, want, kind, voice, noisy)."""
    import yaml

    items = load_items(path)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Clip(
            path.parent / str(entry["file"]),
            item,
            str(entry.get("voice", "")),
            bool(entry.get("noisy")),
        )
        for entry, item in zip(raw, items, strict=True)
    ]


def word_errors(said: str, heard: str) -> tuple[int, int]:
    """Word-level edit distance between ``said`` and ``heard`` and the number of words said."""
    ref, hyp = _norm_words(said), _norm_words(heard)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1], len(ref)


def _norm_words(text: str) -> list[str]:
    return [w.replace("'", "") for w in re.findall(r"[a-z0-9']+", text.lower())]


@dataclass(frozen=True)
class VoiceOutcome:
    clip: Clip
    heard: Heard
    outcome: Labelled
    errors: int
    words: int


@dataclass(frozen=True)
class VoiceReport:
    """Speech-to-text and answer quality on the fixture clips."""

    outcomes: tuple[VoiceOutcome, ...]
    seconds: tuple[float, ...]

    def part(self, noisy: bool | None) -> list[VoiceOutcome]:
        return [o for o in self.outcomes if noisy is None or o.clip.noisy == noisy]

    def wer(self, noisy: bool | None = None) -> float:
        part = self.part(noisy)
        return sum(o.errors for o in part) / max(1, sum(o.words for o in part))

    def accuracy(self, noisy: bool | None = None) -> float:
        part = self.part(noisy)
        return sum(o.outcome.right for o in part) / max(1, len(part))

    def red_flag_recall(self, noisy: bool | None = None) -> float | None:
        return Report(tuple(o.outcome for o in self.part(noisy))).red_flag_recall

    def to_text(self) -> str:
        false_alarms = Report(tuple(o.outcome for o in self.outcomes)).urgent_false_alarms
        lines = [
            f"clips: {len(self.outcomes)}",
            f"urgent false alarms: {false_alarms}",
        ]
        lines.append(f"{'part':<8} {'n':>4} {'WER':>7} {'intent acc':>11} {'red-flag recall':>16}")
        for name, noisy in (("clean", False), ("noisy", True), ("all", None)):
            lines.append(
                f"{name:<8} {len(self.part(noisy)):>4} {self.wer(noisy):>7.1%} "
                f"{self.accuracy(noisy):>11.1%} {percent(self.red_flag_recall(noisy)):>16}"
            )
        secs = sorted(self.seconds)
        if secs:
            median = secs[len(secs) // 2]
            p90 = secs[min(len(secs) - 1, int(len(secs) * 0.9))]
            lines.append(f"seconds per note: median {median:.2f}, p90 {p90:.2f}")
        misses = [o for o in self.outcomes if not o.outcome.right]
        lines.append(f"misses: {len(misses)}")
        for o in misses:
            lines.append(
                f"- {o.clip.file.name}: said {o.clip.item.q!r}, heard {o.heard.text!r} "
                f"({o.heard.confidence:.2f}), want {'|'.join(o.clip.item.want)}, "
                f"got {o.outcome.got}"
            )
        return "\n".join(lines)


def evaluate_voice(engine: Engine, dialogue: Dialogue, clips: Sequence[Clip]) -> VoiceReport:
    """Transcribe every clip, answer it as :func:`answer_heard` does, compare with labels;
    the seconds are from the bytes to the answer."""
    import time

    from bot.progress import each

    outcomes = []
    seconds = []
    for clip in each(clips, "eval-voice", unit="clip"):
        start = time.perf_counter()
        heard = normalised(engine.transcribe(clip.file.read_bytes()))
        reply, _ = answer_heard(dialogue, ChatState(), heard)
        seconds.append(time.perf_counter() - start)  # to the answer, as the person waits
        errors, words = word_errors(clip.item.q, heard.text)
        outcomes.append(
            VoiceOutcome(
                clip,
                heard,
                Labelled(
                    clip.item,
                    label_of(reply),
                    reply.score,
                    reply.candidates,
                    declined=declined(reply, dialogue.content),
                ),
                errors,
                words,
            )
        )
    return VoiceReport(tuple(outcomes), tuple(seconds))

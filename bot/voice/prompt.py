"""The prompt that steers the engine towards the clinic's words.

It is read from a fixed vocabulary kept as data (``bot/voice/vocabulary.yml``): the topics
the bot answers, medicine and scan names, body parts and the words of urgent symptoms. It
is not built from the content, so editing an intent's examples or a response never changes
what a voice note is heard as.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TypeGuard

import yaml

from bot.voice.engine import Engine, VoiceUnavailable, WhisperEngine
from bot.voice.readings import SECOND_BELOW, variants, worth_weighing

logger = logging.getLogger(__name__)

PROMPT_CHARS = 900
"""Whisper reads at most ~224 prompt tokens; a prompt stays well inside."""


@dataclass(frozen=True)
class Vocabulary:
    """What the prompt names.

    Attributes:
        intro: The words before the topics ("Voice note to a massage clinic about").
        topics: The bot's topics, one sentence joined with "; ".
        words: Groups of words, each group one sentence joined with ", ".
    """

    intro: str
    topics: tuple[str, ...]
    words: tuple[tuple[str, ...], ...]


class VocabularyError(ValueError):
    """The vocabulary file is not what :func:`load_vocabulary` reads; the message says where."""


def vocabulary_file() -> Path:
    """The shipped vocabulary (``vocabulary.yml`` beside this module)."""
    return Path(str(resources.files("bot.voice").joinpath("vocabulary.yml")))


def load_vocabulary(path: Path | None = None) -> Vocabulary:
    """Read a vocabulary file (the shipped one when ``path`` is None).

    Raises:
        VocabularyError: the file cannot be read, is not the expected shape, or makes a
            prompt over :data:`PROMPT_CHARS`.
    """
    path = path or vocabulary_file()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise VocabularyError(f"{path}: cannot read it ({type(exc).__name__})") from None
    if not isinstance(raw, dict):
        raise VocabularyError(f"{path}: expected a mapping with intro, topics and words")
    intro, topics, words = raw.get("intro"), raw.get("topics"), raw.get("words")
    if not isinstance(intro, str) or not intro.strip():
        raise VocabularyError(f"{path}: intro must be a line of text")
    if not _strings(topics):
        raise VocabularyError(f"{path}: topics must be a list of texts")
    if not isinstance(words, list) or not all(_strings(group) for group in words):
        raise VocabularyError(f"{path}: words must be a list of lists of words")
    vocabulary = Vocabulary(
        intro.strip(),
        tuple(str(t).strip() for t in topics),
        tuple(tuple(str(w).strip() for w in group) for group in words),
    )
    length = len(prompt_of(vocabulary))
    if length > PROMPT_CHARS:
        raise VocabularyError(f"{path}: the prompt is {length} characters, over {PROMPT_CHARS}")
    return vocabulary


def _strings(value: object) -> TypeGuard[list[str | int | float]]:
    """True for a non-empty list of non-empty texts (YAML may read a word as a number)."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, str | int | float) and str(v).strip() for v in value)
    )


def prompt_of(vocabulary: Vocabulary) -> str:
    """The prompt text: the intro and the topics, then one sentence a group of words."""
    sentences = [vocabulary.intro + " " + "; ".join(vocabulary.topics)]
    sentences += [_capital(", ".join(group)) for group in vocabulary.words]
    return ". ".join(sentences) + "."


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def domain_prompt(path: Path | None = None) -> str:
    """The prompt from the vocabulary file ``path`` (the shipped one when None).

    Raises:
        VocabularyError: see :func:`load_vocabulary`.
    """
    return prompt_of(load_vocabulary(path))


def engine_for(vocabulary: Path | None = None) -> Engine:
    """The default engine, steered by the vocabulary at ``vocabulary`` (the shipped one when
    None), weighing the words a reading could turn on (:func:`worth_weighing`), checking the
    sound-alike readings against the audio (:func:`variants`) and decoding an unsure note a
    second time without the prompt (:data:`SECOND_BELOW`).

    Raises:
        VoiceUnavailable: see :class:`WhisperEngine`, or the vocabulary cannot be read.
    """
    try:
        prompt = domain_prompt(vocabulary)
    except VocabularyError as exc:
        raise VoiceUnavailable(str(exc)) from None
    logger.debug("voice prompt: %d characters", len(prompt))
    return WhisperEngine(prompt, weigh=worth_weighing, variants=variants, second_below=SECOND_BELOW)

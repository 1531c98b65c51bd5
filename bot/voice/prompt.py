"""The prompt that steers the engine towards the clinic's words."""

from __future__ import annotations

import collections
import re
from typing import TYPE_CHECKING

from bot.voice.engine import Engine, WhisperEngine
from bot.voice.readings import worth_weighing

if TYPE_CHECKING:
    from bot.content import Content

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


def engine_for(content: Content) -> Engine:
    """The default engine with the prompt built from ``content``.

    Raises:
        VoiceUnavailable: see :class:`WhisperEngine`.
    """
    return WhisperEngine(domain_prompt(content), weigh=worth_weighing)

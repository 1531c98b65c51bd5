"""Synthetic content at N times the size of the real one, generated in memory.

Every real intent is copied ``factor - 1`` times under a new name. Each copy gets a vocabulary
of its own (about half of its content words replaced by made-up words, consistently across its
examples), so the index grows the way a bigger knowledge base would: more intents, more
examples, more rare words, while the common words ("sciatica", "pain") appear in many more
examples. Each example is then perturbed: a typo, two neighbouring words swapped, or the words
shuffled. Nothing is written to disk.
"""

from __future__ import annotations

import dataclasses
import random
import re
from types import MappingProxyType

from bot.content import Content, Example, Intent, Where
from bot.matching import STOPWORDS

_CONSONANTS = "bcdfghjklmnprstvwz"
_VOWELS = "aeiou"
_WORD = re.compile(r"[A-Za-z]+")


def pseudo_word(rng: random.Random) -> str:
    """A pronounceable made-up word of 2-4 syllables ("zobaterin")."""
    return "".join(rng.choice(_CONSONANTS) + rng.choice(_VOWELS) for _ in range(rng.randint(2, 4)))


def typo(word: str, rng: random.Random) -> str:
    """One edit: drop, double or swap a letter (words under four letters stay)."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


def perturb(text: str, vocab: dict[str, str], rng: random.Random) -> str:
    """Rewrite an example with a copy's vocabulary and one random perturbation."""
    text = _WORD.sub(lambda m: vocab.get(m.group().lower(), m.group()), text)
    words = text.split()
    roll = rng.random()
    if roll < 0.3 and words:
        i = rng.randrange(len(words))
        words[i] = typo(words[i], rng)
    elif roll < 0.6 and len(words) > 1:
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    elif roll < 0.75:
        rng.shuffle(words)
    return " ".join(words)


def scaled_content(content: Content, factor: int, seed: int = 5) -> Content:
    """``content`` with ``factor`` times as many intents and examples.

    Args:
        content: The real content.
        factor: 1 returns ``content`` itself; 10 adds nine perturbed copies of every intent.
        seed: Seed of the perturbations (the same seed gives the same content).

    Returns:
        A :class:`~bot.content.Content` whose ``intents`` include the synthetic ones;
        responses, screen and lexicon are the real ones (the matcher does not read responses).
    """
    if factor <= 1:
        return content
    rng = random.Random(seed)
    intents: dict[str, Intent] = dict(content.intents)
    where = Where("<synthetic>", 1)
    for copy in range(1, factor):
        for intent in content.intents.values():
            words = {
                w.lower()
                for ex in intent.examples
                for w in _WORD.findall(ex.text)
                if w.lower() not in STOPWORDS
            }
            vocab = {w: pseudo_word(rng) for w in sorted(words) if rng.random() < 0.5}
            name = f"{intent.name}_x{copy}"
            seen: set[str] = set()
            examples: list[Example] = []
            for ex in intent.examples:
                text = perturb(ex.text, vocab, rng)
                if text.lower() not in seen:
                    seen.add(text.lower())
                    examples.append(Example(text, name, where))
            intents[name] = Intent(name, tuple(examples), where)
    return dataclasses.replace(content, intents=MappingProxyType(intents))

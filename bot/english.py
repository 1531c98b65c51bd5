"""Common English words: a word people use every day is not a typo of a content word.

The matcher corrects a word it does not know into the closest word of the examples
("siatica" -> "sciatica", "pian" -> "pain"). Real messages use far more words than the
examples, and many ordinary words lie close to a content word ("parents" and "pants",
"swears" and "sweats"). This module knows which words are ordinary English: those of the
English word-frequency list that ships with ``pyspellchecker`` (pure Python, no
dependencies; about 160,000 words with their counts in a large body of English text),
kept when they are at least :data:`COMMON_COUNT` times in it.
"""

from __future__ import annotations

import gzip
import json
import logging
from functools import lru_cache
from importlib import resources

logger = logging.getLogger(__name__)

COMMON_COUNT = 1000
"""Least count in the frequency list for a word to be common English (the list's smallest
count is 50)."""

_RESOURCE = ("spellchecker", "resources/en.json.gz")


@lru_cache(maxsize=4)
def common_words(least: int = COMMON_COUNT) -> frozenset[str]:
    """The lower-case English words counted at least ``least`` times, loaded once.

    Returns an empty set (and logs a warning) when the list cannot be read: the matcher
    then corrects every unknown word, as it did before the list existed.
    """
    package, name = _RESOURCE
    try:
        raw = resources.files(package).joinpath(name).read_bytes()
        counts = json.loads(gzip.decompress(raw))
    except (ModuleNotFoundError, OSError, EOFError, ValueError) as error:
        logger.warning("English word list unavailable (%s): every unknown word is corrected", error)
        return frozenset()
    if not isinstance(counts, dict):
        logger.warning("English word list unreadable: every unknown word is corrected")
        return frozenset()
    return frozenset(
        word
        for word, count in counts.items()
        if isinstance(word, str) and isinstance(count, int) and count >= least and word.isalpha()
    )

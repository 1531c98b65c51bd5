"""The matcher's reading rules, rewritten for speed, find what they found as first written.

Some of :mod:`bot.matching`'s patterns open with the letters their alternatives start with
(:func:`bot.matching._word_start`) rather than with ``\\b``, so the engine skips to those
letters; some are tried only on a text holding one of their keys (:class:`bot.matching._Keyed`).
Each is held here equal to its first form, match for match (spans and groups), on every
message of the labelled files, their normalised forms, their sentences, the real posts beside
the project when present, and random texts.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
import yaml

from bot import matching
from bot.matching import _Keyed, _word_start
from bot.reading import read
from bot.text import normalise

ROOT = Path(__file__).resolve().parents[2]
REAL_DEV = ROOT.parent / "shared" / "data" / "real_dev.yml"

_PLACES = "|".join(sorted(matching.SCIATICA_PLACES))
FIRST_FORMS: dict[str, str] = {
    "GESTATION": (
        r"\b(?:i am|she is|she|wife is|wife|partner is|partner) (?:1\d|2\d|3\d|4[0-2]) "
        r"(?:weeks|wks|wk)\b"
        r"(?! (?:ago|in|into|post|out|off|after|since|of|with|on|before|later)\b)"
    ),
    "PLANS_CANCELLED": (
        r"\bcancel(?:led|ed|ling|ing|s)?(?= (?:(?:a|an|my|our|the|all|his|her|their|some|two|"
        r"three|every|any) )*(?:trip|trips|holiday|holidays|plans|plan|flight|flights|wedding|"
        r"party|parties|event|events|weekend|weekends|vacation|date|dinner|gig|concert|match|"
        r"race|run|walk|class|classes|meeting|meetings|shift|shifts)\b)"
    ),
    "INSTRUCTING": (
        r"\b(?:tell|tells|telling|told|ask|asks|asking|asked)"
        r"(?= (?:her|him|them|(?:my|his|her|their|our|the) [a-z]+) to\b)"
    ),
    "BARE_CANCEL": r"\bcancel\b(?! (?:my|the|an|a|it|our|this|that|appointment)\b)",
    "TROUBLE_TOLD": r"\b(been|was|were|had|has|have) a problem\b",
    "DENIED_PLACE": rf"\b(?:no|not|never|nothing|without)(?: \w+){{0,7}}? (?:{_PLACES})\b",
    "NOT_SCIATICA": r"\b(?:not|no|nothing like) (?:a |the )?sciatic",
    "OTHER_BACK": r"\b(?:upper|mid|middle) (?:of (?:my |the )?)?back\b",
    "RUNS_TO_KNEE": (
        r"\b(?:down|to|into|past|below|as far as) (?:to )?(?:my |the |your |her |his )?"
        r"(?:back of (?:my |the |your |her |his )?)?knees?\b"
    ),
    "REPORTED": (
        r"(?:^|\b(?:the|my|a|our|her|his|their) )"
        r"(?:physio|physiotherapist|physical therapist|doctor|doc|dr|gp|surgeon|consultant|"
        r"specialist|orthopedist|neurologist|nurse|pharmacist|friend|wife|husband|partner|mum|"
        r"mom|dad|sister|brother|boss|colleague|cousin|neighbour|neighbor|mate) "
        r"(?:says|said|told me|tells me|reckons|reckoned|thinks|explained|mentioned)\b"
    ),
    "WEIGHING": (
        r"\b(?:which (?:one|of (?:them|the two|these|those)|is it|is right|is true|is correct"
        r"|(?:do|should|would|can) (?:i|you) (?:believe|trust|go with)"
        r"|(?:does|do) (?:it|this|that|my \w+) sound)"
        r"|who (?:do|should|to|can|would) (?:i |you )?(?:believe|trust|listen to)"
        r"|tell (?:them|the two|it|which|the difference)|difference|differ\b"
        r"|different(?: \w+)? (?:thing|things|condition|conditions|problem|problems|name)"
        r"|(?:are|is) (?:they|these|those|it|that|the two)(?: \w+)? different"
        r"|something (?:\w+ )?different|or (?:\w+ ){0,2}different"
        r"|same (?:thing|things|condition|as)|versus\b|vs\b)"
    ),
    "WEIGHING_OR_ASK": (
        r"\b(?:which|whether|is it|is this|is mine|do i have|have i got|could it be|might it be"
        r"|tell|know)\b"
    ),
    "DISAGREEING": (
        r"\b(?:confused|confusing|disagree\w*|contradict\w*|conflicting|mixed messages"
        r"|(?:can ?not|cannot|can t) (?:both|all) be right|not sure which|no idea which)\b"
    ),
    "COMPARING": (
        r"\b(?:worse|better|more serious|less serious|more painful|harder to treat) than\b"
    ),
}
"""Each rewritten or keyed pattern as it was first written."""


def _labelled() -> list[str]:
    messages: list[str] = []
    files = sorted((ROOT / "tests" / "data").glob("*.yml"))
    if REAL_DEV.exists():
        files.append(REAL_DEV)
    for path in files:
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if "q" in item:
                messages.append(item["q"])
            for turn in item.get("turns", []):
                if "say" in turn:
                    messages.append(turn["say"])
    return messages


def _random_texts(count: int) -> list[str]:
    """Random texts made of the patterns' own words, digits, blanks and punctuation: many
    near misses and word-boundary edges ("xno legs", "no-leg", "cancelled.trip")."""
    rng = random.Random(21)
    words = sorted(
        {w for source in FIRST_FORMS.values() for w in re.findall(r"[a-z]+", source)}
        | {"pain", "my", "leg", "legs", "knee", "weeks", "22", "14", "sciatica", "i", "x"}
    )
    glue = [" ", " ", " ", "", "-", ".", ", ", "'", "_", "\n", "é "]
    texts = []
    for _ in range(count):
        texts.append(
            "".join(rng.choice(words) + rng.choice(glue) for _ in range(rng.randint(1, 30)))
        )
        texts.append("".join(rng.choice("abcdeiklmnorstuwy 0123456789-_.") for _ in range(60)))
    return texts


@pytest.fixture(scope="module")
def texts() -> list[str]:
    messages = _labelled()
    assert len(messages) > 1000
    normalised = [normalise(m) for m in messages]
    parts = [p.text for m in messages for p in read(m).parts]
    texts = messages + normalised + parts + _random_texts(3000)
    # each match of a first form, with a letter glued before it: no longer at a word start
    glued = [
        text[: m.start()] + "x" + text[m.start() :]
        for source in FIRST_FORMS.values()
        for text in texts
        for m in re.finditer(source, text)
    ]
    return texts + glued


def _found(
    pattern: re.Pattern[str], text: str
) -> list[tuple[tuple[int, int], tuple[str | None, ...]]]:
    return [(m.span(), m.groups()) for m in pattern.finditer(text)]


@pytest.mark.parametrize("name", sorted(FIRST_FORMS))
def test_rewritten_pattern_finds_what_its_first_form_found(name: str, texts: list[str]) -> None:
    first = re.compile(FIRST_FORMS[name])
    now: re.Pattern[str] | _Keyed = getattr(matching, name)
    compiled = now.pattern if isinstance(now, _Keyed) else now
    # rewritten or keyed: otherwise this test compares nothing
    assert isinstance(now, _Keyed) or compiled.pattern != first.pattern
    found = skipped = 0
    for text in texts:
        expected = _found(first, text)
        assert _found(compiled, text) == expected, text
        searched = now.search(text)
        got = (searched.span(), searched.groups()) if searched else None
        assert got == (expected[0] if expected else None), text
        assert now.sub(" ", text) == first.sub(" ", text), text
        found += bool(expected)
        skipped += isinstance(now, _Keyed) and not now.may_match(text)
    assert found >= 5  # the texts hold matches, not only misses
    if isinstance(now, _Keyed):
        assert skipped > len(texts) / 4  # and its keys leave most texts untried


def test_word_start_checks_the_word_start_behind_the_first_letter() -> None:
    pattern = re.compile(_word_start("no", "not") + " leg")
    assert pattern.search("not leg")
    assert pattern.search("it is no leg").span() == (6, 12)
    assert not pattern.search("piano leg")
    assert not pattern.search("cannot leg")
    assert pattern.search("-not leg")


def test_word_start_refuses_an_alternative_not_opening_with_a_letter() -> None:
    with pytest.raises(ValueError, match="open with a letter"):
        _word_start("no", r"\bnot")

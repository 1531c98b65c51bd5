"""Reading a transcript: as typed text first, then its other readings for urgent symptoms.

Whisper hears "I can't pee" as "I can't be" and "I can't lift my foot" as "I can lift my
foot" often enough that the safety screen also reads the words the engine was unsure of as
the red-flag words they sound like (:data:`SOUNDS_LIKE`) and with "can"/"can't",
"no"/"know" flipped (:data:`NEGATION_FLIPS`). Those readings can only add an urgent
answer, never take one away.
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from bot.replies import ChatState, Reply
from bot.safety import Outcome, SafetyScreen
from bot.text import normalise, stem
from bot.voice.engine import Heard

if TYPE_CHECKING:
    from bot.dialogue import Dialogue

MIN_CONFIDENCE = 0.35
"""Below this the bot asks to repeat or type (see docs/voice.md)."""


NOT_HEARD = "not_heard"
"""The reply kind for a note nothing (or nothing sure) was heard in (its wording is
``voice_not_heard`` in ``messages.yml``; "I heard: ..." is ``voice_heard``)."""


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


HEARD_PLURAL: dict[str, str] = {
    word + "s": target for word, target in SOUNDS_LIKE.items() if word + "s" not in SOUNDS_LIKE
}
"""A sound-alike heard with an "s" on the end ("my gums" for "numb"): read as the same
red-flag word, but only in the readings checked against the audio (:func:`variants`)."""


NEGATION_FLIPS: dict[str, str] = {
    "can": "can't",
    "can't": "can",
    "cannot": "can",
    "no": "know",
    "know": "no",
}
"""Words noise turns into each other where the difference decides an urgent reading ("I can't
lift my foot" heard as "I can lift my foot"). Where one is unsure, both readings are screened."""

CHECKED_FLIPS: dict[str, str] = {"can": "can't", "not": "now", "know": "no"}
"""Flips noise makes that can turn a note urgent ("they're now getting weak" heard as "not
getting weak"). Where the engine is unsure of the word, the flipped reading is checked
against the audio and counts only where the audio likes the flipped word at least as well
as the heard one (:func:`supported`); the other way ("can't" as "can") could only take an
urgent answer away."""

UNSURE_PROBABILITY = 0.9
"""A word the engine gives less than this is one it may have misheard (see :func:`unsure`)."""

SUPPORTED = 0.001
"""A sound-alike reading the decoder gives its red-flag word at least this probability, made
to read it from the note's audio alone (no prompt), is one the audio supports (see
:func:`supported`). On the tuning clips the true "pee"/"peed" readings got 0.0018 to 0.028,
the one look-alike whose reading screens urgent (a noisy "my cat keeps being sick" heard as
"my cannot be experienced") 0.0006: the floor sits between them."""

IN_PLACE_OF_PULLED = ("loo", "toilet", "wee", "pee", "numb", "bum")
"""Everyday words of urgent symptoms a word the prompt put in a transcript may stand for
(:attr:`Heard.pulled`: "I can't tell when I need the lumbar" said as "... the loo"). Each in
its place is a reading checked against the audio (:func:`variants`)."""

SECOND_BELOW = 0.8
"""Under this confidence the engine decodes a note a second time without the prompt (about a
tenth of a second: the audio is encoded once) and screens those readings too."""

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
    out.update(i for i in heard.pulled if i < len(words))
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


_SWAPS_OF_TRANSCRIPT = ((SOUNDS_LIKE,), (NEGATION_FLIPS,), (SOUNDS_LIKE, NEGATION_FLIPS))
"""The transcript's unsure words are read as the red-flag word they sound like, with "can"
and "can't" (or "no" and "know") flipped, and both."""
_SWAPS_OF_ALTERNATIVES = ((NEGATION_FLIPS,),)
"""An alternative of the beam is already a weaker reading: only its negations are flipped; a
sound-alike read into it would be a guess upon a guess (a noisy "my cat keeps being sick"
has an alternative "my cannot be experienced", which is not "cannot pee")."""


def hypotheses(heard: Heard, limit: int = 24) -> list[str]:
    """Other readings of a transcript to screen for urgent symptoms, the transcript itself
    left out (it is answered as typed).

    Each alternative of the beam as it is; the transcript with its unsure words
    (:func:`unsure`) swapped for the red-flag word they sound like, flipped between "can" and
    "can't" or "no" and "know", and both; and each alternative with those negations flipped
    where it is unsure (the words where it differs from the transcript and the ones unsure
    there).
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
        for tables in (
            ((SOUNDS_LIKE,), (NEGATION_FLIPS,), (SOUNDS_LIKE, NEGATION_FLIPS))
            if not number
            else ((NEGATION_FLIPS,),)
        ):
            reading = list(tokens)
            for i in shaky:
                for table in tables:
                    swapped = _swap(reading[i], table)
                    if swapped != reading[i]:
                        reading[i] = swapped
                        break
            add(" ".join(reading))
    return out[:limit]


def variants(heard: Heard, limit: int = 6) -> list[str]:
    """Readings of ``heard`` to check against the audio: the transcript and each alternative
    of the beam with one word the red-flag word it sounds like (:data:`SOUNDS_LIKE`, and
    :data:`HEARD_PLURAL`), whether
    the engine was sure of that word or not; and before them, the transcript with each word
    the prompt put there (:attr:`Heard.pulled`) read as each of :data:`IN_PLACE_OF_PULLED`,
    and with each unsure word of :data:`CHECKED_FLIPS` flipped ("not" as "now").

    The engine reads each of them with its decoder (:attr:`Heard.checked`); a reading whose
    changed word the audio supports (:data:`SUPPORTED`) is screened like the beam's own
    alternatives (:func:`urgent_reading`). A "be" the audio says is as likely "pee" is
    screened as "pee"; one it says is "be" stays "be".
    """
    out: dict[str, str] = {}
    tokens = heard.text.split()
    for i in heard.pulled:
        if i >= len(tokens):
            continue
        for word in IN_PLACE_OF_PULLED:
            core = tokens[i].strip(_PUNCTUATION)
            swapped = tokens[i].replace(core, word, 1) if core else word
            reading = " ".join([*tokens[:i], swapped, *tokens[i + 1 :]])
            out.setdefault(normalise(reading), reading)
    doubtful = unsure(heard)
    for i, token in enumerate(tokens):
        if i in doubtful and _key(token) in CHECKED_FLIPS:
            reading = " ".join([*tokens[:i], _swap(token, CHECKED_FLIPS), *tokens[i + 1 :]])
            out.setdefault(normalise(reading), reading)
    start = len(out)
    for source in (heard.text, *heard.alternatives):
        tokens = source.split()
        for i, token in enumerate(tokens):
            swapped = _swap(_swap(token, SOUNDS_LIKE), HEARD_PLURAL)
            if swapped == token:
                continue
            reading = " ".join([*tokens[:i], swapped, *tokens[i + 1 :]])
            out.setdefault(normalise(reading), reading)  # not twice for a comma
            if len(out) - start >= limit:
                return list(out.values())
    return list(out.values())


def supported(heard: Heard) -> list[str]:
    """The readings the engine checked (:attr:`Heard.checked`) whose changed words the audio
    supports: the decoder, made to read them, gave each of those words at least
    :data:`SUPPORTED`, and a word in place of one the prompt put there
    (:attr:`Heard.pulled`) or a flipped negation (:data:`CHECKED_FLIPS`) at least what the
    audio gives the word heard."""
    out = []
    for reading, probabilities in heard.checked:
        words = reading.split()
        if len(probabilities) != len(words):
            continue
        for source in (heard.text, *heard.alternatives):
            kept = _matched([_key(w) for w in words], [_key(w) for w in source.split()])
            changed = [i for i in range(len(words)) if i not in kept]
            if len(changed) == 1 and len(source.split()) == len(words):
                at = changed[0]
                floor = SUPPORTED
                was, now = _key(source.split()[at]), _key(words[at])
                compared = CHECKED_FLIPS.get(was) == now or (
                    now in IN_PLACE_OF_PULLED
                    and SOUNDS_LIKE.get(was) != now
                    and HEARD_PLURAL.get(was) != now
                )  # a flip, or an everyday word in place of one the prompt put there
                if compared:
                    if source != heard.text or len(heard.words) != len(words):
                        break  # nothing to compare with (a long note's first window)
                    floor = max(floor, heard.words[at])  # as likely as the word heard
                if probabilities[at] >= floor:
                    out.append(reading)
                break
    return out


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
        heard.checked,
        tuple(i for i in heard.pulled if i < len(text.split())),
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


# --- safety over the other readings ----------------------------------------------------------


def urgent_reading(screen: SafetyScreen, heard: Heard) -> Outcome | None:
    """``CRISIS`` or ``URGENT`` when another reading of ``heard`` screens so on words it
    heard differently from the transcript, else None.

    The readings are :func:`hypotheses` and the sound-alike readings the audio supports
    (:func:`supported`). The transcript itself goes through the dialogue as typed text; this
    only adds. A reading
    counts only when its red-flag finding rests on a word it changed (:func:`_rests_on`): an
    alternative that differs from the transcript elsewhere (a "tap" heard as "tab" beside a
    "leaking" both heard) says nothing new about the symptom.
    """
    said = normalise(heard.text).split()
    found: Outcome | None = None
    checked = supported(heard)
    for reading in dict.fromkeys([*hypotheses(heard), *checked]):
        assessment = screen.assess(reading)
        if assessment.outcome not in (Outcome.CRISIS, Outcome.URGENT):
            continue
        changed = _changed(normalise(reading).split(), said)
        flipped = reading in checked and changed and _FLIP_WORDS.issuperset(changed)
        if not flipped and not any(
            _rests_on(finding.words, changed)
            for finding in assessment.findings
            if finding.outcome == assessment.outcome
        ):
            continue
        if assessment.outcome == Outcome.CRISIS:
            return Outcome.CRISIS
        found = Outcome.URGENT
    return found


_FLIP_WORDS = frozenset(
    w
    for table in (NEGATION_FLIPS, CHECKED_FLIPS)
    for pair in table.items()
    for word in pair
    for w in normalise(word).split()
)
"""The flipped negations as the screen reads them: a reading that differs from the transcript
only in these (the transcript screened not urgent) is urgent because of the flip."""


def _changed(reading: list[str], said: list[str]) -> list[str]:
    """The words of ``reading`` that do not line up with the same word of ``said``."""
    kept = _matched(reading, said)
    return [word for i, word in enumerate(reading) if i not in kept]


def _rests_on(terms: tuple[str, ...], changed: list[str]) -> bool:
    """True when a word of the screen's matched ``terms`` is one of the ``changed`` words
    (same stem, or a near spelling of five letters or more, as the screen reads words)."""
    wanted = {stem(word) for term in terms for word in normalise(term).split()}
    return any(
        stem(word) in wanted or (len(word) >= 5 and any(fuzz.ratio(word, w) >= 84 for w in wanted))
        for word in changed
    )


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

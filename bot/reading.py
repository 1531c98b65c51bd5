"""Find the ask in a message, the way a receptionist reads one.

People rarely write one tidy question. They tell a story over several sentences and may end it
with a question, or ask in the middle, or not ask at all. :func:`read` splits a message into
sentences and separates the questions (the focus: what to answer) from the rest (the context:
symptoms, what was tried, who is asking). The matcher then scores the question with the story
as a quieter background, so the words of the story do not drown the question.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.text import BOUNDARY, DASH, MAX_TOKENS, STOPWORDS, Sentence, sentences

FILLERS = frozenset(
    """
    so and but ok okay also hi hey hello sorry well um uh anyway anyways basically right
    then oh yeah yes no please pls thanks thank just quick question honestly seriously lol
    dear all everyone guys folks sir madam doc doctor
    """.split()  # noqa: SIM905 - a word list reads best as text
)
"""Words people put before a question ("so, um, what ...")."""

OPENERS = frozenset(
    """
    what whats how why when where who which whom whose can could does do did is are was
    were should would will may might has have shall am any anyone anybody whether
    """.split()  # noqa: SIM905
)
"""Words a question starts with."""

ASKING_PHRASES: tuple[str, ...] = (
    "i was wondering",
    "i am wondering",
    "wondering if",
    "wondering whether",
    "wondered if",
    "wondered whether",
    "want to know",
    "wanted to know",
    "i would like to know",
    "i need to know",
    "i would love to know",
    "can you tell me",
    "could you tell me",
    "please tell me",
    "please explain",
    "please discuss",
    "please describe",
    "can you explain",
    "could you explain",
    "tell me",
    "any advice",
    "any tips",
    "any ideas",
    "any suggestions",
    "advice please",
    "help please",
    "please help",
    "need advice",
    "need help",
    "looking for advice",
    "what do you think",
    "is it worth",
    "i wonder",
)
"""Phrases that make a sentence a question without a question mark."""


REFERRING = frozenset({"that", "these", "those", "either", "both", "them", "they", "one"})
"""Words that point back at what was said just before ("which one helps?", "is that ok?",
"do they work?"). "It" and "this" are left out: they mostly name the trouble itself ("can
massage fix this?"), which the question already says."""


SHORT_ASK = 4
"""A question of this many words or fewer that asks for a judgement (:data:`JUDGING`) and
names nothing else ("worth a go?", "any good?", "is it safe?") judges what was just told."""
JUDGING = frozenset(
    """
    worth good ok okay alright safe help helps work works useful effective wise go try shot
    right true correct
    """.split()  # noqa: SIM905
)
"""Words of a question asking whether something is worth doing, safe or of use, or whether
what someone said is so ("is she right?", "is that true?")."""


@dataclass(frozen=True)
class Part:
    """One sentence of a message, normalised, and whether it asks something."""

    text: str
    question: bool

    @property
    def judges(self) -> bool:
        """A short question judging something it does not name ("worth a go?", "is she
        right?"): it asks about what was just told, nothing of its own."""
        words = self.text.split()
        return (
            self.question
            and len(words) <= SHORT_ASK
            and not JUDGING.isdisjoint(words)
            and all(w in JUDGING or w in STOPWORDS for w in words)
        )

    @property
    def refers(self) -> bool:
        """It points back at the sentence before ("which one helps?"), or is a short question
        judging something it does not name (:data:`SHORT_ASK`)."""
        return not REFERRING.isdisjoint(self.text.split()) or self.judges


@dataclass(frozen=True)
class Reading:
    """A message split into what it asks and what it tells.

    Attributes:
        whole: The whole message, normalised (within the matcher's budget for one sentence).
        parts: Its sentences, in order (empty for a one-sentence message).
    """

    whole: str
    parts: tuple[Part, ...] = ()

    @property
    def story(self) -> bool:
        """More than one sentence."""
        return len(self.parts) > 1


AUXILIARIES = frozenset(
    """
    will would can could does do did is are was were should shall might may am has have
    """.split()  # noqa: SIM905 - a word list reads best as text
)
"""Words that, right after a question word, make it ask ("when will it stop", "why does it
hurt")."""

TELLING_OPENERS = frozenset({"when", "whenever", "where", "why"})
"""Question words that, without a question mark and with no auxiliary straight after them
(:data:`AUXILIARIES`), open a clause that tells: a time, a place or a reason ("when I sit
down it burns", "when the nurse came she noticed", "where I live there is no clinic", "why
it hurts on the left is a mystery")."""

RELATIVE_OPENERS = frozenset({"which", "who"})
"""Question words that, without a question mark and before "was" or "were", carry on the
sentence before ("... which was funny, since I could not move my foot")."""
RELATIVE_PAST = frozenset({"was", "were"})


NOT_ASKING_AFTER = frozenset({"not", "been", "had", "got"})
"""Without a question mark, a question word followed by one of these starts a statement
whose subject was left out ("don't really know what i'm doing", "didn't have this before",
"have been off work", "was not told")."""


CLEFT_SUBJECTS = frozenset({"i", "we", "you", "he", "she", "they", "my", "the", "it"})
CLEFT_VERBS = frozenset({"was", "is", "were", "are"})


INVERTED_SUBJECTS = frozenset({"it", "that", "this", "there", "he", "she", "they", "you"})
"""After "was" or "is", a subject that turns a sentence round into a question ("what helped
you, was it massage")."""
CLEFT_DOINGS = frozenset({"made", "did", "helped", "worked", "fixed", "sorted", "changed"})
"""Verbs of "what finally made a dent was ...", "what helped most was ...": "what" their subject."""


def _pseudo_cleft(words: list[str]) -> bool:
    """ "What I felt was a burning pain", "what the doctor said is ...": a statement that
    starts with "what" and puts its subject and a verb before "was" or "is"; or, "what"
    itself the subject, a verb of what helped ("what finally made a dent was a therapist")."""
    if len(words) <= 3 or words[0] != "what":
        return False
    rest = words[2:] if words[1].endswith("ly") else words[1:]
    if rest[0] in CLEFT_DOINGS:
        at = next((i for i, w in enumerate(rest[1:7], 1) if w in CLEFT_VERBS), None)
        # "what helped you, was it massage": a question turned round
        if at is not None and (at + 1 >= len(rest) or rest[at + 1] not in INVERTED_SUBJECTS):
            return True
    return (
        words[1] in CLEFT_SUBJECTS
        and words[2] not in CLEFT_VERBS
        and not CLEFT_VERBS.isdisjoint(words[3:7])
    )


RHETORICAL: tuple[str, ...] = (
    "who is counting",
    "who counting",
    "who knew",
    "who would have thought",
    "who would have guessed",
    "what can i say",
    "what can you do",
    "what else is new",
    "guess what",
    "you know what",
    "why me",
    "can you believe it",
    "can you imagine",
    "how about that",
    "how cool is that",
    "how crazy is that",
    "what are the odds",
)
"""Questions that ask nothing: asides a story makes ("but who's counting?", "what can I
say?"). A sentence that is one of them, or ends with one, is told, not asked."""

SAYING_OPENERS: tuple[tuple[str, ...], ...] = tuple(
    tuple(phrase.split())
    for phrase in (
        "can i just say",
        "can i say",
        "may i say",
        "may i just say",
        "can i just add",
        "can i just tell you",
        "let me just say",
    )
)
"""Openings that announce what follows ("Can I just say, I was a total sceptic"): without a
question mark, the sentence tells, it does not ask."""

_ASIDES: dict[str, list[tuple[str, ...]]] = {}
for _phrase in RHETORICAL:
    _ASIDES.setdefault(_phrase.split()[-1], []).append(tuple(_phrase.split()))

EXCLAMATIVE = frozenset({"a", "an"})
"""After a sentence's opening "what": "what a day that was!", "what an experience" exclaim."""


def _rhetorical(words: list[str], marked: bool) -> bool:
    """A sentence that is, or ends with, a question asking nothing (:data:`RHETORICAL`), or
    that exclaims without a question mark ("what a terrifying experience that was!")."""
    if not marked and len(words) > 2 and words[0] == "what" and words[1] in EXCLAMATIVE:
        return True
    return _aside_length(words) > 0


def _by_first_word(phrases: Sequence[str]) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Phrases as runs of words, by their first word."""
    out: dict[str, tuple[tuple[str, ...], ...]] = {}
    for phrase in phrases:
        words = tuple(phrase.split())
        out[words[0]] = (*out.get(words[0], ()), words)
    return out


_ASKING = _by_first_word(ASKING_PHRASES)
""":data:`ASKING_PHRASES` as :func:`is_question` looks for them, by their first word: each
word of a sentence is looked up once (rather than every phrase tried at every space of it)."""
_ASKING_FIRST = frozenset(_ASKING)
"""The first words of :data:`ASKING_PHRASES`."""


def is_question(words: list[str], marked: bool) -> bool:
    """Whether a sentence asks something: a question mark, a question word at its start
    (after fillers) that does not start a statement, or a phrase such as "any advice".
    An aside that asks nothing ("who's counting?", :func:`_rhetorical`) is no question.

    Without a question mark, two words or fewer ("why not", "y/n") do not start a question."""
    rest = words
    while rest and rest[0] in FILLERS:
        rest = rest[1:]
    if _rhetorical(rest, marked):
        return False
    if marked:
        return True
    if any(tuple(rest[: len(opener)]) == opener for opener in SAYING_OPENERS):
        return False
    if (
        len(words) > 2
        and rest
        and rest[0] in OPENERS
        and not (len(rest) > 1 and rest[1] in NOT_ASKING_AFTER)
        and not _pseudo_cleft(rest)
        and not _telling_clause(rest)
    ):
        return True
    if _ASKING_FIRST.isdisjoint(words):
        return False  # no word of it starts such a phrase
    for i, word in enumerate(words):
        for phrase in _ASKING.get(word, ()):
            if tuple(words[i : i + len(phrase)]) == phrase:
                return True
    return False


def _telling_clause(words: list[str]) -> bool:
    """An unmarked sentence whose question word opens a clause that tells: a time, place or
    reason with no auxiliary after it (:data:`TELLING_OPENERS`), or a relative "which was"
    carrying on the sentence before (:data:`RELATIVE_OPENERS`)."""
    if len(words) < 2:
        return False
    if words[0] in TELLING_OPENERS:
        return words[1] not in AUXILIARIES
    return words[0] in RELATIVE_OPENERS and words[1] in RELATIVE_PAST


def _clauses(sentence: Sentence) -> list[Part]:
    """A sentence as parts: a clause after a dash that asks something stands on its own
    ("my friend swears by it - can massage really help"), and so does one after a comma that
    asks what the writer should do (:func:`_asked_after_comma`); the question mark belongs to
    the last clause."""
    if DASH in sentence.tokens:
        pieces: list[list[str]] = [[]]
        for token in sentence.tokens:
            if token == DASH:
                pieces.append([])
            elif token != BOUNDARY:
                pieces[-1].append(token)
        pieces = [piece[:MAX_TOKENS] for piece in pieces if piece]
        if len(pieces) > 1 and any(is_question(p, False) for p in pieces[1:]):
            last = len(pieces) - 1
            return [
                Part(" ".join(p), is_question(p, sentence.question and i == last))
                for i, p in enumerate(pieces)
            ]
    asked = _asked_after_comma(sentence)
    if asked:
        return asked
    words = sentence.words[:MAX_TOKENS]
    if not words:
        return []
    question = not _quoted_question(sentence.text) and is_question(words, sentence.question)
    # An aside that asks nothing ("... but who's counting?") says nothing of the topic either.
    told = _without_aside(words)
    return [Part(" ".join(told or words), question)]


CLAUSE_WORDS = 4
"""Fewest words of each side of a comma for :func:`_asked_after_comma` to split a sentence:
"can I book" after a comma is too short to be asked on its own words."""
INVERTING = frozenset(
    "should can could do did will would may might shall am".split()  # noqa: SIM905
)
"""Auxiliaries that open the writer's own question when "I" follows ("should I", "can I")."""
POINTING = REFERRING | {"it", "this"}
"""Words by which a question points back at the clause before ("tramadol makes me dizzy,
should I stop it"): that clause is what it asks about, and the sentence stays whole."""
REQUESTING = frozenset(
    "explain tell describe show give list define recommend suggest".split()  # noqa: SIM905
)
"""Verbs that open a request ("explain scans for sciatica, do I need one"): the clause before
the comma asks too, it tells nothing."""


def _asked_after_comma(sentence: Sentence) -> list[Part]:
    """A sentence that tells something and then, after a comma, asks what the writer should
    or can do ("had an MRI in March, should I bring the report"), as two parts: what it
    tells and what it asks. Empty when it does not."""
    if (
        BOUNDARY not in sentence.tokens
        or "i" not in sentence.tokens
        or INVERTING.isdisjoint(sentence.tokens)
    ):
        return []  # no comma, or no "should I" after one
    tokens = [t for t in sentence.tokens[:MAX_TOKENS] if t != DASH]
    for cut, token in enumerate(tokens):
        if token != BOUNDARY or not _asks_own(tokens, cut + 1):
            continue
        before = [t for t in tokens[:cut] if t != BOUNDARY]
        after = [t for t in tokens[cut + 1 :] if t != BOUNDARY]
        while after and after[0] in FILLERS:
            after = after[1:]
        if (
            len(before) >= CLAUSE_WORDS
            and len(after) >= CLAUSE_WORDS
            and after[0] in INVERTING
            and after[1] == "i"
            and before[0] not in REQUESTING
            and POINTING.isdisjoint(after[:4])
            and not is_question(before, False)
        ):
            return [Part(" ".join(before), False), Part(" ".join(after), True)]
    return []


def _asks_own(tokens: list[str], start: int) -> bool:
    """Whether the words from ``start`` (after a comma, past fillers) open the writer's own
    question, "should I", "can I" (:data:`INVERTING`): the cheap test of
    :func:`_asked_after_comma`, before it joins the words on either side of the comma."""
    words = (t for t in tokens[start:] if t != BOUNDARY)
    first = next((w for w in words if w not in FILLERS), None)
    return first in INVERTING and next(words, None) == "i"


QUOTES = frozenset('"“”')
"""Double quotation marks, straight and curly."""


def _quoted_question(text: str) -> bool:
    """Whether a sentence's question mark stands inside a quotation (an odd number of double
    quotation marks before it): someone else's words reported ('"Did you have a good
    massage?" she asks', 'he said, "should we work the glutes?"'), not the writer's ask."""
    at = text.rfind("?")
    if at < 0:
        return False
    # a closing mark left at the start by the sentence before ('..."  To which I reply')
    start = 1 if text[:1] in QUOTES and text[1:2].isspace() else 0
    return sum(text.count(mark, start, at) for mark in QUOTES) % 2 == 1


def _without_aside(words: list[str]) -> list[str]:
    """The words before a closing aside that asks nothing (:data:`RHETORICAL`)."""
    n = _aside_length(words)
    return words[: len(words) - n] if n else words


def _aside_length(words: list[str]) -> int:
    """How many words a closing aside that asks nothing takes at the end (0: none)."""
    if not words:
        return 0
    for phrase in _ASIDES.get(words[-1], ()):
        n = len(phrase)
        if len(words) >= n and tuple(words[-n:]) == phrase:
            return n
    return 0


def read(message: str, split: Sequence[Sentence] | None = None) -> Reading:
    """Split a message into its questions and its context.

    Args:
        message: The message as typed.
        split: Its sentences, when already split (:func:`bot.text.sentences`).
    """
    parts: list[Part] = []
    for sentence in (sentences(message) if split is None else split)[:MAX_SENTENCES]:
        parts.extend(_clauses(sentence))
    del parts[MAX_SENTENCES:]
    if len(parts) <= 1:
        return Reading(parts[0].text if parts else "")
    return Reading(" ".join(p.text for p in parts), tuple(parts))


MAX_SENTENCES = 40
"""Sentences (and clauses split off at a dash) of a story that are read (Telegram's 4,096
characters hold about 40)."""

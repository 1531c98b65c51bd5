"""The urgent-symptom screen: does this message describe an emergency, now, for someone?

Runs on every message before the intent matcher, on all of it. It does not answer yes or no:
it finds every mention of a red flag (rules in the ``screen:`` section of the intent files)
and reads the words around each one the way clinical NLP does it (NegEx, Chapman et al. 2001;
ConText, Harkema et al. 2009): trigger terms with a scope, pseudo-triggers that look like
triggers but are not, and terminators that end a scope. The trigger lists are data too
(``context:``), so a clinic can extend them without code.

Unlike the published trigger lists, "can't pee", "no control of my bladder", "unable to lift
my foot" and "lost feeling" are the symptom here, not its negation: a trigger that is part of a
red-flag term never negates it.

Each mention reads as one of:

- affirmed: the writer has it now -> :attr:`Outcome.URGENT`;
- someone else has it now ("my husband can't feel his legs") -> :attr:`Outcome.URGENT`;
- asked about ("can sciatica make you lose bladder control?") -> :attr:`Outcome.ASKING`;
- denied ("no numbness down there") -> :attr:`Outcome.DENIED`;
- past and over ("fell off my bike as a kid") -> :attr:`Outcome.PAST`;
- another person's history ("my aunt had cancer") -> :attr:`Outcome.OTHER_HISTORY`;
- thoughts of suicide or self-harm -> :attr:`Outcome.CRISIS`.

A sign may be told over two sentences: "My left foot. It slaps the ground." reads the "it" as
the foot (the ``antecedents`` list), and a fragment ("Numb.", "Won't lift.") is read on from
the sentence before. A question about a sign followed by "that's happening to me" (the
``affirming`` list) is the writer's own sign, and a person the writer acted on ("I tripped
over my son's bike", the ``object_markers`` list) is not the one who has it. A sign the next
sentence opens by saying is over ("... my bum was numb. All fine after a night's sleep.", the
``resolved`` list) is past.

The message's outcome is the most serious of its mentions: crisis, then urgent, then asking,
then the rest. Pure functions over rules compiled once; no I/O.
"""

from __future__ import annotations

import enum
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import pairwise, product

from rapidfuzz import fuzz, process

from bot.content import RED_FLAGS, Content, ScreenRule
from bot.reading import AUXILIARIES, is_question
from bot.text import BOUNDARY, DASH, MAX_READ_CHARS, Sentence, normalise, sentences, stem

MAX_SCREEN_CHARS = MAX_READ_CHARS
"""Characters of a message the screen reads: all of a Telegram message (4,096) and more."""

NEGATION_SCOPE = 6
"""Most words between a negation trigger and the red-flag term it negates."""
ANIMAL_SCOPE = 6
"""Most words between an animal and the sign it has ("the dog had an accident", "our dog was
found lying in a wet bed")."""
_ANIMALS = frozenset(
    """
    dog dogs puppy puppies pup pups cat cats kitten kittens horse horses pony ponies rabbit
    rabbits bunny hamster hamsters guinea pig pigs pet pets dachshund spaniel labrador
    collie terrier greyhound whippet bulldog poodle pug retriever mare mares stallion
    stallions gelding geldings foal foals filly fillies colt colts donkey donkeys
    goat goats ewe ewes
    """.split()  # noqa: SIM905 - a word list reads best as text
)
"""Animals, whose accidents, falls and lost legs are theirs ("cat" before "scan" is none)."""
_SCANS = frozenset({"scan", "scans", "scanner"})
"""After "cat", a CAT scan."""
_CASELOAD = frozenset({"patients", "residents", "clients", "users"})
"""The people a carer, nurse or therapist looks after at work: their signs, told in the plural,
are the writer's work ("half my residents are incontinent", "my service users"), not
someone's emergency now. The last word of the person named is looked at."""
_STRANGERS = frozenset(
    {"woman", "women", "man", "men", "lady", "ladies", "gentleman", "bloke", "people"}
)
"""People named by no tie to the writer: after :data:`_CASELOAD` in the sentence, one of them
("half my residents ... and one gentleman has lost the use of his legs")."""
SELF_NAMING_REACH = 4
"""Most words from "am a" to a person word that is the writer ("I'm a 45 year old woman")."""
_JOINING = frozenset({"and", "or", "with", "who", "of", "for", "to", "but"})
"""Words after which a person named is no longer what the writer says they are."""
_SAID_NOT = frozenset({"not", "never"})
"""A word right before an ``unless`` term that says it does not hold ("he's not been dieting",
"she isn't on a diet"): it explains nothing."""
_CASE_ONE = frozenset({"patient", "client", "resident"})
"""One of a caseload: at work ("last night's patient"), the writer's work too."""
_CARING_JOBS = frozenset(
    {"nurse", "carer", "paramedic", "midwife", "hca", "physio", "physiotherapist", "doctor"}
)
"""Jobs that look after people who are ill: a writer who says they do one ("I'm a district
nurse") tells of strangers and patients at work, whose signs are the job's, not an emergency
of someone the writer is asking for."""
_CARING_PAIRS = frozenset({("care", "worker"), ("support", "worker"), ("care", "assistant")})
"""The same jobs in two words."""
_TOLD_OF = frozenset({"where", "about", "which", "whereby"})
"""After a word of now, these make it the time something was read or watched ("a thread last
night about cauda equina", "a documentary last night where a man ..."), not when a sign
began: it ends no hypothetical's scope."""
LIST_ITEMS = 2
"""Fewest commas between a negation and a term it denies from further away than
:data:`NEGATION_SCOPE` (one "or" is enough): a list ("no fever, chills, weight loss, numbness");
one comma is as often a new thought ("haven't slept, both legs numb")."""
_LIST_SEPARATORS = frozenset({BOUNDARY, "or", "nor"})
"""What separates the items of a list of denied signs."""
POST_NEGATION_SCOPE = 4
"""Most words between a red-flag term and a trailing denial ("bladder is fine")."""
FRAGMENT_WORDS = 3
"""A sentence of at most this many words ("Won't lift.", "Numb.") is read on from the one
before."""
BRIDGE_WORDS = 16
"""Most words of the sentence before that a fragment is read with."""
_PRONOUNS = frozenset({"it", "they", "them"})
"""A sentence opening with one of these is about the last body part named before it."""
_BOTH_OF = frozenset({"mine", "them", "those", "these"})
"""After "both of" opening a sentence, the last body part named before it ("Both of mine")."""
_THIRD_PERSON = frozenset({"he", "she", "him", "his", "her", "hers"})
"""Pronouns that may stand for an animal named before them."""
_SUBJECTS = frozenset({"he", "she", "they"})
"""Pronouns whose "-ing" word after them is the present ("she's burning hot")."""
_NOT_VERBS = frozenset({"nothing", "something", "anything", "everything", "during", "thing"})
"""Words ending in "-ing" that are no present of a verb."""
_WRITER = frozenset({"i", "we"})
"""Subjects whose present tense ("I'm a midwife") is the writer's, not another person's."""
_WRITERS_VERB = frozenset({"am", "are"})
"""The writer's "be", between :data:`_WRITER` and a present-tense word ("I am just curious")."""
_DETERMINERS = frozenset({"my", "the", "our", "a", "his", "her", "their", "your"})
"""Words between a verb and the person it acts on ("carrying my daughter")."""
_DEGREE = frozenset({"so", "that", "too", "such"})
"""After the pronoun, these make it the "it" of "it was that bad", about nothing named."""
_ARTICLES = frozenset({"the", "a", "an"})
_COPULAS = frozenset({"is", "was", "are", "were"})
"""After the pronoun (and a filler: "it's just the pain"), these make it point ahead to the
thing named after them, not back to a body part."""
_SPAN_WORDS = frozenset(
    """
    a an the about nearly almost over like just only past last few couple of two three four
    five six seven eight nine ten several many
    """.split()  # noqa: SIM905 - a word list reads best as text
)
"""Words of an amount of time between "it's been" and its unit ("it's been a couple of")."""
_TIME_UNITS = frozenset(
    """
    hour hours day days week weeks month months year years fortnight while ages forever
    """.split()  # noqa: SIM905 - a word list reads best as text
)
"""Units of time: "it's been two weeks of pain" is the time gone by, not a body part."""
_OBJECTS = frozenset({"him", "them"})
# Who else may stand between a limb and a verb of failing, as its subject instead.
_PEOPLE = frozenset({"i", "you", "he", "she", "we", "they", "someone", "somebody"})
# Words that name which limb, after a determiner: "my right foot", "the other one".
_SIDES = frozenset({"left", "right", "other", "front", "whole", "bad", "good", "big", "one"})
# Words that may stand between a pronoun subject and its verb: "it just stays down".
_FILLERS = frozenset({"just", "still", "now", "also", "simply", "then", "sometimes", "often"})
"""Pronouns that are what is acted on, never the one who tells of a sign."""
_MOVING = frozenset({"lift", "raise", "move", "pick", "flex", "bend", "straighten", "point"})
"""Verbs whose "it" or "them" ("I can't lift it") is the body part named before it in the
sentence, when nothing else was named since (see :meth:`SafetyScreen._resolved`)."""
_NOW = frozenset({"now", "today", "tonight", "yesterday", "this", "last", "since"})
"""First words of the ``current`` phrases that tell of now ("now", "this morning", "since
yesterday"), which end a hypothetical's scope; not "suddenly" ("what if I suddenly lose
control")."""
AFFIRMING_SCOPE = 4
"""Most words before "that's happening to me" where a denial or "if" unsays it."""
DENIED_ALL_OPENING = 4
"""Most words before a ``denied_all`` phrase ("None of that", "There wasn't any of that") for
it to open its sentence and answer the questions reported in the one before."""
RECOVERY_OPENING = 3
"""Most words before a ``resolved`` phrase ("All fine after a night's sleep", "All the
feeling's back now") for it to open its sentence and say the sign told just before is over."""
_SAID = frozenset({"says", "said", "say", "insists", "insisted", "claims", "claimed", "reckons"})
"""Before a recovery, these make it a claim ("He says he's fine"), which may play a sign down."""
_ONGOING = frozenset({"now", "still", "currently", "since", "again", "anymore"})
"""Words saying a sign goes on or is back: a recovery told in the next sentence does not undo
it ("my bum is still numb. All fine otherwise")."""
_ASKED = frozenset({"asked", "asks", "asking", "questions"})
"""Words that report questions put to the writer ("the GP asked whether ..."), which a
``denied_all`` answer opening the next sentence denies."""
_THEIR = frozenset({"her", "his"})
"""Possessives before a body part that is someone else's ("her back", "his lower back")."""
_BODY_OF_CANCER = frozenset(
    {"back", "spine", "hip", "hips", "pelvis", "ribs", "leg", "legs", "bones", "neck"}
)
"""Where a cancer spreads to the spine or the bones is felt: pain there after a history of
cancer is a red flag, the writer's or someone else's."""
POSSESSIVE_REACH = 3
"""Most words from "her" or "his" to the body part ("his lower back")."""
_DIED = frozenset({"died", "passed", "death", "funeral", "late"})
"""Words saying someone is dead: their history of cancer has no "now"."""
HYPOTHETICAL_SCOPE = 12
"""Most words between "what if", "signs of", ... and the term they make hypothetical."""
TOLD_OF_GAP = 3
"""Most words between a hypothetical trigger and the "where" or "about" that tells what it
holds ("a documentary last night where ..."), which then reaches to the end of its clause."""
EXCUSE_SCOPE = 8
"""Most words between a reason given to play a sign down ("he says it's just", "puts it down
to") and the ``unless`` term it gives, which then explains nothing."""
WORD_CACHE_SIZE = 16_384
"""Tokens whose screen words are remembered before the memory starts afresh (as many as
:data:`bot.text.WORD_CACHE_SIZE`: each new word a chat sends costs one entry)."""

_YEAR = re.compile(r"^(?:19[5-9]\d|20[01]\d|202[0-4])$")
"""A year long enough ago to be history ("back in 2015")."""

_BULLET = re.compile(r"^\s*(?:[-*\u2022\u00b7]|\d{1,2}[.)])\s")
"""A line that is an item of a list ("- numbness around your bottom", "2) can't pee")."""

_QUOTE = (">", "&gt;")
"""How a reply marks the lines it quotes ("> couldn't feel my legs"): someone else's words."""

_BOUNDARY = BOUNDARY
"""Token standing for a comma, colon, bracket or dash inside a sentence (the screen reads a
dash like any other boundary)."""


class Outcome(enum.StrEnum):
    """What a message's red-flag mentions add up to."""

    URGENT = "urgent"
    ASKING = "asking"
    DENIED = "denied"
    PAST = "past"
    OTHER_HISTORY = "other_history"
    CRISIS = "crisis"


_SEVERITY: tuple[Outcome, ...] = (
    Outcome.CRISIS,
    Outcome.URGENT,
    Outcome.ASKING,
    Outcome.DENIED,
    Outcome.PAST,
    Outcome.OTHER_HISTORY,
)


@dataclass(frozen=True)
class Finding:
    """One red-flag mention and how it reads in its context.

    Attributes:
        rule: The screen rule that found it.
        words: The message's words that matched the rule's terms.
        outcome: How the mention reads.
        trigger: The context words that decided it ("" for a plain affirmation).
        someone_else: The mention is about another person.
    """

    rule: str
    words: tuple[str, ...]
    outcome: Outcome
    trigger: str = ""
    someone_else: bool = False


@dataclass(frozen=True)
class Assessment:
    """The screen's verdict on a whole message.

    For tests and DEBUG logs only: it holds the message's words, so it is never stored.
    """

    outcome: Outcome | None
    findings: tuple[Finding, ...] = ()

    @property
    def deciding(self) -> Finding | None:
        """The finding the outcome comes from."""
        return next((f for f in self.findings if f.outcome == self.outcome), None)

    @property
    def rule(self) -> str | None:
        found = self.deciding
        return found.rule if found else None


_TICKED_NO = frozenset({"no", "nope", "none", "nil", "never", "negative"})
"""A checklist's answer that denies the item before it ("numb bum - no", "toilet? nope")."""


def _the_writers(tokens: Sequence[str], at: int) -> bool:
    """Whether the present-tense word at ``at`` is the writer's own ("I'm a midwife", "I'm
    just curious", "we are only asking"): "I" or "we" before it, with only "am", "are" or a
    filler between."""
    j = at - 1
    while j > 0 and tokens[j] in _WRITERS_VERB | _FILLERS:
        j -= 1
    return 0 <= j < at and tokens[j] in _WRITER


def _ticked_no(tokens: Sequence[str], at: int) -> bool:
    """Whether ``tokens[at]`` is a :data:`_TICKED_NO` answer ending its item (the sentence
    or a comma ends after it), not a "no" going on to deny something else ("no feeling")."""
    return (
        0 <= at < len(tokens)
        and tokens[at] in _TICKED_NO
        and (at + 1 == len(tokens) or tokens[at + 1] == _BOUNDARY)
    )


def _answered_no(sentence: Sentence) -> bool:
    """Whether a sentence is the answer "no" to the question before it ("No.", "nope, just
    the leg")."""
    return _ticked_no(sentence.tokens, 0)


def _says_caring_job(tokens: Sequence[str]) -> bool:
    """Whether the words say the writer nurses or cares for a living ("i am a district
    nurse", "i work as a carer"): a job of :data:`_CARING_JOBS` within a few words after "i am"
    or "i work"."""
    for i in range(len(tokens) - 2):
        if tokens[i] == "i" and tokens[i + 1] in ("am", "work"):
            after = tokens[i + 2 : i + 6]
            if not _CARING_JOBS.isdisjoint(after) or any(
                pair in _CARING_PAIRS for pair in pairwise(after)
            ):
                return True
    return False


def _quoted(findings: list[Finding]) -> list[Finding]:
    """The findings of a quoted line: a sign told there is the quoted person's, not the
    writer's (a question there is still asked, so "that's me" after it still affirms it)."""
    return [
        Finding(f.rule, f.words, Outcome.OTHER_HISTORY, ">", True)
        if f.outcome == Outcome.URGENT
        else f
        for f in findings
    ]


# --- terms ------------------------------------------------------------------------------

_Term = tuple[str, ...]


def _passed(tokens: Sequence[str]) -> bool:
    """Whether a sentence opening "it's been" goes on with an amount of time ("It's been two
    weeks of pain", "it's been a while"): the "it" is the time gone by, no body part."""
    if "been" not in tokens[1:3]:
        return False
    for token in tokens[tokens.index("been") + 1 :][:5]:
        if token in _TIME_UNITS:
            return True
        if token not in _SPAN_WORDS and not token.isdigit():
            return False
    return False


def _cleft(tokens: Sequence[str]) -> bool:
    """Whether a sentence opening "it" goes on to name what it is about ("It's just the pain
    from my buttock", "it is the sitting I can't do"): the "it" points ahead, to no body part
    named before (not "it's the same", which compares)."""
    for k, token in enumerate(tokens[1:4], 1):
        if token in _ARTICLES:
            return tokens[k + 1 : k + 2] != ["same"]
        if token not in _COPULAS and token not in _FILLERS and token != "only":
            return False
    return False


def _asked(findings: list[Finding]) -> list[Finding]:
    """The findings of an item of a list a hypothetical opened ("go to A&E if you have any of
    these:", "red flags:"): a sign listed there is talked about, not told."""
    return [
        Finding(f.rule, f.words, Outcome.ASKING, ":") if f.outcome == Outcome.URGENT else f
        for f in findings
    ]


def screen_term(raw: str) -> _Term:
    """Normalise a screen term, keeping a leading "=" (exact match) on its words."""
    words: list[str] = []
    for word in raw.split():
        # One typed word may normalise to several ("wont" -> "will not").
        for plain in normalise(word.lstrip("="), limit=False).split():
            words.append("=" + plain if word.startswith("=") else plain)
    return tuple(words)


def _phrases(terms: Sequence[str]) -> dict[str, list[_Term]]:
    """Context phrases by first word, longest first (matched exactly, word by word)."""
    by_first: dict[str, list[_Term]] = defaultdict(list)
    for raw in terms:
        words = tuple(normalise(raw, limit=False).split())
        if words and words not in by_first[words[0]]:
            by_first[words[0]].append(words)
    for phrases in by_first.values():
        phrases.sort(key=len, reverse=True)
    return dict(by_first)


def _phrase_before(
    phrases: Mapping[str, Sequence[_Term]], tokens: Sequence[str], at: int, scope: int
) -> bool:
    """Whether one of ``phrases`` (by first word, as :func:`_phrases` gives them) starts in
    the ``scope`` words before ``at`` and ends before it."""
    for j in range(max(0, at - scope), at):
        for phrase in phrases.get(tokens[j], ()):
            if j + len(phrase) <= at and tuple(tokens[j : j + len(phrase)]) == phrase:
                return True
    return False


_Span = tuple[int, int]
"""First and last token index (inclusive)."""


_Pair = tuple[str, str]
"""Two screen words, one right after the other."""

_Index = tuple[frozenset[str], dict[_Pair, tuple[_Term, ...]]]
"""Terms as :meth:`SafetyScreen._occurrences` looks for them: the one-word terms, and the
longer ones by their first two words (a sentence seldom holds the two one after the other)."""


@dataclass(frozen=True)
class _Rule:
    name: str
    kind: str
    groups: tuple[dict[str, tuple[_Term, ...]], ...]
    """Per group, its terms by first word."""
    window: int
    unless: dict[str, tuple[_Term, ...]]
    history_counts: bool
    mention: bool
    """Its first group alone ("peeing") is worth a safety line when denied."""
    subject: bool
    """Its second group must be the subject of its first (:meth:`SafetyScreen._subject_of`)."""
    limbs: frozenset[str]
    """For a ``subject`` rule, the one-word subjects that are no pronoun ("foot", "bladder",
    "loo"): a pronoun subject needs one of them named before it."""
    found: tuple[_Index, ...]
    """Per group, its terms as :meth:`SafetyScreen._occurrences` looks for them."""
    found_unless: _Index
    """The same for ``unless``."""


def _by_first(terms: Sequence[_Term]) -> dict[str, tuple[_Term, ...]]:
    out: dict[str, list[_Term]] = defaultdict(list)
    for term in terms:
        out[term[0]].append(term)
    return {first: tuple(ts) for first, ts in out.items()}


def _indexed(by_first: Mapping[str, Sequence[_Term]]) -> _Index:
    """Terms by first word (:func:`_by_first`) as :data:`_Index`."""
    alone = frozenset(first for first, terms in by_first.items() if any(len(t) == 1 for t in terms))
    longer: dict[_Pair, list[_Term]] = defaultdict(list)
    for terms in by_first.values():
        for term in terms:
            if len(term) > 1:
                longer[term[0], term[1]].append(term)
    return alone, {pair: tuple(ts) for pair, ts in longer.items()}


def _rule(rule: ScreenRule) -> _Rule:
    """A screen rule with its terms by first word."""
    groups = tuple(_by_first([screen_term(t) for t in group]) for group in rule.groups)
    unless = _by_first([screen_term(t) for t in rule.unless])
    return _Rule(
        rule.name,
        rule.kind,
        groups,
        rule.window,
        unless,
        rule.history_counts,
        rule.mention,
        rule.subject,
        frozenset(
            t[0] for t in (screen_term(x) for x in rule.groups[-1]) if len(t) == 1
        ).difference(_PRONOUNS, _PEOPLE)
        if rule.subject
        else frozenset(),
        tuple(_indexed(group) for group in groups),
        _indexed(unless),
    )


@dataclass
class _Sentence:
    """A sentence as the screen reads it."""

    tokens: list[str]
    clause: list[int]
    """Clause number of every token."""
    question: bool
    spans: dict[str, list[_Span]]
    """Context list name -> where its phrases occur."""
    years: list[_Span]
    """Years long enough ago to be history ("back in 2015")."""
    free: dict[str, list[_Span]]
    """Context list name -> its occurrences outside pseudo-triggers ("not sure", "ever
    since"), which trigger nothing."""
    at_work: bool = False
    """The message says, here or before, that the writer nurses or cares for a living."""
    before: Sequence[str] = ()
    """The words of the sentence before, which an "it" may stand for."""


# Rewrites that put the ways people say "I can't" into the words the rules know, each with
# the words one of which it needs among a sentence's words, and a text it cannot match without
# (or texts, one of which it needs): most sentences hold none, and a long one is not searched
# in vain.
_REWRITES: tuple[tuple[frozenset[str], tuple[str, ...], re.Pattern[str], str], ...] = tuple(
    (frozenset(words.split()), (needle,) if isinstance(needle, str) else needle, re.compile(p), r)
    for words, needle, p, r in (
        (
            "able",
            "able to",
            r"\b(?:not|no longer|never) (?:been |being |be |really |fully |properly )*able to\b",
            "unable to",
        ),
        (
            "stopped",
            "stopped being able to",
            r"\bstopped being able to\b",
            "unable to",
        ),
        (
            "longer",
            "no longer ",
            r"\bno longer (?=feel|control|lift|move|walk|stand|hold|pee|wee|raise|point|bend|push"
            r"|pick|clear|tell)",
            "cannot ",
        ),
        (
            "not",
            ("do not ", "does not ", "did not ", "have not ", "has not "),
            r"\b(?:do|does|did|have|has) not (?:really |got |have |get |feel )*"
            r"(?:any |much |a lot of |enough |the )?(feeling|sensation|control|strength|urge)\b",
            r"no \1",
        ),
        (
            "cannot",
            (
                "cannot really ",
                "cannot properly ",
                "cannot fully ",
                "cannot even ",
                "cannot always ",
                "cannot quite ",
                "cannot seem to ",
            ),
            r"\bcannot (?:really |properly |fully |even |always |quite |seem to )+",
            "cannot ",
        ),
        (
            "not",
            ("not really ", "not properly ", "not fully ", "not quite ", "not actually "),
            r"\b(could|did|do|does|would|have|has) not (?:really |properly |fully |quite "
            r"|actually )+",
            r"\1 not ",
        ),
        ("not", "can not", r"\bcan not\b", "cannot"),
        (
            "not",
            ("will not ", "would not ", "does not ", "did not "),
            r"\b(?:will|would|does|did) not (?:want to |wanna )?"
            r"(?=empty|come|start|work|lift|move|hold|go\b|bend|flex|point|raise|pick)",
            "cannot ",
        ),
        (
            "not",
            "could not ",
            r"\bcould not (?=feel|move|lift|pass|pee|wee|urinate|walk|stand|hold|control|empty"
            r"|go\b|bend|raise|pick|stop)",
            "cannot ",
        ),
        (
            # feeling "barely" there is feeling lost: "i can barely feel the paper"
            "barely hardly scarcely",
            "ly f",
            r"\b(?:can |could |i )?(?:barely|hardly|scarcely) (?=feel|felt)",
            "cannot ",
        ),
        (
            "lost losing",
            ("lost ", "losing "),
            r"\b(lost|losing) (?:all |any |some |the |most |much |more |of )+"
            r"(?=feeling|sensation|control|strength)",
            r"\1 ",
        ),
        (
            # a CAT scan is a CT scan, not a pet: "my cat scan showed a tumour"
            "cat",
            "cat scan",
            r"\bcat scan",
            "ct scan",
        ),
        (
            # "lost the ability to walk on my heels"
            "ability",
            "ability to",
            r"\b(?:lost|losing|lose) (?:all |the |my |any )*ability to\b",
            "unable to",
        ),
        (
            # a fever that has "gone up" is rising, whatever follows
            "fever temperature temp",
            ("fever ", "temperature ", "temp "),
            r"\b(fever|temperature|temp) (?:has |had |is )?(?:gone|went) (?:up|higher|through)\b",
            r"\1 rising",
        ),
        (
            # a fever told as over: "fever's gone", "the fever broke", "fever went down" read
            # as "went away", which says a sign is over
            "fever temperature temp",
            ("fever ", "temperature ", "temp "),
            r"\b(fever|temperature|temp) (?:has |had |is |finally )?"
            r"(?:gone|broke|broken|went down|went away)\b",
            r"\1 went away",
        ),
        (
            # second-language slips: "i cannot to feel" is "i cannot feel"
            "cannot",
            "cannot to ",
            r"\bcannot to (?=[a-z])",
            "cannot ",
        ),
        (
            # and "she is not feel her legs" is "she cannot feel her legs"
            "not",
            ("is not ", "am not ", "are not "),
            r"\b(?:is|am|are) not (?=(?:feel|move|walk|lift|hold|control|stand|pee|wee)\b)",
            "cannot ",
        ),
        (
            # and "my legs is not strong" is weak legs (not the tablets "not strong enough")
            "strong",
            "not strong",
            r"\b(legs?|feet|foot|knees?) (?:is|are|feel|feels) not (?:so |very )?strong\b",
            r"\1 weak",
        ),
        (
            # and "the my bottom" is "my bottom"
            "the",
            ("the my ", "the his ", "the her ", "the our ", "the their ", "the your "),
            r"\bthe (?=(?:my|his|her|our|their|your)\b)",
            "",
        ),
    )
)

_REWRITE_WORDS = frozenset().union(*(words for words, *_ in _REWRITES))
"""The words one of which some rewrite of :data:`_REWRITES` needs: most sentences hold none,
and are not searched for the rewrites' needles at all."""
_REWRITES_BY_WORD: dict[str, frozenset[int]] = {
    word: frozenset(n for n, (words, *_) in enumerate(_REWRITES) if word in words)
    for word in _REWRITE_WORDS
}
"""For each of :data:`_REWRITE_WORDS`, the places in :data:`_REWRITES` of the rewrites that
need it: a sentence holding only common ones ("the") tries only their few rewrites."""


def _rewrites_for(present: frozenset[str], after: int = -1) -> list[int]:
    """The places of the rewrites one of whose words is ``present``, after ``after``, in
    order."""
    return [n for n in _rewrites_of(present) if n > after]


@lru_cache(maxsize=WORD_CACHE_SIZE)
def _rewrites_of(present: frozenset[str]) -> tuple[int, ...]:
    """The places of the rewrites one of whose words is ``present``, in order (once per
    word of theirs present), remembered per set of words."""
    return tuple(sorted(n for word in present for n in _REWRITES_BY_WORD[word]))


class SafetyScreen:
    """Finds red flags and reads their context.

    Args:
        rules: The ``screen:`` rules of the content.
        context: The ``context:`` trigger lists of the content (see
            :data:`bot.content.CONTEXT_KEYS`).
        vocabulary: Correctly spelt words (the examples' words and the content's
            ``spelt_right``): never read as a typo of a screen word, so "injection" is not
            "infection" and "overdo" is not "overdose".
    """

    def __init__(
        self,
        rules: Sequence[ScreenRule],
        context: Mapping[str, Sequence[str]],
        vocabulary: Iterable[str] = (),
    ) -> None:
        self.rules = tuple(_rule(rule) for rule in rules)
        self._later = tuple(tuple(group.keys() for group in rule.groups[1:]) for rule in self.rules)
        """Per rule, the first words of the terms of each group after its first."""
        # Context phrases by first word, longest first: (list name, phrase, its length).
        index: dict[str, list[tuple[str, _Term, int]]] = defaultdict(list)
        for key, terms in context.items():
            for phrases in _phrases(terms).values():
                for phrase in phrases:
                    index[phrase[0]].append((key, phrase, len(phrase)))
        for entries in index.values():
            entries.sort(key=lambda entry: entry[2], reverse=True)
        # The same by the word after the first: one-word phrases, and those whose second word
        # it is (the others cannot start there), in the same order.
        self._context_alone = {
            first: [entry for entry in entries if entry[2] == 1] for first, entries in index.items()
        }
        self._context_after = {
            first: {
                second: [entry for entry in entries if entry[2] == 1 or entry[1][1] == second]
                for second in {entry[1][1] for entry in entries if entry[2] > 1}
            }
            for first, entries in index.items()
        }
        # "Is it normal to lose bladder control? Because that's happening to me": a question
        # about a sign, then the writer saying they have it.
        self._affirming = _phrases(context.get("affirming", ()))
        # "She asked whether I'd had any numbness or any fever. None of that.": a clinician's
        # questions reported, then answered no to all of them
        self._denied_all = _phrases(context.get("denied_all", ()))
        # "Say I'd lost weight without trying, would it matter? I haven't, ...": the writer's
        # own question about a sign, answered no on its own at the next sentence's opening
        self._answered_no = _phrases(context.get("answered_no", ()))
        # the aid an old condition left someone with, told now: "now uses a catheter"
        self._lasting_aids = _phrases(context.get("lasting_aids", ()))
        # rules whose sign counts however long ago (a history of cancer): never over
        self._lasting = frozenset(rule.name for rule in self.rules if rule.history_counts)
        self._antecedents = frozenset(
            w for t in context.get("antecedents", ()) for w in normalise(t, limit=False).split()
        )
        self._unsaying = _phrases(
            [*context.get("negation_before", ()), *context.get("hypothetical", ())]
        )
        # "he says it's just because he's not drinking much": a reason the person with the
        # sign gives to play it down, before an ``unless`` term, explains nothing
        self._excuses = _phrases(context.get("excuses", ()))
        # Rules by the words that start a term of their first group: a sentence is checked
        # against the few rules one of whose first group's terms could be in it, those with
        # a one-word term among its words and those with a longer term whose first two words
        # it holds one right after the other.
        by_word: dict[str, set[int]] = defaultdict(set)
        by_pair: dict[_Pair, set[int]] = defaultdict(set)
        for n, rule in enumerate(self.rules):
            alone, longer = rule.found[0]
            for first in alone:
                by_word[first].add(n)
            for pair in longer:
                by_pair[pair].add(n)
        self._rules_by_word = {w: tuple(sorted(ns)) for w, ns in by_word.items()}
        self._rules_by_pair = {pair: tuple(sorted(ns)) for pair, ns in by_pair.items()}
        # The first two words of every term of two words or more (of any group or
        # ``unless``): the only pairs of words a sentence is searched for.
        seconds: dict[str, set[str]] = defaultdict(set)
        for rule in self.rules:
            for _, longer in (*rule.found, rule.found_unless):
                for first, second in longer:
                    seconds[first].add(second)
        self._pair_starts = {first: frozenset(after) for first, after in seconds.items()}
        # The crisis rules' first groups: their one-word terms, and the first two words of
        # their longer ones (a sentence holding none of those fires no crisis).
        crisis_alone: set[str] = set()
        crisis_pairs: dict[str, set[str]] = defaultdict(set)
        for rule in self.rules:
            if rule.kind == "crisis":
                alone, longer = rule.found[0]
                crisis_alone.update(alone)
                for first, second in longer:
                    crisis_pairs[first].add(second)
        self._crisis_anchors = (
            frozenset(crisis_alone),
            {first: frozenset(after) for first, after in crisis_pairs.items()},
        )
        words = {
            w
            for rule in self.rules
            for index in (*rule.groups, rule.unless)
            for terms in index.values()
            for term in terms
            for w in term
        }
        self._exact_only = {w[1:]: w for w in words if w.startswith("=")}
        loose = [w for w in words if not w.startswith("=")]
        # The vocabulary's words are never typos of a screen word, nor is a screen word a typo
        # of another ("neither" is no "nether").
        self._spelt_right = frozenset(vocabulary) | frozenset(loose)
        self._by_stem: dict[str, list[str]] = defaultdict(list)
        for w in loose:
            self._by_stem[stem(w)].append(w)
        self._words_of: dict[str, frozenset[str]] = {}
        """Token -> the screen's words it stands for, as read so far."""
        self._starts_of: dict[frozenset[str], tuple[tuple[str, frozenset[str]], ...]] = {}
        """A token's screen words -> those starting a longer term, with the words after them."""
        # Typo targets by first letter: a typo rarely hits the first letter, and "ever" is
        # not "fever".
        self._fuzzy_targets: dict[str, list[str]] = defaultdict(list)
        for w in sorted(loose):
            if len(w) >= 5:
                self._fuzzy_targets[w[0]].append(w)

    @classmethod
    def from_content(cls, content: Content) -> SafetyScreen:
        """The screen of validated content, knowing its examples' words (those used at least
        twice outside the urgent-symptoms topic: a word seen once may itself be a typo) and the
        everyday words the content says are spelt right."""
        counts = Counter(
            word
            for intent in content.intents.values()
            if intent.name != RED_FLAGS
            for example in intent.examples
            for word in set(normalise(example.text, limit=False).split())
        )
        vocabulary = {word for word, n in counts.items() if n >= 2} | set(content.spelt_right)
        return cls(content.screen, content.context, vocabulary)

    # --- reading a message ----------------------------------------------------------------

    def assess(self, message: str, split: Sequence[Sentence] | None = None) -> Assessment:
        """Screen a whole message (any Unicode, any length up to :data:`MAX_SCREEN_CHARS`).

        Args:
            message: The message as typed.
            split: Its sentences, when already split (:func:`bot.text.sentences`).
        """
        findings: list[Finding] = []
        # Once a mention reads as urgent, only thoughts of suicide or self-harm could make the
        # message more severe: later sentences are screened for those alone.
        crisis_only = False
        # The first sign asked about, which the writer may go on to say they have.
        asked: Finding | None = None
        # The sentence before, which "it", "they" or a fragment may lean on.
        before: list[str] = []
        before_asked = False  # whether that sentence was a question
        # Whether the lines now read are the items of a list that a hypothetical opened.
        listing = False
        # Every sentence's words so far, and whether one said the writer cares for people
        # for a living (looked for only once a sentence holds a sign).
        said: list[Sequence[str]] = []
        at_work = False
        # Someone else's history of cancer, told as history: their back or leg pain told now
        # in a later sentence makes it their red flag now.
        their_history: Finding | None = None
        known = self._words_of
        if len(known) > WORD_CACHE_SIZE:
            known.clear()
        split = sentences(message) if split is None else split
        rules, later = self.rules, self._later
        for at, sentence in enumerate(split):
            previous = before
            own = self._tokens(sentence)
            said.append(own)
            tokens = self._resolved(self._bridged(before, own, before_asked))
            # "My foot. It drags. It slaps.": the foot named stays named; a fragment's reading
            # does not snowball into the next one.
            before = own if len(tokens) > len(own) else tokens
            before_asked = sentence.question
            item = listing and _BULLET.match(sentence.text) is not None
            listing = item or (sentence.text.rstrip().endswith(":") and self._talks_about(own))
            if asked is not None and not crisis_only:
                crisis_only = self._affirm(asked, tokens, findings)
            if their_history is not None and not crisis_only:
                pain = self._their_pain_now(sentence, own)
                if pain:
                    findings.append(replace(their_history, outcome=Outcome.URGENT, trigger=pain))
                    crisis_only = True
            if crisis_only and not self._mentions(tokens, *self._crisis_anchors):
                continue  # no term of a crisis rule's first group is in it
            where, pairs = self._places(tokens)
            candidates = sorted(self._candidates(where, pairs))
            # A rule fires only with a word of each of its groups in the sentence (a bare
            # mention, which counts when denied, needs its first group alone), and none of
            # its ``unless`` terms: a sentence no rule is left for is not read at all.
            anchors: list[tuple[_Rule, list[_Span]]] = []
            held = where.keys()
            for n in candidates:
                rule = rules[n]
                if crisis_only and rule.kind != "crisis":
                    continue
                if not rule.mention and any(map(held.isdisjoint, later[n])):
                    continue  # a word of each of its other groups is needed
                found = self._occurrences(rule.found[0], where, pairs)
                if found and not (rule.unless and self._explained(rule, tokens, where, pairs)):
                    anchors.append((rule, found))
            if not anchors:
                continue  # most sentences: nothing of a red flag, no context to read
            s = self._read(sentence, tokens)
            if not at_work:
                at_work = any(_says_caring_job(words) for words in said)
                said.clear()  # each sentence is looked at once
            s.at_work = at_work
            s.before = previous
            # A fragment read with the sentence before it ("Numb.") adds what its own words
            # complete; a sign wholly in the borrowed words was read in its own sentence, with
            # its context ("I read about saddle numbness. Everything feels normal.").
            assessed = self._assess_sentence(s, where, pairs, anchors, len(tokens) - len(own))
            if sentence.question and at + 1 < len(split) and _answered_no(split[at + 1]):
                # a checklist asked and answered: "numbness down there? no."
                assessed = [
                    replace(f, outcome=Outcome.DENIED, trigger="no")
                    if f.outcome == Outcome.URGENT
                    else f
                    for f in assessed
                ]
            if at + 1 < len(split) and (
                (not _ASKED.isdisjoint(own) and self._all_denied(self._tokens(split[at + 1])))
                or (sentence.question and self._answers_no(self._tokens(split[at + 1])))
            ):
                # a clinician's questions reported, then all answered no: "She asked whether I
                # had any numbness down there or any fever. There wasn't any of that."; or the
                # writer's own question answered no: "... would that matter? I haven't, ..."
                assessed = [
                    replace(f, outcome=Outcome.DENIED, trigger="none of that")
                    if f.outcome == Outcome.URGENT
                    else f
                    for f in assessed
                ]
            if (
                at + 1 < len(split)
                and _ONGOING.isdisjoint(tokens)
                and any(f.outcome == Outcome.URGENT for f in assessed)
            ):
                # a sign over by the next sentence: "by the end my bum was numb. All fine
                # after a night's sleep."
                over = self._recovered(split[at + 1])
                if over:
                    assessed = [
                        replace(f, outcome=Outcome.PAST, trigger=over)
                        if f.outcome == Outcome.URGENT and f.rule not in self._lasting
                        else f
                        for f in assessed
                    ]
            if sentence.text.lstrip().startswith(_QUOTE):
                assessed = _quoted(assessed)
            elif item:
                assessed = _asked(assessed)
            if their_history is None and _DIED.isdisjoint(own):
                # a patient's or resident's history is the writer's work, not their red flag
                their_history = next(
                    (
                        f
                        for f in assessed
                        if f.someone_else
                        and f.trigger not in _CASELOAD | _CASE_ONE
                        and self._history_told(f)
                    ),
                    None,
                )
                # "My brother, who had cancer in 2018, now has pain in his lower back": the
                # history in a clause of its own, their pain now in the rest of the sentence
                if their_history is not None:
                    pain = self._their_pain_after(sentence, tokens, their_history)
                    if pain:
                        urgent = replace(their_history, outcome=Outcome.URGENT, trigger=pain)
                        assessed = [*assessed, urgent]
            findings.extend(assessed)
            outcomes = {f.outcome for f in assessed}
            if Outcome.CRISIS in outcomes:
                break
            crisis_only = crisis_only or Outcome.URGENT in outcomes
            if asked is None and not crisis_only and Outcome.ASKING in outcomes:
                asked = next(f for f in assessed if f.outcome == Outcome.ASKING)
                crisis_only = self._affirm(asked, tokens, findings)
        if not findings:
            return Assessment(None)
        outcome = min((f.outcome for f in findings), key=_SEVERITY.index)
        return Assessment(outcome, tuple(findings))

    def _places(self, tokens: Sequence[str]) -> tuple[dict[str, set[int]], dict[_Pair, list[int]]]:
        """Where each screen word of a sentence is, and where two that start a term of two
        words or more stand one right after the other: found once for all the rules."""
        known, starts_of = self._words_of, self._starts_of
        where: dict[str, set[int]] = {}
        pairs: dict[_Pair, list[int]] = {}
        last: tuple[tuple[str, frozenset[str]], ...] = ()  # the word before's pair starts
        for i, token in enumerate(tokens):
            words = known.get(token)
            if words is None:
                words = self._screen_words(token)
            if not words:  # no screen word: nothing to note, no pair to start
                last = ()
                continue
            for word in words:
                held = where.get(word)
                if held is None:
                    where[word] = {i}
                else:
                    held.add(i)
            for first, seconds in last:
                if seconds.isdisjoint(words):
                    continue
                for word in words:
                    if word in seconds:
                        at = pairs.get((first, word))
                        if at is None:
                            pairs[first, word] = [i - 1]
                        else:
                            at.append(i - 1)
            found = starts_of.get(words)
            last = self._pair_starts_of(words) if found is None else found
        return where, pairs

    def _pair_starts_of(self, words: frozenset[str]) -> tuple[tuple[str, frozenset[str]], ...]:
        """The screen words of a token that start a term of two words or more, each with the
        words that may follow it (remembered per set of words)."""
        starts = self._pair_starts
        found = tuple((first, starts[first]) for first in words if first in starts)
        if len(self._starts_of) > WORD_CACHE_SIZE:
            self._starts_of.clear()
        self._starts_of[words] = found
        return found

    def _candidates(
        self, where: Mapping[str, Set[int]], pairs: Mapping[_Pair, Sequence[int]]
    ) -> set[int]:
        """The rules one of whose first group's terms may be in a sentence: a one-word term
        among its words, or a longer term whose first two words it holds one right after the
        other (a term without them is not there, so no other rule can find one)."""
        found: set[int] = set()
        by_word, by_pair = self._rules_by_word, self._rules_by_pair
        for word in where.keys() & by_word.keys():  # walks the shorter of the two
            found.update(by_word[word])
        for pair in pairs.keys() & by_pair.keys():
            found.update(by_pair[pair])
        return found

    def _mentions(
        self, tokens: Sequence[str], alone: Set[str], pairs: Mapping[str, Set[str]]
    ) -> bool:
        """Whether ``tokens`` hold a screen word of ``alone``, or two screen words one right
        after the other that ``pairs`` pairs (first word -> the words after it)."""
        known = self._words_of
        last: frozenset[str] = frozenset()
        for token in tokens:
            words = known.get(token)
            if words is None:
                words = self._screen_words(token)
            if not words.isdisjoint(alone):
                return True
            for first in last:
                seconds = pairs.get(first)
                if seconds is not None and not seconds.isdisjoint(words):
                    return True
            last = words
        return False

    def _affirm(self, asked: Finding, tokens: Sequence[str], findings: list[Finding]) -> bool:
        """Whether ``tokens`` say the writer has the sign asked about ("that's happening to
        me", not "if that happened to me"); if so, the sign is added as urgent."""
        for i, token in enumerate(tokens):
            for phrase in self._affirming.get(token, ()):
                if tuple(tokens[i : i + len(phrase)]) != phrase:
                    continue
                if not self._unsaid(tokens, i):
                    said = " ".join(phrase)
                    findings.append(Finding(asked.rule, asked.words, Outcome.URGENT, said))
                    return True
        return False

    def _history_told(self, found: Finding) -> bool:
        """Whether ``found`` is someone else's history of a sign whose history counts (a
        cancer), told as history."""
        return found.outcome == Outcome.OTHER_HISTORY and any(
            rule.history_counts for rule in self.rules if rule.name == found.rule
        )

    def _their_pain_now(self, sentence: Sentence, tokens: list[str]) -> str:
        """The words telling someone else's pain in the back, the bones or a leg now ("she
        is complaining about her lower back", "now his back hurts"), or "" if none: their body
        part, a word of now or the present, and no denial, time long ago or recovery."""
        for i, token in enumerate(tokens):
            if token not in _THEIR:
                continue
            part = next(
                (w for w in tokens[i + 1 : i + 1 + POSSESSIVE_REACH] if w in _BODY_OF_CANCER),
                None,
            )
            if part is None:
                continue
            at = tokens.index(part, i + 1)
            s = self._read(sentence, tokens)
            now = s.free.get("current") or s.free.get("present_tense")
            # denied near the part ("no pain in his back", "her back is fine"), not by a
            # painkiller that "doesn't touch" it
            denied = any(
                0 <= at - b <= NEGATION_SCOPE for _, b in s.free.get("negation_before", ())
            ) or any(0 < a - at <= POST_NEGATION_SCOPE for a, _ in s.free.get("negation_after", ()))
            calm = denied or s.free.get("historical") or s.free.get("resolved") or s.years
            if now and not calm:
                return f"{token} {part}"
            return ""
        return ""

    def _their_pain_after(self, sentence: Sentence, tokens: list[str], found: Finding) -> str:
        """The words telling someone else's pain in the back, the bones or a leg now, after
        the words of their history ``found`` in the same sentence ("My dad, who had cancer
        in 2019, has had a terrible back since June"), or "" if none: no "I" or "my" after the
        history, a word of now or the present after its last word of time, and no denial or
        recovery."""
        last = max((i for i, w in enumerate(tokens) if w == found.words[-1]), default=-1)
        tail = tokens[last + 1 :]
        part = next((w for w in tail if w in _BODY_OF_CANCER), None)
        if last < 0 or part is None:
            return ""
        s = self._read(sentence, tail)
        if s.free.get("first_person") or any(
            s.free.get(key) for key in ("negation_before", "negation_after", "resolved")
        ):
            return ""
        then = max((b for _, b in [*s.free.get("historical", ()), *s.years]), default=-1)
        now = [
            a for key in ("current", "present_tense") for a, _ in s.free.get(key, ()) if a > then
        ]
        return part if now else ""

    def _all_denied(self, tokens: Sequence[str]) -> bool:
        """Whether a sentence opens by answering no to all that was asked before it ("None of
        that.", "There wasn't any of that, she was happy"): a ``denied_all`` phrase within its
        first :data:`DENIED_ALL_OPENING` words."""
        for i, token in enumerate(tokens[: DENIED_ALL_OPENING + 1]):
            for phrase in self._denied_all.get(token, ()):
                if tuple(tokens[i : i + len(phrase)]) == phrase:
                    return True
        return False

    def _aid_follows(self, tokens: Sequence[str], at: int) -> bool:
        """Whether a ``lasting_aids`` phrase ("uses a catheter", "in a wheelchair") starts
        right after the word at ``at``."""
        after = at + 1
        return any(
            tuple(tokens[after : after + len(phrase)]) == phrase
            for phrase in self._lasting_aids.get(tokens[after] if after < len(tokens) else "", ())
        )

    def _answers_no(self, tokens: Sequence[str]) -> bool:
        """Whether a sentence opens with a bare no to the question before it ("I haven't, my
        weight's the same"): an ``answered_no`` phrase as its whole first clause."""
        return bool(tokens) and any(
            tuple(tokens[: len(phrase)]) == phrase
            and tokens[len(phrase) : len(phrase) + 1] in ([], ["|"])
            for phrase in self._answered_no.get(tokens[0], ())
        )

    def _recovered(self, sentence: Sentence) -> str:
        """The words opening a sentence that say the sign told just before it is over ("All
        fine after a night's sleep.", "It came back after a walk."), or "": a ``resolved``
        phrase within its first :data:`RECOVERY_OPENING` words, not in a pseudo-trigger ("Still
        not back to normal"), a question, after a denial or a claim ("He says he's fine"), or
        before a terminator ("All fine, but ...")."""
        if sentence.question:
            return ""
        s = self._read(sentence, self._tokens(sentence))
        denials = [a for a, _ in s.free.get("negation_before", ())]
        ends = [a for a, _ in s.free.get("terminators", ())]
        for a, b in s.free.get("resolved", ()):
            if (
                a <= RECOVERY_OPENING
                and not any(n < a for n in denials)
                and not any(e > b for e in ends)
                and _SAID.isdisjoint(s.tokens[:a])
            ):
                return " ".join(s.tokens[a : b + 1])
        return ""

    def _bridged(self, before: list[str], tokens: list[str], asked: bool = False) -> list[str]:
        """A sentence read with the one before it when it cannot stand alone: "My left foot.
        It slaps the ground." reads "foot slaps the ground"; "It's my foot. Won't lift." reads
        "it my foot cannot lift"."""
        if not before or not tokens:
            return tokens
        if (
            tokens[0] in _PRONOUNS
            and _DEGREE.isdisjoint(tokens[1:3])
            and not _passed(tokens)
            and not _cleft(tokens)
        ):
            named = next((w for w in reversed(before) if w in self._antecedents), None)
            return tokens if named is None else [named, *tokens[1:]]
        if tuple(tokens[:2]) == ("both", "of") and tokens[2:3] and tokens[2] in _BOTH_OF:
            # "Do your legs feel like treacle? Both of mine since Sunday": both legs, read
            # with the sentence before unless it asked ("My legs ache after the gym. Both of
            # them.")
            named = next((w for w in reversed(before) if w in self._antecedents), None)
            if named is not None:
                told = [] if asked else before[-BRIDGE_WORDS:]
                return [*told, "both", named, *tokens[3:]]
        if len(tokens) - tokens.count(_BOUNDARY) <= FRAGMENT_WORDS and any(
            self._words_of.get(t) or self._screen_words(t) for t in tokens
        ):  # a fragment with a word of a red flag in it
            return [*before[-BRIDGE_WORDS:], *tokens]
        return tokens

    def _resolved(self, tokens: list[str]) -> list[str]:
        """``tokens`` with the "it" or "them" a moving verb acts on read as the body part named
        before it: "my foot locks when I walk and I can't lift it" reads "... lift foot". A
        thing named since ("the bag was so heavy I couldn't lift it": a word after "my",
        "the", "a", ...) stands in the way, and so does more than :data:`BRIDGE_WORDS` words."""
        if _PRONOUNS.isdisjoint(tokens):
            return tokens
        out = list(tokens)
        for i in range(1, len(tokens)):
            if tokens[i] not in _PRONOUNS or tokens[i - 1] not in _MOVING:
                continue
            for j in range(i - 2, max(-1, i - 2 - BRIDGE_WORDS), -1):
                if tokens[j] in self._antecedents:
                    out[i] = tokens[j]
                    break
                if j > 0 and tokens[j - 1] in _DETERMINERS:
                    break  # another thing was named last
        return out

    @staticmethod
    def _object_of_a_verb(s: _Sentence, at: int) -> bool:
        """Whether the person at ``at`` is what someone acted on ("I tripped over my son's
        bike", "carrying my daughter"), not who has the sign."""
        j = at
        while j > 0 and s.tokens[j - 1] in _DETERMINERS:
            j -= 1
        return any(b == j - 1 for _, b in s.spans.get("object_markers", ()))

    def _talks_about(self, tokens: Sequence[str]) -> bool:
        """Whether a sentence holds a denial or a hypothetical anywhere ("go to A&E if you have
        any of these", "red flags", "the GP asked about"): a list it opens is talked about."""
        return any(
            tuple(tokens[j : j + len(phrase)]) == phrase
            for j, token in enumerate(tokens)
            for phrase in self._unsaying.get(token, ())
        )

    def _explained(
        self,
        rule: _Rule,
        tokens: Sequence[str],
        where: Mapping[str, Set[int]],
        pairs: Mapping[_Pair, Sequence[int]],
    ) -> bool:
        """Whether one of the rule's ``unless`` terms is in the sentence and is not a reason
        given to play the sign down, nor said not to hold: "he says it's just because he's not
        drinking much" and "he's not been dieting" are no explanation, "I'm not drinking much"
        is."""
        found = self._occurrences(rule.found_unless, where, pairs)
        if not found:
            return False
        return not all(
            self._said_not(rule, tokens, span, where, pairs) or self._excused(tokens, span[0])
            for span in found
        )

    def _said_not(
        self,
        rule: _Rule,
        tokens: Sequence[str],
        span: _Span,
        where: Mapping[str, Set[int]],
        pairs: Mapping[_Pair, Sequence[int]],
    ) -> bool:
        """Whether the ``unless`` term at ``span`` is said not to hold: inside the sign's own
        words ("not been dieting" for weight lost without trying), or after a "not" or
        "never" that is no part of them ("he's not been dieting"; but "I pray I don't wake
        up" keeps its "not" for the crisis rule's "not wake up")."""
        first, last = span
        negated = first > 0 and tokens[first - 1] in _SAID_NOT
        terms = [term for group in rule.found for term in self._occurrences(group, where, pairs)]
        if any(a <= first and last <= b for a, b in terms):
            return True
        return negated and not any(a <= first - 1 <= b for a, b in terms)

    def _excused(self, tokens: Sequence[str], at: int) -> bool:
        """Whether a reason given to play a sign down ends in the few words before ``at``."""
        return _phrase_before(self._excuses, tokens, at, EXCUSE_SCOPE)

    def _unsaid(self, tokens: Sequence[str], at: int) -> bool:
        """Whether a denial or a hypothetical ends in the few words before ``at`` ("that's
        not happening to me", "in case that happened to me")."""
        return _phrase_before(self._unsaying, tokens, at, AFFIRMING_SCOPE)

    @staticmethod
    def _tokens(sentence: Sentence) -> list[str]:
        """The sentence's words, ``|`` where a comma, bracket or dash stood, with the ways
        people say "I can't" put into the words the rules know."""
        tokens = sentence.tokens
        if DASH in tokens:
            tokens = tuple(_BOUNDARY if t == DASH else t for t in tokens)
        present = _REWRITE_WORDS.intersection(tokens)
        if not present:
            return list(tokens)  # no rewrite can apply
        text = " ".join(tokens)
        todo = _rewrites_for(present)  # each needs one of its words and needles, in order
        changed = False
        while todo:
            n = todo.pop(0)
            _, needles, pattern, repl = _REWRITES[n]
            for needle in needles:
                if needle in text:
                    break
            else:
                continue  # none of its needles: the pattern cannot match
            rewritten = pattern.sub(repl, text)
            if rewritten != text:
                text, changed = rewritten, True
                todo = _rewrites_for(_REWRITE_WORDS.intersection(text.split()), n)
        return text.split() if changed else list(tokens)

    def _read(self, sentence: Sentence, tokens: list[str]) -> _Sentence:
        spans: dict[str, list[_Span]] = {}
        alone, after = self._context_alone, self._context_after
        last = len(tokens) - 1
        for i, token in enumerate(tokens):
            entries = alone.get(token)
            if entries is None:
                continue
            if i < last:
                entries = after[token].get(tokens[i + 1], entries)
            for key, phrase, size in entries:  # longest first: one span per place and list
                if size > 2 and tuple(tokens[i : i + size]) != phrase:
                    continue
                found = spans.get(key)
                if found is None:
                    spans[key] = [(i, i + size - 1)]
                elif found[-1][0] != i:
                    found.append((i, i + size - 1))
        # Clauses: a new one starts at a terminator ("but", "except") and at a comma or
        # bracket followed by a clause-starting word ("i", "my", "is"). A terminator inside a
        # pseudo-trigger goes on with the clause ("lost weight but I'm eating the same": the
        # "but" tells the same sign; "but also" goes on with a list).
        pseudo = frozenset(i for a, b in spans.get("pseudo", ()) for i in range(a, b + 1))
        cuts = {s for s, _ in spans.get("terminators", ()) if s not in pseudo}
        cuts.update(
            s
            for key in ("clause_starters", "question_openers")
            for s, _ in spans.get(key, ())
            if s > 0 and tokens[s - 1] == _BOUNDARY
        )
        clause: list[int] = []
        n = start = 0
        for cut in sorted(cuts):
            clause += [n] * (cut - start)
            n, start = n + 1, cut
        clause += [n] * (len(tokens) - start)
        words = [t for t in tokens if t != _BOUNDARY]
        # "When the nurse came on Wednesday she noticed ...": told, not asked (is_question)
        asks = sentence.question or is_question(words, False)
        years = [
            (i, i)
            for i, token in enumerate(tokens)
            if len(token) == 4 and token.isdigit() and _YEAR.match(token)
        ]
        free = spans  # most sentences hold no pseudo-trigger (neither list is changed)
        if pseudo:
            free = {
                key: [(a, b) for a, b in found if pseudo.isdisjoint(range(a, b + 1))]
                for key, found in spans.items()
            }
        return _Sentence(tokens, clause, asks, spans, years, free)

    def _screen_words(self, token: str) -> frozenset[str]:
        """The screen's words a token stands for: same stem, exact for "=" words, or a typo
        (``fuzz.ratio`` >= 84) of a word of five letters or more (remembered per token)."""
        found = self._read_word(token)
        self._words_of[token] = found
        return found

    def forget_words(self) -> None:
        """Forget the words read so far (benchmarks measure first sight)."""
        self._words_of.clear()
        self._starts_of.clear()
        _rewrites_of.cache_clear()

    def _read_word(self, token: str) -> frozenset[str]:
        if token == _BOUNDARY:
            return frozenset()
        if token[0].isdigit() and not token.isdigit():
            # a number run into its unit ("8kg", "48hrs") reads as the unit
            unit = token.lstrip("0123456789.")
            return self._read_word(unit) if unit.isalpha() else frozenset()
        found = set(self._by_stem.get(stem(token), ()))
        if token in self._exact_only:
            found.add(self._exact_only[token])
        if len(token) >= 5 and token not in self._spelt_right:
            found.update(
                word
                for word, _, _ in process.extract(
                    token,
                    self._fuzzy_targets.get(token[0], ()),
                    scorer=fuzz.ratio,
                    processor=None,
                    score_cutoff=84,
                    limit=None,
                )
            )
        return frozenset(found)

    @staticmethod
    def _occurrences(
        terms: _Index, where: Mapping[str, Set[int]], pairs: Mapping[_Pair, Sequence[int]]
    ) -> list[_Span]:
        """Spans of any of ``terms`` (each a run of words, indexed by its first two words), in
        a sentence whose screen words are at ``where`` and whose pairs of them, one right
        after the other, start at ``pairs``."""
        found: set[_Span] = set()
        alone, longer = terms
        for first in where.keys() & alone:
            found.update((i, i) for i in where[first])
        if longer:
            for pair in pairs.keys() & longer.keys():  # walks the shorter of the two
                starts = pairs[pair]
                for term in longer[pair]:
                    if len(term) == 2:
                        found.update((i, i + 1) for i in starts)
                        continue
                    rest: list[Set[int]] = []
                    for word in term[2:]:
                        more = where.get(word)
                        if not more:
                            break  # a word of the term is missing from the sentence
                        rest.append(more)
                    else:
                        last = len(term) - 1
                        found.update(
                            (i, i + last)
                            for i in starts
                            if all(i + k in after for k, after in enumerate(rest, 2))
                        )
        return sorted(found)

    def _hits(
        self,
        s: _Sentence,
        where: Mapping[str, Set[int]],
        pairs: Mapping[_Pair, Sequence[int]],
        anchored: Sequence[tuple[_Rule, list[_Span]]],
    ) -> list[tuple[_Rule, list[_Span], set[int], bool]]:
        """Every rule that fires, once per anchor, with its spans and all its words' places.

        Also, flagged ``partial``, the anchors of a rule that did not fire ("peeing" alone):
        they count only when denied ("peeing is fine"), to keep the safety line.

        Args:
            s: The sentence.
            where: Screen word -> the token positions standing for it.
            pairs: Two screen words -> where they start, one right after the other.
            anchored: The rules whose first group is in the sentence, with its places.
        """
        hits: list[tuple[_Rule, list[_Span], set[int], bool]] = []
        for rule, anchors in anchored:  # their ``unless`` terms are absent (see :meth:`assess`)
            groups = [
                anchors,
                *(self._occurrences(group, where, pairs) for group in rule.found[1:]),
            ]
            symptom = {i for spans in groups for a, b in spans for i in range(a, b + 1)}
            seen: set[tuple[_Span, ...]] = set()
            for anchor in groups[0]:
                if not all(groups):
                    chosen = None
                elif rule.subject:
                    chosen = self._subject_of(rule, anchor, groups[1], s)
                else:
                    chosen = self._nearest(anchor, groups[1:], s.clause, rule.window)
                if chosen is None:
                    if rule.mention:
                        hits.append((rule, [anchor], symptom, True))
                    continue
                key = tuple(sorted(chosen))
                if key not in seen:
                    seen.add(key)
                    hits.append((rule, list(key), symptom, False))
        return hits

    @staticmethod
    def _subject_of(
        rule: _Rule, anchor: _Span, subjects: list[_Span], s: _Sentence
    ) -> list[_Span] | None:
        """The anchor (a verb of failing: "won't do what it's told", "won't empty") with the
        limb, organ or person that is its subject, or None.

        The subject is the nearest of ``subjects`` ending before the verb in its clause,
        within the rule's window, with no person ("i", "he") and no other thing ("the
        clutch", a determiner before a word that is none of the rule's) between them: "my
        foot won't do what I tell it" but not "my foot is fine, the pedal stays down". A
        pronoun ("it", "they", or a person: "I", "he") is the subject only right before the
        verb (a word of time or degree between) and when one of the rule's things is named
        before it, in the sentence or the one before: "My foot has been numb for weeks. Now
        it refuses to come up."; "Sat on the loo for ages. I just can't go."
        """
        start = anchor[0]
        clause = s.clause[start]
        tokens = s.tokens
        best: _Span | None = None
        for sp in subjects:
            if (
                sp[1] < start
                and s.clause[sp[1]] == clause
                and start - sp[1] <= rule.window
                and (best is None or sp[1] > best[1])
            ):
                best = sp
        if best is None:
            return None
        between = tokens[best[1] + 1 : start]
        for k, word in enumerate(between):
            if word in _PEOPLE:
                return None
            if word in _DETERMINERS and k + 1 < len(between):
                after = between[k + 1]
                if after not in rule.limbs and after not in _SIDES:
                    return None
        if tokens[best[0]] in _PRONOUNS or tokens[best[0]] in _PEOPLE:
            if any(w not in _FILLERS and w not in AUXILIARIES for w in between):
                return None
            named = [*s.before[-BRIDGE_WORDS:], *tokens[: best[0]]]
            if rule.limbs.isdisjoint(named):
                return None
        return [anchor, best]

    @staticmethod
    def _nearest(
        anchor: _Span, others: list[list[_Span]], clause: list[int], window: int
    ) -> list[_Span] | None:
        """The anchor with the nearest span of every other group in its clause, or None
        when they do not fit in ``window`` words. A negative window is the whole sentence,
        across its clauses ("it started in my left leg, but now the right one is doing the
        same thing")."""
        chosen = [anchor]
        anywhere = window < 0

        def here(sp: _Span) -> bool:
            return anywhere or clause[sp[0]] == clause[anchor[0]]

        for spans in others:
            same = [sp for sp in spans if here(sp)]
            if not same:
                return None
            chosen.append(min(same, key=lambda sp: abs(sp[0] - anchor[0])))
        if window > 0 and len(chosen) > 1:
            first = min(a for a, _ in chosen)
            last = max(b for _, b in chosen)
            if last - first >= window + max(b - a for a, b in chosen):
                # Too far apart: try every combination before giving up (rare, bounded).
                pools = [[anchor]] + [[sp for sp in spans if here(sp)] for spans in others]
                combos = 1
                for pool in pools:
                    combos *= len(pool)
                if combos > 2000:
                    return None
                for combo in product(*pools):
                    if max(b for _, b in combo) - min(a for a, _ in combo) <= window + 1:
                        return list(combo)
                return None
        return chosen

    # --- context --------------------------------------------------------------------------

    def _assess_sentence(
        self,
        s: _Sentence,
        where: Mapping[str, Set[int]],
        pairs: Mapping[_Pair, Sequence[int]],
        anchored: Sequence[tuple[_Rule, list[_Span]]],
        borrowed: int = 0,
    ) -> list[Finding]:
        """The findings of one sentence; a sign none of whose words comes after the first
        ``borrowed`` tokens (those of the sentence before a fragment) is not read again."""
        findings: list[Finding] = []
        urgent = False
        hits = (
            hit
            for one in anchored
            # only a crisis could be more severe once urgent (its hits are not looked for)
            if not urgent or one[0].kind == "crisis"
            for hit in self._hits(s, where, pairs, (one,))
        )
        for rule, spans, symptom, partial in hits:
            if urgent and rule.kind != "crisis":
                continue  # only a crisis could be more severe now
            first = min(a for a, _ in spans)
            last = max(b for _, b in spans)
            words = tuple(" ".join(s.tokens[a : b + 1]) for a, b in spans)
            if last < borrowed and not partial:
                continue  # read already, in its own sentence
            if partial:
                denial = self._denial(s, first, last, symptom)
                if denial is not None:
                    trigger = " ".join(s.tokens[denial[0] : denial[1] + 1])
                    findings.append(Finding(rule.name, words, Outcome.DENIED, trigger))
                continue
            finding = self._context_of(s, rule, first, last, symptom, words)
            findings.append(finding)
            urgent = urgent or finding.outcome == Outcome.URGENT
        return findings

    def _triggers(self, s: _Sentence, key: str, symptom: set[int]) -> list[_Span]:
        """Occurrences of a context list that are not part of a red-flag term or of a
        pseudo-trigger."""
        return [(a, b) for a, b in s.free.get(key, ()) if symptom.isdisjoint(range(a, b + 1))]

    def _denial(self, s: _Sentence, first: int, last: int, symptom: set[int]) -> _Span | None:
        """The negation trigger that denies the term at ``first``..``last``, if any."""
        here = s.clause[first]
        ends = [a for a, _ in s.free.get("negation_ends", ())]
        for a, b in self._triggers(s, "negation_before", symptom):
            if s.clause[a] != here or any(b < end < first for end in ends):
                continue
            if b < last and first - b <= NEGATION_SCOPE:
                return (a, b)
            if b < first and self._listed(s.tokens, b + 1, first):
                return (a, b)
        negators = {a for a, _ in s.spans.get("negation_before", ())}
        for a, b in self._triggers(s, "negation_after", symptom):
            near = s.clause[a] == here and a > last and a - last <= POST_NEGATION_SCOPE
            if near and a - 1 not in negators:  # "not normal" is no denial
                return (a, b)
        # a checklist ticked off: "numb bum - no, both legs - no"
        answer = last + 2 if s.tokens[last + 1 : last + 2] == [_BOUNDARY] else last + 1
        if _ticked_no(s.tokens, answer):
            return (answer, answer)
        return None

    @staticmethod
    def _listed(tokens: Sequence[str], start: int, end: int) -> bool:
        """Whether the words from ``start`` up to ``end`` are a list that a negation before
        them goes on denying ("no fever, chills, weight loss or numbness": NegEx ends a scope
        at a terminator, not after so many words): an "or", or at least :data:`LIST_ITEMS`
        commas, with no item longer than :data:`NEGATION_SCOPE` words."""
        items, words = 0, 0
        for token in tokens[start:end]:
            if token in _LIST_SEPARATORS:
                items, words = items + (1 if token == BOUNDARY else LIST_ITEMS), 0
            else:
                words += 1
                if words > NEGATION_SCOPE:
                    return False
        return items >= LIST_ITEMS

    def _over(self, s: _Sentence, first: int, symptom: Set[int] = frozenset()) -> list[_Span]:
        """The words saying a sign is over ("fully recovered", "he's fine") that reach the
        term at ``first``: after it, or before it with no terminator and no "now" between
        ("I fell and I'm not hurt but my legs are numb", "the pain went away and now I can't
        pee": the legs and the bladder are not over)."""
        ends = [a for a, _ in s.free.get("terminators", ())]
        ends += [a for a in range(first) if s.tokens[a] == "now"]
        return [
            (a, b)
            for a, b in s.free.get("resolved", ())
            if symptom.isdisjoint(range(a, b + 1))
            and (a > first or not any(b < end < first for end in ends))
        ]

    @staticmethod
    def _pet_before(s: _Sentence, at: int) -> str | None:
        """The animal a "he" or "she" at ``at`` stands for: one named before it in the
        sentence with no person named ("our old Labrador has lost the feeling in his back
        legs and now he's wetting his bed"); None when the word is no pronoun or a person was
        named ("mum was walking the dog when she fell")."""
        if s.tokens[at] not in _THIRD_PERSON:
            return None
        people = {a for key in ("experiencers", "third_person") for a, _ in s.spans.get(key, ())}
        for a in range(at):
            if a in people:
                return None  # a person was named first: "she rang ... to feed the cat"
            if s.tokens[a] in _ANIMALS and s.tokens[a + 1] not in _SCANS:
                return s.tokens[a]
        return None

    @staticmethod
    def _names_the_writer(tokens: Sequence[str], at: int) -> bool:
        """Whether the person word at ``at`` is the writer saying what they are ("I'm a
        bloke", "I am a 60 year old woman"): "am a" or "am an" at most
        :data:`SELF_NAMING_REACH` words before it, with no boundary or joining word between
        ("I'm a carer and a woman I look after ..." names someone else)."""
        for k in range(at - 1, max(0, at - 1 - SELF_NAMING_REACH), -1):
            if tokens[k] == _BOUNDARY or tokens[k] in _JOINING:
                return False
            if tokens[k] in ("a", "an") and tokens[k - 1] == "am":
                return True
        return False

    @staticmethod
    def _one_of_caseload(s: _Sentence, at: int) -> bool:
        """Whether the "he" or "she" at ``at`` stands for one of a caseload: the last person
        named before it in the sentence is patients, residents or clients ("on my ward one
        of the patients lost the use of his legs"), not a relative named since."""
        if s.tokens[at] not in _THIRD_PERSON:
            return False
        named = [a for a, _ in s.spans.get("experiencers", ()) if a < at]
        if not named:
            return False
        last = max(named)
        work = _CASELOAD | _STRANGERS | _CASE_ONE if s.at_work else _CASELOAD
        return any(s.tokens[b] in work for a, b in s.spans.get("experiencers", ()) if a == last)

    def _turns_to_writer(self, s: _Sentence, last: int, symptom: set[int]) -> bool:
        """Whether, after someone else's illness at ``..last``, the sentence goes on about the
        writer and not about that person again: "my dad has cancer and I've been doing the
        lifting for him, now my back hurts" is his illness and the writer's back, while "my
        mum has cancer and now her back is agony" is hers. An object ("for him") is not the
        person going on."""
        me = any(a > last for a, _ in self._triggers(s, "first_person", symptom))
        them = any(
            a > last and s.tokens[a] not in _OBJECTS and not self._object_of_a_verb(s, a)
            for a, _ in self._triggers(s, "third_person", symptom)
        )
        return me and not them

    def _context_of(
        self,
        s: _Sentence,
        rule: _Rule,
        first: int,
        last: int,
        symptom: set[int],
        words: tuple[str, ...],
    ) -> Finding:
        here = s.clause[first]

        def text(span: _Span) -> str:
            return " ".join(s.tokens[span[0] : span[1] + 1])

        def finding(outcome: Outcome, trigger: str = "", other: bool = False) -> Finding:
            if outcome == Outcome.URGENT and rule.kind == "crisis":
                outcome = Outcome.CRISIS
            return Finding(rule.name, words, outcome, trigger, other)

        # 1. Negated: a trigger shortly before the term (or between its words), or a denial
        # shortly after it ("bladder is fine"), in the same clause.
        denial = self._denial(s, first, last, symptom)
        if denial is not None:
            return finding(Outcome.DENIED, text(denial))

        # 2. Asked about: "what if", "signs of", "can sciatica cause" before the term; or the
        # term sits in a question that is not about the writer ("is foot drop serious?").
        # Thoughts of suicide are never taken as a question.
        # A terminator ends the scope ("it could be the codeine but I haven't peed since
        # this morning"), and so does a word of now between ("my physio warned me about this
        # and now my foot drags"); a comma does not ("reading about the red flags, bladder
        # problems, saddle numbness").
        if rule.kind != "crisis":
            ends = [a for a, _ in s.free.get("terminators", ())]
            ends += [
                a
                for a, b in s.spans.get("current", ())
                if s.tokens[a] in _NOW and _TOLD_OF.isdisjoint(s.tokens[b + 1 : b + 2])
            ]
            # "what does it mean if I haven't needed to wee since yesterday": a sign the writer
            # tells with how long they have had it is theirs, whatever the question
            since = [
                a
                for a, _ in s.spans.get("current", ())
                if a > first and s.tokens[a] == "since" and s.clause[a] == here
            ]
            for a, b in self._triggers(s, "hypothetical", symptom):
                reaches = not any(b < end < first for end in ends)
                told = since and any(b < p < first for p, _ in s.spans.get("first_person", ()))
                # near, or further on in a list the trigger opens ("go to A&E if you have
                # numbness ..., difficulty peeing, loss of control of your bladder")
                # or in what a show or a thread is said to be about ("a documentary last
                # night where a man's back pain turned out to be ... and he lost the use of
                # his legs"): a "where" or "about" ending the trigger or just after it
                near = b < first and (
                    first - b <= HYPOTHETICAL_SCOPE
                    or self._listed(s.tokens, b + 1, first)
                    or not _TOLD_OF.isdisjoint(s.tokens[b : b + 1 + TOLD_OF_GAP])
                )
                if near and reaches and not told:
                    return finding(Outcome.ASKING, text((a, b)))
            # a sign named as a red flag or a risk just after it ("not being able to feel
            # when you wipe is a red flag"): a sign talked about, not told
            for a, b in self._triggers(s, "hypothetical_after", symptom):
                if last < a and a - last <= POST_NEGATION_SCOPE and s.clause[a] == here:
                    return finding(Outcome.ASKING, text((a, b)))
        first_person = [a for a, _ in self._triggers(s, "first_person", symptom)]
        if s.question and rule.kind != "crisis":
            openers = [
                (a, b)
                for a, b in self._triggers(s, "question_openers", symptom)
                if a <= first and (a == 0 or s.clause[a - 1] != s.clause[a])
            ]
            if openers:
                a, b = openers[-1]
                if not any(a <= p <= last for p in first_person):
                    return finding(Outcome.ASKING, text((a, b)))

        # 3. An animal's: "the puppy keeps having accidents", "our dog's back legs went":
        # the pet is the one it happens to, never an urgent sign of the writer's. Not when
        # the writer is in the term ("the dog knocked me over"), nor when the animal is what
        # the writer acted on ("i tripped over the dog").
        if rule.kind != "crisis":
            pet = next(
                (
                    a
                    for a in range(first - 1, max(-1, first - 1 - ANIMAL_SCOPE), -1)
                    if s.tokens[a] in _ANIMALS
                    and s.clause[a] == here
                    and s.tokens[a + 1] not in _SCANS
                ),
                None,
            )
            writer = {a for a, _ in s.spans.get("first_person", ())}
            # a person named between is the one it happens to: "walking the dog when she fell"
            people = [
                a for key in ("experiencers", "third_person") for a, _ in s.spans.get(key, ())
            ]
            if (
                pet is not None
                and not any(pet < p <= last for p in writer)
                and not any(pet < p < first for p in people)
                and not self._object_of_a_verb(s, pet)  # "i tripped over the dog"
            ):
                return finding(Outcome.OTHER_HISTORY, s.tokens[pet], True)

        # 4. Someone else: a relative or "he"/"she" before the term, with no "I" between.
        # "as a kid", "when my son was born" are times, not someone else's symptoms.
        times = {
            i
            for key in ("historical", "resolved")
            for a, b in s.spans.get(key, ())
            for i in range(a, b + 1)
        }
        others = [
            (a, b)
            for a, b in self._triggers(s, "experiencers", symptom)
            + self._triggers(s, "third_person", symptom)
            if a not in times
            and b < first
            and not any(b < p < first for p in first_person)
            # a person acted on is not the one with the sign, unless a "who" makes them the
            # subject again ("I dealt with a gentleman who'd been incontinent")
            and (not self._object_of_a_verb(s, a) or s.tokens[b + 1 : b + 2] == ["who"])
            # the writer saying what they are ("I'm a bloke") is no one else
            and not self._names_the_writer(s.tokens, a)
        ]
        if others and rule.kind != "crisis":
            # Now or history, read in the clauses of the person and of the term: "says he
            # can't feel his legs" is now; "had cancer", "fully fine now" are history.
            trigger = others[-1]
            # a carer's or nurse's patients, and a stranger among them: the writer's work
            # (or, from a writer who cares for people for a living, a stranger or a patient)
            if (
                s.tokens[trigger[1]] in _CASELOAD
                or (
                    s.tokens[trigger[0]] in _STRANGERS
                    and (s.at_work or any(s.tokens[a] in _CASELOAD for a in range(trigger[0])))
                )
                or (s.at_work and s.tokens[trigger[1]] in _CASE_ONE)
            ):
                return finding(Outcome.OTHER_HISTORY, text(trigger), True)
            # "one of the patients ... couldn't feel his legs": a "he" or "she" after
            # patients, residents or clients, with no one else named between, is one of them
            if self._one_of_caseload(s, trigger[0]):
                return finding(Outcome.OTHER_HISTORY, text(trigger), True)
            # "our dachshund has IVDD and last month she couldn't wee": "she" is the pet
            # named before her, when no person was
            pet_named = self._pet_before(s, trigger[0])
            if pet_named is not None:
                return finding(Outcome.OTHER_HISTORY, pet_named, True)
            # the sign's own clauses too: "fell in the garden, he can't get up"
            clauses = {s.clause[trigger[0]], *s.clause[first : last + 1]}
            # the writer's own present is not the person's: "I'm a midwife and spend all day
            # with women who've lost bladder control"
            # a "now" that tells only the lasting aid of their old condition ("had cauda
            # equina years ago and now uses a catheter") is no sign now
            aided = {a for a in range(len(s.tokens)) if self._aid_follows(s.tokens, a)}
            now = [
                a
                for key in ("current", "present_tense")
                for a, _ in s.spans.get(key, ())
                if s.clause[a] in clauses
                and a not in times
                and a not in aided
                and not (key == "present_tense" and _the_writers(s.tokens, a))
            ]
            # "she's burning hot": the "is" lost with the apostrophe leaves "she burning"
            now += [
                a
                for a in range(1, len(s.tokens))
                if s.tokens[a - 1] in _SUBJECTS
                and s.tokens[a].endswith("ing")
                and s.tokens[a] not in _NOT_VERBS
                and s.clause[a] in clauses
                and a not in times
            ]
            recent = [
                a
                for a, _ in s.spans.get("current", ())
                if s.clause[a] in clauses and a not in times and a not in aided
            ]
            long_ago = s.free.get("historical") and not recent
            # Someone else's known, lasting condition told in the present ("my mum has MS and
            # can't feel her feet") is that condition, unless the sentence says it is new.
            known = s.spans.get("known_conditions") and not any(
                a not in times for a, _ in s.spans.get("current", ())
            )
            if self._over(s, first) or not now or long_ago or known:
                return finding(Outcome.OTHER_HISTORY, text(trigger), True)
            if rule.history_counts and self._turns_to_writer(s, last, symptom):
                return finding(Outcome.OTHER_HISTORY, text(trigger), True)
            return finding(Outcome.URGENT, text(trigger), True)

        # 5. Over and done with: "years ago", "as a kid", "fully recovered", unless the
        # clause says it is happening now, or a word of now comes between the time and the
        # sign ("when I was younger I had a disc problem and now it's back, my foot flops").
        # A history of cancer always counts.
        if not rule.history_counts and rule.kind != "crisis":
            resolved = self._over(s, first, symptom)
            if resolved:
                return finding(Outcome.PAST, text(resolved[0]))
            # the writer's own known, lasting condition ("I have MS and my legs get weak when
            # I'm hot, that's my MS"), unless the sentence says the sign is new
            lasting = s.free.get("known_conditions")
            if lasting and not any(a not in times for a, _ in s.spans.get("current", ())):
                return finding(Outcome.PAST, text(lasting[0]))
            historical = self._triggers(s, "historical", symptom) + s.years
            if historical:
                t = min(historical, key=lambda sp: abs(sp[0] - first))
                distance = abs(t[0] - first)
                current = [
                    a
                    for a, _ in self._triggers(s, "current", symptom)
                    if (s.clause[a] == here and abs(a - first) < distance)
                    or (t[1] < a < first and s.tokens[a] in _NOW)
                    # a sign told across clauses: a word of now after a "but" in its last
                    # clause ("slow for years, but since the back went nothing comes")
                    or (
                        t[1] < a <= last
                        and s.tokens[a] in _NOW
                        and s.clause[a] == s.clause[last]
                        and s.clause[a] != here
                    )
                ]
                if not current:
                    return finding(Outcome.PAST, text(t))

        return finding(Outcome.URGENT)

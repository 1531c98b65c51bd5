"""Match a message to an intent. Pure functions and immutable indexes, no I/O, no Telegram.

The pipeline (urgency is not decided here: :mod:`bot.safety` screens every message first):

1. :func:`bot.text.normalise` folds Unicode, case, contractions and text-speak into words.
2. :class:`Analyzer` turns words into *terms*: misspelt words are corrected against the
   knowledge base's vocabulary (``rapidfuzz.process.extractOne`` with ``fuzz.ratio``),
   synonyms map to one canonical word, and words are stemmed (Snowball), so "buttoks",
   "glutes" and "bum" all become the same term.
3. :func:`bot.reading.read` splits a story into sentences and marks its questions.
4. :class:`Matcher` scores intents by the content words they share with a sentence, weighted
   by how rare each word is across intents; in a story, how well the whole story matches an
   intent lifts it a little. Words the knowledge base has never seen count against the match
   only inside their own sentence, so "what is diabetes" falls below the threshold while a
   long story ending in a clear question does not. The decision applies the threshold, asks
   "Did you mean" when two intents are too close, and offers a story's close topics.
"""

from __future__ import annotations

import dataclasses
import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from typing import NamedTuple

from rapidfuzz import fuzz, process

from bot.content import RED_FLAGS, Content
from bot.english import common_words
from bot.reading import Reading, read
from bot.text import STOPWORDS, WORD_CACHE_SIZE, Sentence, normalise, stem


def _word_start(*alternatives: str) -> str:
    r"""Regex source matching the first of ``alternatives`` that matches at the start of a
    word, as ``\b(?:one|two)`` does, written so the engine skips to the alternatives' first
    letters: each opens with its first letter and checks the word start behind it. A pattern
    opening with ``\b`` is tried at every character of a text; one opening with a letter of a
    known set only where such a letter is. It pays when those letters are few and the rest of
    the pattern is rare (a denial before a place of sciatica: two to three times faster on a
    long story); alternatives opening with most of the alphabet gain nothing.

    Args:
        alternatives: Regex sources, each opening with a letter and holding no top-level
            ``|``.

    >>> _word_start("no", "never")
    '(?:n(?<=\\bn)o|n(?<=\\bn)ever)'
    """
    for alternative in alternatives:
        if not alternative[:1].isalpha():
            raise ValueError(f"an alternative must open with a letter: {alternative!r}")
    return "(?:" + "|".join(rf"{a[0]}(?<=\b{a[0]}){a[1:]}" for a in alternatives) + ")"


class _Keyed:
    """A pattern tried only on a text holding one of its keys, substrings that every match of
    it holds: most sentences hold none, and looking for a few substrings costs a fraction of
    a search that tries the pattern at every word.

    Every alternative added to the pattern needs a key that its matches hold; without one,
    the alternative never matches (tests/unit/test_matching_patterns.py holds each keyed
    pattern equal to the plain pattern on the labelled messages).
    """

    __slots__ = ("keys", "pattern")

    def __init__(self, pattern: str, keys: Sequence[str]) -> None:
        self.pattern = re.compile(pattern)
        self.keys = tuple(keys)

    def may_match(self, text: str) -> bool:
        """Whether ``text`` holds a key (without one, the pattern cannot match it)."""
        return any(map(text.__contains__, self.keys))

    def search(self, text: str) -> re.Match[str] | None:
        """:meth:`re.Pattern.search`, on a text holding a key."""
        for key in self.keys:  # a plain loop: the cheapest way to a miss, the usual case
            if key in text:
                return self.pattern.search(text)
        return None

    def sub(self, repl: str, text: str) -> str:
        """:meth:`re.Pattern.sub`, on a text holding a key."""
        for key in self.keys:
            if key in text:
                return self.pattern.sub(repl, text)
        return text


# --- terms ------------------------------------------------------------------------------

OUT_OF_SCOPE = "!out-of-scope"
"""The term every out-of-scope word or phrase becomes."""


class Term(NamedTuple):
    """A content word of a message.

    Attributes:
        stem: The canonical, stemmed form.
        confidence: 1.0 for a known word, the similarity (0-1) for a corrected typo, 0 for
            a word the knowledge base does not know.
        word: The normalised word as typed.
    """

    stem: str
    confidence: float
    word: str


SPELLING_SIMILARITY = 88.0
"""Least ``fuzz.ratio`` between a rare spelling in the examples and the word it misspells."""


TRUNCATED = 3
"""Letters missing from the end of a word that make it another word, not a typo."""


def _min_similarity(word: str) -> float:
    """Least ``fuzz.ratio`` for correcting a word of this length (short words need more)."""
    n = len(word)
    if n <= 3:
        return 101.0  # never: too many short words are one letter apart
    if n == 4:
        return 85.0
    if n <= 6:
        return 80.0
    return 76.0


NOT_FOLDED = frozenset({"news", "glasses", "goods", "arms", "ups", "bummed"})
"""Words not read as a known word they look like an inflection of (:func:`inflection_bases`):
the other word means something else ("news" is not "new", "glasses" not "glass",
"goods" not "good", "arms" may be weapons, "ups" is the parcel firm, "bummed" is sad).
"""

IRREGULAR_FORMS: Mapping[str, str] = {
    past: verb
    for verb, pasts in {
        "bend": "bent",
        "break": "broke broken",
        "bring": "brought",
        "buy": "bought",
        "drive": "drove driven",
        "fall": "fell fallen",
        "feel": "felt",
        "get": "got gotten",
        "give": "gave given",
        "go": "went gone",
        "hold": "held",
        "keep": "kept",
        "know": "knew known",
        "mean": "meant",
        "ride": "rode ridden",
        "run": "ran",
        "say": "said",
        "see": "saw seen",
        "send": "sent",
        "sit": "sat",
        "sleep": "slept",
        "spend": "spent",
        "stand": "stood",
        "take": "took taken",
        "teach": "taught",
        "tear": "tore torn",
        "tell": "told",
        "wake": "woke woken",
        "wear": "wore worn",
        "write": "wrote written",
    }.items()
    for past in pasts.split()
}
"""Irregular past forms of common verbs -> the verb: "woke" is a form of "wake" as
"waking" is, though no ending says so (:meth:`Analyzer.known_form`). Not "lay", a verb of
its own as well as the past of "lie"."""

_VOWELS = frozenset("aeiouy")


_VOWEL_RUN = re.compile(r"[aeiouy]+")


def _short_syllable(base: str) -> bool:
    """Whether a word is one syllable ending consonant-vowel-consonant ("car", "rid")."""
    if len(base) < 3 or base[-1] in _VOWELS or base[-1] in "wx":
        return False
    if base[-2] not in _VOWELS or base[-3] in _VOWELS:
        return False
    return len(_VOWEL_RUN.findall(base)) == 1


def inflection_bases(word: str) -> frozenset[str]:
    """The word and the words it may be an inflection of: its plural or third-person -s,
    past -ed and -ing taken off ("stands", "standing" -> "stand"; "moved" -> "move";
    "cancelled" -> "cancel"; "carried" -> "carry"; "lying" -> "lie"; "injection" ->
    "inject"). Derivations that change the meaning stay apart ("hardly" is not "hard",
    "positive" not "position", "relaxation" not "relaxant"): a base keeps three letters
    and a vowel.

    Two words with a base in common are forms of one word.
    """
    out = {word}

    def add(base: str) -> None:
        if len(base) >= 3 and not _VOWELS.isdisjoint(base):
            out.add(base)

    def verb(base: str) -> None:  # what -ed or -ing was added to
        if _VOWELS.isdisjoint(base):
            return  # "spring", "shred"
        if len(base) >= 3:
            add(base + "e")  # "moved", "living"
        # One short syllable ending consonant-vowel-consonant would have doubled its last
        # letter: "cared" is "care", not "car"; "riding" is "ride", not "rid".
        if not _short_syllable(base):
            add(base)
        if len(base) >= 4 and base[-1] == base[-2] and base[-1] not in _VOWELS:
            add(base[:-1])  # "stopped", "cancelled"

    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        add(word[:-1])
        if word.endswith(("sses", "xes", "zes", "ches", "shes", "oes")):
            add(word[:-2])  # "boxes", "touches"; "times" is not "tim"
        if word.endswith("ies"):
            add(word[:-3] + "y")
        if word.endswith(("ctions", "ptions", "ssions")):
            add(word[:-4])
    elif word.endswith("ied"):
        add(word[:-3] + "y")
    elif word.endswith("ed"):
        verb(word[:-2])
    elif word.endswith("ying"):
        add(word[:-4] + "ie")
        verb(word[:-3])
    elif word.endswith("ing"):
        verb(word[:-3])
    elif word.endswith(("ction", "ption", "ssion")):
        add(word[:-3])  # the act a verb names: "injection" -> "inject"
    return frozenset(out)


def _forms_of_one_word(stem_a: str, stem_b: str) -> bool:
    """Whether two stems may be forms of one word: the same, or one the start of the other
    ("press" and "pressur", "pelvi" and "pelvic")."""
    short, long = sorted((stem_a, stem_b), key=len)
    return long.startswith(short)


_Word = tuple[str, float, Term | None, tuple[int, ...], frozenset[str], tuple[Term, ...]]
""":meth:`Analyzer._word`'s reading of one word."""


RUN_INTO_KEPT = 256
"""How many added words :meth:`Analyzer.runs_on` keeps read (callers add a topic's few)."""


class Analyzer:
    """Turns normalised text into terms, knowing the knowledge base's vocabulary.

    Args:
        vocabulary: The normalised words of every example, repeated as often as they occur.
        synonyms: Word or phrase -> canonical word.
        out_of_scope: Words or phrases that mark a message as outside the knowledge base.
        english: Common English words (default: :func:`bot.english.common_words`): one the
            examples do not know is a word of its own, not a typo of one of theirs.
    """

    def __init__(
        self,
        vocabulary: Iterable[str],
        synonyms: Mapping[str, str],
        out_of_scope: Iterable[str] = (),
        english: Set[str] | None = None,
    ) -> None:
        self.english: Set[str] = common_words() if english is None else english
        self.synonyms: dict[tuple[str, ...], str] = {}
        for term in out_of_scope:
            key = tuple(normalise(term).split())
            if key:
                self.synonyms[key] = OUT_OF_SCOPE
        for variant, canonical in synonyms.items():
            key = tuple(normalise(variant).split())
            if key:
                self.synonyms[key] = normalise(canonical)
        self.max_phrase = max((len(k) for k in self.synonyms), default=1)
        # First word -> lengths of the lexicon phrases it starts, longest first.
        sizes: dict[str, set[int]] = defaultdict(set)
        for key in self.synonyms:
            sizes[key[0]].add(len(key))
        self._phrase_sizes = {w: tuple(sorted(n, reverse=True)) for w, n in sizes.items()}
        # The first two words of the longer phrases: where the next word does not go on
        # with one, only a one-word phrase can start.
        self._pairs = frozenset(key[:2] for key in self.synonyms if len(key) > 1)
        seconds: dict[str, set[str]] = defaultdict(set)
        for first, second in self._pairs:
            seconds[first].add(second)
        self._seconds = {first: frozenset(after) for first, after in seconds.items()}
        """The same as first word -> the second words (each word's, looked up once)."""
        # Each phrase read: out of scope?, its canonical words' stems (stopwords dropped),
        # the phrase as typed.
        self._phrases: dict[tuple[str, ...], tuple[bool, tuple[str, ...], str]] = {
            key: (
                canonical == OUT_OF_SCOPE,
                tuple(stem(word) for word in canonical.split() if word not in STOPWORDS),
                " ".join(key),
            )
            for key, canonical in self.synonyms.items()
        }
        # Words that go on a lexicon phrase (not its first): only these continue one.
        self._inside = frozenset(w for key in self.synonyms for w in key[1:])
        # The beginnings of the longer phrases, short of their last word: words that end a
        # text run on into the next only when they are one of these.
        self._heads = frozenset(key[:k] for key in self.synonyms for k in range(1, len(key)))
        self._head_ends = frozenset(head[-1] for head in self._heads)
        """The last words of :attr:`_heads`: a text ending in another runs on into nothing."""
        counts = Counter(vocabulary)
        lexicon = set(STOPWORDS)
        for key, canonical in self.synonyms.items():
            lexicon.update(key)
            lexicon.update(canonical.split())
        self.known: frozenset[str] = frozenset(counts.keys() | lexicon)
        # Known content words by their inflection bases: a word the examples never use in
        # this form ("stand" beside "standing", "cancelled" beside "cancel") is the same word,
        # read as its most frequent known form.
        forms: dict[str, str] = {}
        for w in sorted(self.known, key=lambda w: (-counts[w], w)):
            if w.isalpha() and w not in STOPWORDS and w not in NOT_FOLDED:
                for base in inflection_bases(w):
                    forms.setdefault(base, w)
        self._forms = forms
        # Correction targets: known words long enough to be told apart from others.
        self._targets: list[str] = sorted(w for w in self.known if len(w) >= 3 and w.isalpha())
        self.spelling = self._canonical_spellings(counts, lexicon)
        self._words_read: dict[str, _Word] = {}
        """Words read by :meth:`terms`, as :meth:`_word` reads them."""
        self._run_into: dict[str, tuple[str, ...]] = {}
        """For :meth:`runs_on`, the words added after a text (a topic's few words), corrected,
        or none when a phrase could not go on with the first."""

    def _canonical_spellings(self, counts: Counter[str], lexicon: set[str]) -> dict[str, str]:
        """Map rare spellings in the examples ("sciatca") to the common word they misspell.

        Examples are typed as people type, typos included; without this, each typo would be
        a rare, heavily weighted term of its own. A common English word is a word of its own,
        however close to a more frequent one ("waking" is not "walking", "plain" not "pain"),
        as it is when a message is read (:meth:`_closest`).
        """
        common = sorted(w for w, n in counts.items() if n >= 3 and w.isalpha() and len(w) >= 4)
        # Targets for a word seen n times: common words with the same first letter, three
        # times as frequent for a word seen once or twice, ten times for one seen more often
        # ("siatica" typed 14 times beside "sciatica" typed 428 times).
        by_letter: dict[str, list[str]] = defaultdict(list)
        for w in common:
            by_letter[w[0]].append(w)
        targets: dict[tuple[str, int], list[str]] = {}
        spelling: dict[str, str] = {}
        for word, n in counts.items():
            if word in lexicon or len(word) < 5 or not word.isalpha() or word in self.english:
                continue
            need = 3 * n if n <= 2 else 10 * n
            key = (word[0], need)
            if key not in targets:
                targets[key] = [w for w in by_letter.get(word[0], ()) if counts[w] >= need]
            found = process.extractOne(
                word,
                targets[key],
                scorer=fuzz.ratio,
                processor=None,
                score_cutoff=SPELLING_SIMILARITY,
            )
            if found is not None and stem(found[0]) != stem(word):
                spelling[word] = found[0]
        return spelling

    def correct(self, words: Sequence[str]) -> list[tuple[str, float]]:
        """Pair each word with its correction and the similarity (0-1).

        Known words and numbers stay as they are (1.0); an unknown word becomes its closest
        known word when ``fuzz.ratio`` reaches :func:`_min_similarity` (a common English word
        only when that is another form of it), else it stays with 0; but one that is then
        unknown, or a typo of a word of another stem, and is another inflection of a known
        word becomes that word (1.0: "stand" when the examples say "standing", "showed"
        when they say "show" and "shower", see :meth:`known_form`).
        """
        out: list[tuple[str, float]] = []
        for word in words:
            if word in self.known or not word.isalpha():
                out.append((self.spelling.get(word, word), 1.0))
            else:
                closest, similarity = self._closest(word)
                # A typo of another form of the same word ("chairs" -> "chair") keeps its
                # reading; a word read as unknown or as a typo of another word ("showed" ->
                # "shower") that is an inflection of a known word is that word.
                if similarity == 0.0 or stem(closest) not in (
                    stem(word),
                    stem(IRREGULAR_FORMS.get(word, word)),
                ):
                    form = self.known_form(word)
                    if form is not None:
                        closest, similarity = form, 1.0
                out.append((self.spelling.get(closest, closest), similarity))
        return out

    def known_form(self, word: str) -> str | None:
        """The known word an unknown word is another inflection of (its most frequent known
        form), or None: "stand" when the examples say "standing" (see
        :func:`inflection_bases`; never a word of :data:`NOT_FOLDED`)."""
        if word in NOT_FOLDED:
            return None
        forms = self._forms
        verb = IRREGULAR_FORMS.get(word)
        if verb is not None:
            return forms.get(verb)
        for base in sorted(inflection_bases(word), key=lambda b: (-len(b), b)):
            form = forms.get(base)
            if form is not None:
                return form
        return None

    @lru_cache(maxsize=8192)  # noqa: B019 - one Analyzer lives as long as the process
    def _closest(self, word: str) -> tuple[str, float]:
        cutoff = _min_similarity(word)
        if cutoff > 100:
            return (word, 0.0)
        found = process.extract(
            word, self._targets, scorer=fuzz.ratio, processor=None, score_cutoff=cutoff, limit=3
        )
        # A known word with a first letter added or dropped is another word ("high" and
        # "thigh", "ladder" and "bladder", "cared" and "scared"), not a typo of it.
        # Nor is a longer word that starts with it ("special" and "specialist", "organ" and
        # "organise"): a typo rarely drops three letters or more from a word's end. Closest
        # to such a word, it is a word of its own, to be read as unknown.
        if found and found[0][0].startswith(word) and len(found[0][0]) - len(word) >= TRUNCATED:
            return (word, 0.0)
        typo = next((f for f in found if f[0][1:] != word and word[1:] != f[0]), None)
        if typo is None:
            return (word, 0.0)
        # A common English word is a word of its own ("parents" is not "pants", "swears"
        # not "sweats"): real messages use far more words than the examples. Unless it is
        # another form of the word found ("chairs" and "chair", "pressed" and "pressure").
        if word in self.english and not _forms_of_one_word(stem(word), stem(typo[0])):
            return (word, 0.0)
        return (typo[0], typo[1] / 100.0)

    def terms(self, text: str) -> list[Term]:
        """Content terms of normalised text, in order (stopwords dropped)."""
        known = self._words_read
        if len(known) > WORD_CACHE_SIZE:
            known.clear()
        words = [known.get(word) or self._remember(word) for word in text.split()]
        terms: list[Term] = []
        phrases = self._phrases
        i = 0
        n = len(words)
        while i < n:
            entry = words[i]
            sizes = entry[3]
            # most words start no longer phrase, or none goes on with the next word
            if sizes and sizes[0] > 1 and i + 1 < n and words[i + 1][0] in entry[4]:
                for size in sizes:  # longest first; one word is read below
                    if size == 1 or size > n - i:
                        continue
                    found = phrases.get(tuple([w[0] for w in words[i : i + size]]))
                    if found is None:
                        continue
                    out_of_scope, stems, said = found
                    if out_of_scope:
                        terms.append(Term(OUT_OF_SCOPE, 0.0, said))
                    else:
                        conf = min([w[1] for w in words[i : i + size]])
                        terms.extend(Term(s, conf, said) for s in stems)
                    i += size
                    break
                else:
                    terms += entry[5]
                    i += 1
                continue
            terms += entry[5]  # the word read on its own
            i += 1
        return terms

    def runs_on(self, text: str, more: str) -> bool:
        """Whether a lexicon phrase starts among the last words of normalised ``text`` and
        goes on into ``more``: unless one does, the terms of ``text`` followed by ``more``
        are those of ``text`` followed by those of ``more`` (at each word of ``text`` the
        phrases tried and found are the same)."""
        after = self._run_into.get(more)
        if after is None:  # ``more`` is one of a few words callers add: read once
            more_words = more.split()[: self.max_phrase - 1]
            if not more_words or self._word(more_words[0])[0] not in self._inside:
                after = ()  # a phrase running on would go on with the first added word
            else:
                after = tuple(self._word(w)[0] for w in more_words)
            if len(self._run_into) < RUN_INTO_KEPT:
                self._run_into[more] = after
        if not after:
            return False
        read = self._words_read  # the words of a message just analysed, read as :meth:`_word`
        last = text.split()[-(self.max_phrase - 1) :]
        entries = [read.get(w) or self._remember(w) for w in last]
        if not entries or entries[-1][0] not in self._head_ends:
            return False  # every phrase running on has the last word inside it
        said = [entry[0] for entry in entries]
        n = len(entries)
        for k in range(n):
            sizes = entries[k][3]  # longest first
            if not sizes or sizes[0] <= n - k:
                continue  # no phrase starting here goes on past the text
            own = tuple(said[k:])
            if own not in self._heads:
                continue  # nor does one starting with these words
            for size in sizes:
                if n - k < size <= n - k + len(after):
                    key = (*own, *after[: size - (n - k)])
                    if key in self.synonyms:
                        return True
        return False

    def _remember(self, word: str) -> _Word:
        """:meth:`_word`, remembered in a plain dictionary (looked up for every word of every
        sentence, several times faster than the cached method is called)."""
        read = self._words_read[word] = self._word(word)
        return read

    def forget_words(self) -> None:
        """Forget the words read so far (benchmarks measure first sight)."""
        self._words_read.clear()

    @lru_cache(maxsize=16384)  # noqa: B019 - one Analyzer lives as long as the process
    def _word(self, word: str) -> _Word:
        """A word corrected, its confidence, its term on its own (None: a stopword), the
        lengths of the lexicon phrases it starts, the second words of the longer ones, and
        its terms when no longer phrase starts with it (its one-word phrase's, or its own)."""
        ((corrected, conf),) = self.correct((word,))
        alone = None if corrected in STOPWORDS else Term(stem(corrected), conf, corrected)
        single = self._phrases.get((corrected,))
        if single is not None:  # a one-word lexicon phrase
            out_of_scope, stems, said = single
            one = (
                (Term(OUT_OF_SCOPE, 0.0, said),)
                if out_of_scope
                else tuple(Term(s, conf, said) for s in stems)
            )
        else:
            one = () if alone is None else (alone,)
        return (
            corrected,
            conf,
            alone,
            self._phrase_sizes.get(corrected, ()),
            self._seconds.get(corrected, frozenset()),
            one,
        )


# --- intent matching --------------------------------------------------------------------


class Candidate(NamedTuple):
    """An intent and how well the message matches it (0-100)."""

    intent: str
    score: float
    example: str


@dataclass(frozen=True)
class Decision:
    """What a message means.

    Attributes:
        kind: ``intent``, ``did_you_mean``, ``fallback`` or ``empty``.
        intent: The intent chosen (the best guess for "Did you mean"), None otherwise.
        score: Confidence of the choice, 0-100.
        candidates: Best intents, best first (at most 4, ``red_flags`` among them when its
            examples match; it is never chosen).
    """

    kind: str
    intent: str | None
    score: float
    candidates: tuple[Candidate, ...]
    options: tuple[str, ...] = ()
    """For "Did you mean": the topics to offer, best first."""
    read: tuple[str, Query, list[Term], tuple[Candidate, ...]] | None = field(
        default=None, compare=False, repr=False
    )
    """For a one-sentence message: its words (normalised), their query, their terms and the
    intents :meth:`Matcher.rank` found best for the query (:data:`RANKED` of them, with
    their scores, before any rule of the decision)."""

    @property
    def near_urgent(self) -> bool:
        """The urgent-symptoms topic is among the candidates."""
        return any(c.intent == RED_FLAGS and c.score >= NEAR_URGENT for c in self.candidates)


UNKNOWN_WEIGHT = 1.0
"""An unknown word weighs this many times the rarest known word."""
OUT_OF_SCOPE_WEIGHT = 5.0
"""An out-of-scope word (knee, headache, ...) weighs this many times the rarest known word."""
SUPPORT_BEST = 0.8
"""An intent's score: this share from its best example, the rest from its second best."""
F1_SHARE = 0.2
"""An example's score: this share from the F1 of shared terms, the rest from the geometric
mean of the example's share found in the message and the message's share the intent knows."""
NEAR_URGENT = 20.0
"""The urgent-symptoms topic's examples scoring this much mark a message as near a red flag:
the reply offers the urgent list and nothing of the message is stored."""
RANKED = 4
"""How many intents a one-sentence message is ranked for (its decision's candidates): all
with a score when fewer have one, and none left out scores more than the last."""
SELF_ANSWER = re.compile(
    r"(?:(?:oh|heck|hell|well|um|and|but) )?"
    r"(?:yes|yeah|yep|yup|no|nope|nah|of course|absolutely|definitely|not really|not at all)"
    r"(?: (?:yes|yeah|no|indeed|it is|it was|i am|i was|i do|i did))?"
)
"""A sentence (normalised) that only answers yes or no: after a story's question, it makes the
question rhetorical."""
MAX_QUESTIONS = 3
"""Only the last this many questions of a story are scored."""
MAX_STATEMENTS = 3
"""And the statements of a story richest in topic words, at most this many."""
CONTEXT_SHARE = 0.3
"""A story sentence's score: this share from how well the whole story matches the intent."""
MAX_CONTEXT_TERMS = 16
"""The background of a story keeps its this many weightiest words."""
STORY_MARGIN = 12.0
"""A story's "Did you mean" offers the topics this close to its best one."""
MAX_OPTIONS = 3
"""A story's "Did you mean" offers at most this many of the topics close to its best one,
and the topic the whole story is most about beside them (:meth:`Matcher._offered`)."""
STORY_FLOOR = 30.0
"""A story that scores at least this (below the threshold) gets "Did you mean", not the
fallback: it is about the bot's topics, only not clearly about one of them."""
RARE_TERM_SHARE = 0.125
"""A term known to at most this share of the intents (or to :data:`RARE_TERM_MIN_DF`)
counts as rare: intents knowing one are scored first."""

RARE_TERM_MIN_DF = 2

RARE_TERM_MIN_INTENTS = 64
"""Below this many intents the shortcut does not pay for itself."""

STORY_LIMIT = 4
"""Best intents kept per sentence of a story (as many as a decision shows)."""
MORE_KEPT = 256
"""The most queries of added words :meth:`Matcher.query_after` keeps."""
POOLS_KEPT = 64
"""The most lists of intents :meth:`Matcher.best` keeps the indices of."""
SUBJECTS_KEPT = 16_384
"""The most terms whose subjects :meth:`Matcher._named` keeps (each new word a chat sends
costs one entry; all are forgotten at once when full)."""
REFERENT_SHARE = 0.25
"""A question that points back holds the words of the sentence before at this weight."""
REFERENT_TERMS = 4
"""At most this many of them, the weightiest: what the sentence is about."""
REFERENT_REACH = 2
"""A sentence before that names nothing as written (only guessed words: "I've been
alternating like an idiot") is passed over for the one before it, this many sentences back at
most: "which one is it?" points at the hot water bottle and the ice told before the aside."""

CAUTION_INTENT = "massage_safety"
"""The honest answer on whether massage is safe for someone."""
CAUTION_CUE = ("safe", "massage")
"""Canonical words that, in one sentence, ask whether massage is safe ("am i ok to have a
massage", "can a massage make it worse"): the ask decides, whatever condition or medicine
the sentence also names, as long as :data:`CAUTION_INTENT` clears the threshold."""

HARM_CUES = ("safe", "worse", "bruise")
"""Canonical words that name a risk or harm (with their synonyms: dangerous, damage, "make it
worse"; a bruise left by a massage): without one, a message is not offered whether massage is
safe."""

CIRCUMSTANCE_INTENTS = frozenset(
    {
        "work_driving",
        "sleep_position",
        "scans",
        "clinic_prices",
        "clinic_cancellation",
        "clinic_booking",
        "clinic_location_hours",
        "clinic_session_length",
        "clinic_insurance",
    }
)
"""Topics about a circumstance (the job, the bed, a scan, the clinic's prices and terms):
stories mention them in passing far more often than they ask about them. In a story they
answer a question that asks about them, or a story that is mostly about them (most of its
sentences are about them first); otherwise they count for :data:`CIRCUMSTANCE_SHARE` of their
score."""
CIRCUMSTANCE_SHARE = 0.8

TOLD_AS_CAUSE: Mapping[str, str] = {"work_driving": "risk_factors"}
"""A circumstance a story tells in passing (:data:`CIRCUMSTANCE_INTENTS`: no question asks
about it and it is not what most of its sentences are about), and the topic of it as a cause:
"we drove a couple of hours ... as the visit progressed, so did my pain" tells of the long
drive that brought the pain on (who gets sciatica: long drives, desk jobs), not of whether one
may drive or work with it. A story's "Did you mean" that tells of its pain offers that topic
in the circumstance's place when the story's sentences match it at all (it is in their
candidates)."""

ASK_MARKER = re.compile(
    r"\b(?:what i (?:really |actually )?(?:want|wanted|need|needed|would like) to know"
    r"(?: is)?|my (?:real |main |actual |only )?question (?:is|was|really is)"
    r"|the (?:real |main )?question is|what i am (?:really |actually )?asking is)\b"
)
"""Normalised words a story uses to say which of its questions is the one it asks ("what I
really want to know is how long this takes", "so my question really is, can massage sort
this out"): that question, answered on its own words over the threshold by the margin, is
asked clearly however much of the rest of the story pulls elsewhere (:data:`CLEAR_ASK`)."""

CAUSE_TOLD = re.compile(
    r"\b(?:caus\w*|because of|due to|associated with|linked to|link|blame\w*|brought on|"
    r"started (?:after|when|from)|came from|comes from|coming from)\b"
)
"""Normalised words telling what brought the pain on ("I made the link that my pain was
associated with the chair at my desk"): pain told while driving or working ("braking hurts
my leg", "sitting at my desk is agony") is a question about driving or working with it."""

CLEAR_ASK = 10.0
"""A story's question that its own words answer this far above the threshold, leading its
next topic by the margin, is asked clearly even when the rest of the story, blended in
(:data:`CONTEXT_SHARE`), pulls it under: "Is massage any good for sciatica compared to all
that?" after a story of shifts, tablets and advice asks about massage."""

SPARSE_SHARE = 0.7
"""A story's statement with a single known word scores this share: a word alone scores high
on any topic that has it, and says less about what the story is about than a sentence."""

CLEAR_LEAD = 10.0
"""A story that asks nothing is answered with its best topic when that topic leads the next
by this much (and scores at least :data:`STORY_FLOOR`); "Did you mean" is for closer calls."""
VAGUE_DF = 3
"""A story's question whose only known word is known to this many topics or more asks for
help with what the story tells, like a plea."""
ALONE_LEAD = 2 * CLEAR_LEAD
"""A message under the threshold whose best topic leads the next by this much is asked about
it ("Did you mean") rather than answered with the fallback."""
ALONE_CLEAR = 40.0
"""A message about one topic alone (:data:`ALONE_LEAD`) that scores this much, near the
threshold, is answered on it rather than asked about it: nothing else competes."""
WHOLE_AGREED_LEAD = 4.0
"""The lead that suffices when the whole story also matches that topic best: its known words
(:data:`CONTEXT_SHARE`'s background), or all its sentences scored together as one message.
Tuned on the tuning parts of the labelled files: committing there rather than asking "Did you
mean" turned about three questions back into right answers for each new wrong one."""

WHOLE_CLEAR_LEAD = 17.0
"""A story's "Did you mean" answers its first option when that option leads the next by this
much on its sentence score plus its score for the whole story read as one message."""

GESTATION = _Keyed(
    _word_start("i am", "she is", "she", "wife is", "wife", "partner is", "partner")
    + r" (?:1\d|2\d|3\d|4[0-2]) "
    r"(?:weeks|wks|wk)\b"
    r"(?! (?:ago|in|into|post|out|off|after|since|of|with|on|before|later)\b)",
    keys=("weeks", "wk"),
)
"""Normalised words telling how far along a pregnancy is ("I'm 22 weeks and my sciatica is
so bad", "I'm 32 weeks tomorrow", "she's 24 weeks", normalised "she 24 weeks"): the weeks a
pregnancy counts, not how long the pain has lasted ("I'm 12 weeks into this", "3 weeks post
op"). They name the pregnancy as the word "pregnant" would (:data:`PREGNANT_WORD`)."""
PREGNANT_WORD = "pregnant"
REPORTED = _Keyed(
    r"(?:^|\b(?:the|my|a|our|her|his|their) )"
    r"(?:physio|physiotherapist|physical therapist|doctor|doc|dr|gp|surgeon|consultant|"
    r"specialist|orthopedist|neurologist|nurse|pharmacist|friend|wife|husband|partner|mum|mom|"
    r"dad|sister|brother|boss|colleague|cousin|neighbour|neighbor|mate) "
    r"(?:says|said|told me|tells me|reckons|reckoned|thinks|explained|mentioned)\b",
    keys=("says", "said", "told me", "tells me", "reckon", "thinks", "explained", "mentioned"),
)
"""Normalised words reporting what a professional, a friend or a relative said ("the physio
says these things take time", "my friend says to stop them"): in a story's sentence the
speaker is where the word came from, not what the sentence is about; the sentence is read on
what was said (:func:`_as_told`). A chiropractor or an osteopath stays: they are a treatment
a story may be about (:data:`STORY_SUBJECTS`)."""


PLANS_CANCELLED = _Keyed(
    r"cancel(?<=\bcancel)(?:led|ed|ling|ing|s)?"
    r"(?= (?:(?:a|an|my|our|the|all|his|her|their|some|two|three|every|any) )*"
    r"(?:trip|trips|holiday|holidays|plans|plan|flight|flights|wedding|"
    r"party|parties|event|events|weekend|weekends|vacation|date|dinner|gig|concert|match|"
    r"race|run|walk|class|classes|meeting|meetings|shift|shifts)\b)",
    keys=("cancel",),
)
"""Normalised words telling of plans cancelled for the pain ("cancelled a trip to see my
sister"): what the pain costs, not a cancellation at the clinic; in a story's sentence the
word "cancel" is then left out (:func:`_as_told`)."""


INSTRUCTING = _Keyed(
    r"\b(?:tell|tells|telling|told|ask|asks|asking|asked)"
    r"(?= (?:her|him|them|(?:my|his|her|their|our|the) [a-z]+) to\b)",
    keys=("tell", "told", "ask"),
)
"""Normalised words of telling or asking someone else to do something ("should I tell her to
go lighter", "asked my GP to refer me"): an instruction passed on, not a request to be told
("tell me about ...") or a question to the bot; in a story's sentence the verb is left out
(:func:`_as_told`)."""


PLANS_TOLD = re.compile(
    r"\b(?:trip|trips|holiday|holidays|plans|flight|flights|wedding|party|vacation|drive|"
    r"journey|visit|concert|gig|race|match)\b"
)
"""Normalised words of plans a story tells of ("a 5 hour drive to see my parents")."""
CLINIC_TOLD = re.compile(
    r"\b(?:appointment|appointments|appt|session|sessions|booking|booked|book|massage|slot|"
    r"clinic|therapist)\b"
)
"""Normalised words of the clinic's appointments."""
BARE_CANCEL = _Keyed(
    r"\bcancel\b(?! (?:my|the|an|a|it|our|this|that|appointment)\b)", keys=("cancel",)
)
"""A "cancel" with no object ("should I cancel or push through?")."""


TROUBLE_TOLD = _Keyed(r"\b(been|was|were|had|has|have) a problem\b", keys=("a problem",))
"""Normalised words telling of trouble had ("it has been a problem for a month", "I had a
problem with my back"): not asking whether something is safe ("is that a problem?", the
lexicon's reading); in a story's sentence "a problem" is left out (:func:`_as_told`)."""


def _told_parts(reading: Reading) -> list[str]:
    """A story's sentences as what they tell (:func:`_as_told`); a bare "cancel" in a story
    of plans that names no appointment cancels the plans (:data:`PLANS_TOLD`), not a visit to
    the clinic, and is left out."""
    told = [_as_told(part.text) for part in reading.parts]
    if (
        any(map(BARE_CANCEL.may_match, told))  # the cheap test first: most stories cancel nothing
        and PLANS_TOLD.search(reading.whole)
        and not CLINIC_TOLD.search(reading.whole)
    ):
        told = [BARE_CANCEL.sub(" ", text) for text in told]
    return told


def _as_told(text: str) -> str:
    """A story's sentence (normalised) as what it tells: without the speaker of reported
    words (:data:`REPORTED`), the cancelling of plans (:data:`PLANS_CANCELLED`), the verb of
    an instruction passed on (:data:`INSTRUCTING`) or trouble had read as a question of
    safety (:data:`TROUBLE_TOLD`)."""
    told = INSTRUCTING.sub(" ", PLANS_CANCELLED.sub(" ", REPORTED.sub(" ", text)))
    return TROUBLE_TOLD.sub(r"\1", told)


STORY_SUBJECTS: Mapping[str, str] = {
    "piriformis": "piriformis_syndrome",
    "pseudo": "sciatica_vs_piriformis",
    "pregnant": "pregnancy",
    "pregnancy": "pregnancy",
    "trimester": "pregnancy",
    "postpartum": "pregnancy",
    "postnatal": "pregnancy",
    "breastfeeding": "pregnancy",
    "midwife": "pregnancy",
    "injection": "other_treatments",
    "epidural": "other_treatments",
    "surgery": "other_treatments",
    "acupuncture": "other_treatments",
    "chiropractor": "other_treatments",
    "chiropractors": "other_treatments",
    "chiropractic": "other_treatments",
    "chiro": "other_treatments",
    "osteopath": "other_treatments",
    "osteopathy": "other_treatments",
    "discectomy": "other_treatments",
    "microdiscectomy": "other_treatments",
    "needling": "other_treatments",
    "procedure": "other_treatments",
    "painkiller": "medicines",
    "painkillers": "medicines",
    "ibuprofen": "medicines",
    "naproxen": "medicines",
    "paracetamol": "medicines",
    "codeine": "medicines",
    "gabapentin": "medicines",
    "pregabalin": "medicines",
    "tramadol": "medicines",
    "amitriptyline": "medicines",
    "diazepam": "medicines",
    "valium": "medicines",
    "codamol": "medicines",
    "percocet": "medicines",
    "skelaxin": "medicines",
    "relaxant": "medicines",
    "relaxants": "medicines",
    "cancel": "clinic_cancellation",
}
"""Words that name what a story is about: someone telling of their piriformis, their
pregnancy or their injection is asking about piriformis syndrome, sciatica in pregnancy or
the other treatments, whatever else the story mentions."""
PLACE_OF_CARE_STEMS = frozenset({"doctor"})
"""Canonical stems whose phrases name who gives care, not a treatment: the words of "ring the
surgery" (the GP's practice) name no subject of their own; nor do the words of a phrase
telling of the pain itself (:data:`PAIN_STEMS`: "pins and needles" is no dry needling)."""
SUBJECTS_AS_TYPED = frozenset({"relaxant", "relaxants"})
"""Subject words named only as typed, not by their stem: the stem is an everyday word of its
own ("relaxed" and "relaxing" name no muscle relaxant)."""
SETTLING_SUBJECTS = frozenset({"medicines", "other_treatments", "clinic_cancellation"})
"""Topics whose subject, named, settles a close call: a medicine, a treatment or cancelling
is named by what it is; a condition ("sciatica and piriformis") may be one of several the
message asks about. Named alone, it also settles a win of its sibling (:data:`SUBJECT_SIBLINGS`):
"is gabapentin good for sciatica" asks about that medicine, not the other treatments."""
SETTLING_WORDS: Mapping[str, str] = {"doctor": "when_to_get_help"}
"""Words (canonical, with their synonyms: a GP, a specialist) that settle a close call on one
topic: a message weighing a visit to the doctor against another topic asks when to get help."""
SUBJECT_SIBLINGS: Mapping[str, frozenset[str]] = {
    "piriformis_syndrome": frozenset({"piriformis_muscle", "sciatica_vs_piriformis"}),
    "other_treatments": frozenset({"medicines"}),
    "medicines": frozenset({"other_treatments"}),
}
"""Topics on the same subject: a story whose best topic is already one of them is on its
subject, and the scores say which side of it."""
SUBJECT_FULL_NAMES: Mapping[str, tuple[str, ...]] = {
    "piriformis_syndrome": ("piriformis", "syndrome"),
    "piriformis_muscle": ("piriformis", "muscle"),
}
"""A subject's topic named in full in one sentence ("my piriformis syndrome"): the story is
about that topic even when a sibling of it leads (the muscle's topic on "piriformis")."""
SIDE_NAMES: Mapping[str, tuple[str, ...]] = {"piriformis_syndrome": ("piriformis_muscle",)}
"""A subject's sibling that, named in full when the subject's own topic is not, is the side of
the subject a story is on (:data:`SUBJECT_FULL_NAMES`)."""
SIBLING_CLEAR = 95.0
"""A sibling matching this well (nearly word for word one of its examples) is what was
asked, whatever subject the message names ("do pain killers cure sciatica")."""
SUBJECT_BONUS = 12.0
"""A named subject's topic gains this much."""
SUBJECT_REACH = 25.0
"""A story naming one subject, whose topic scores within this much of the best, leads with
it clearly (:data:`CLEAR_LEAD`): it is answered on it."""

ELSEWHERE_INTENT = "other_body_parts"
"""The honest answer for an ache or a condition the article does not cover."""
TREATMENT_ASKS = frozenset({"other_treatments", "medicines"})
"""A story about a place the article does not cover that asks what can be taken or done for
it ("what can I take?", "is there anything that can be done?") asks about treatment."""
ELSEWHERE_PLACES: Mapping[str, int] = {
    **dict.fromkeys(
        (
            "knee", "knees", "neck", "shoulder", "shoulders", "elbow", "elbows", "wrist",
            "wrists", "hand", "hands", "finger", "fingers", "thumb", "arm", "arms", "forearm",
            "forearms", "jaw", "headache", "headaches", "migraine", "migraines", "rib", "ribs",
            "groin", "arthritis",
        ),
        1,
    ),
    **dict.fromkeys(("stenosis", "tailbone", "coccyx", "plantar", "carpal", "fasciitis"), 2),
}  # fmt: skip
"""Words naming a place or a condition the article does not cover, with how clearly each
names it: a condition's own name (spinal stenosis, the tailbone) counts twice a body part
that a sciatica story may mention in passing ("the pain goes past my knee")."""
ELSEWHERE_WORDS = frozenset(ELSEWHERE_PLACES)
SCIATICA_PLACES = frozenset(
    {
        "sciatica", "sciatic", "leg", "legs", "thigh", "thighs", "calf", "calves", "buttock",
        "buttocks", "glute", "glutes", "bum", "butt", "hamstring", "hamstrings", "piriformis",
        "foot", "feet", "ankle", "toes",
    }
)  # fmt: skip
"""Words naming where sciatica is felt, or the condition itself."""
_PLACES = "|".join(sorted(SCIATICA_PLACES))
DENIED_PLACE = re.compile(
    _word_start("no", "not", "never", "nothing", "without") + rf"(?: \w+){{0,7}}? (?:{_PLACES})\b"
)
"""A sciatica place denied by a word just before it ("no pain in my legs", "it never goes
down my leg", "nothing in my legs"; ``normalise`` spells "doesn't" as "does not")."""
NOT_SCIATICA = re.compile(_word_start("not", "no", "nothing like") + r" (?:a |the )?sciatic")
"""A sentence saying outright that it is not sciatica: it denies twice as clearly."""
OTHER_BACK = re.compile(_word_start("upper", "mid", "middle") + r" (?:of (?:my |the )?)?back\b")
"""The upper or middle back, which the article does not cover: named, it counts as a place
of :data:`ELSEWHERE_PLACES` (once)."""
IDIOMS = re.compile(
    r"\bhands and knees\b|\bbetween (?:my|your|the|her|his) knees\b|\bother hand\b"
    r"|\bknees? to (?:my |your |the )?chest\b"
)
"""Places named in a figure of speech, a posture or a stretch ("on my hands and knees", "a
pillow between my knees", "knee to chest"), not as where it hurts."""
IDIOM_WORDS = frozenset({"knee", "knees", "hand"})
"""The places :data:`IDIOMS` may name."""
RUNS_TO_KNEE = _Keyed(
    _word_start("down", "to", "into", "past", "below", "as far as")
    + r" (?:to )?(?:my |the |your |her |his )?"
    r"(?:back of (?:my |the |your |her |his )?)?knees?\b",
    keys=("knee",),
)
"""Pain told running down to the knee ("shooting from my hip to my knee", "down to my
knee", "a line of fire to the back of my knee"): the path of a pain down the leg, a place
of sciatica's, not an ache of the knee's."""
BACK_PLACES = frozenset({"back", "spine"})
"""A story naming no other place but its back, and denying leg pain, is about the back."""

THEM = frozenset({"them", "they", "these", "those"})
"""Words of a question pointing back at things named just before ("should I stop them?")."""

BROAD_TOPICS = frozenset({"sciatica_definition", "piriformis_syndrome"})
"""Topics that say what a condition is. A message that frames a subject with the condition
("tell me about massage for sciatica", "info on heat for sciatica") matches them on the frame
and the condition's name, yet asks about the subject: a close topic that knows a subject word
the message names and the broad topic's examples do not is the answer
(:meth:`Matcher._explained`)."""
DEFINING_ASK = re.compile(r"\bwhat\b(?! about| do (?:you|u|ya) know)|\bmean|\bdefin")
"""Normalised words that ask what something is ("what is sciatica, is it serious", "what does
it mean"): the broad topic is asked for, whatever else the message names."""

ASKS_WHAT_IT_IS = re.compile(
    r"\bwhat (?:actually |exactly |even |really )?(?:is|s) (?:it|this|that)(?: exactly)?"
    r"(?! (?:like|for|about|called|all about)\b)(?: |$)"
)
"""A story's question asking what "it" is ("what actually is it and does it go away?"): it
asks about the condition the story names in full (:data:`SUBJECT_FULL_NAMES`), whatever else
the same question asks, or else about the thing the sentence before is clearly about
(:data:`NAMED_THINGS`); "what is it like" asks how it feels."""
NAMED_THINGS = frozenset(
    {"massage_for_sciatica", "neuromuscular_massage", "trigger_point_4"}
    | {"piriformis_syndrome", "piriformis_muscle", "sciatica_vs_piriformis"}
    | {"sciatica_definition", "sciatica_symptoms", "sciatica_causes"}
)
"""The article's topics on a thing that can be asked what it is: a condition, a muscle, a
trigger point, a massage (not a circumstance, the clinic or a courtesy)."""
TELLING_FRAME = re.compile(r"\b(?:tell|teach|show) (?:me|us|u)\b")
FRAME_STEMS = frozenset({"tell", "teach", "show", "more"})
"""A request's frame ("tell me (more) about piriformis syndrome", "can u tell me what
helps"): its verb asks for an answer and names no subject of one, unlike "tell them
apart"."""

SUBJECT_WORD_EXAMPLES = 5
"""A topic is about a word that this many of its examples hold (see
:meth:`Matcher._passing`)."""

PLEA_INTENTS = frozenset({"about_bot", "greeting", "thanks", "goodbye"})
"""What a plea for help inside a story ("it's so bad, please help") matches on its own."""

WHOLE_MESSAGE_INTENTS = frozenset({"greeting", "thanks", "goodbye"})
"""Small talk: matched only when it is (nearly) the whole message."""

BOT_ITSELF = PLEA_INTENTS - WHOLE_MESSAGE_INTENTS
"""The topic of the bot itself (what it is, what it can do)."""

FAMILIES: Mapping[str, frozenset[str]] = {
    "clinic": frozenset(
        {
            "clinic_prices",
            "clinic_session_length",
            "clinic_first_visit",
            "clinic_what_to_wear",
            "clinic_insurance",
            "clinic_location_hours",
            "clinic_booking",
            "clinic_cancellation",
        }
    ),
    "massage": frozenset({"massage_for_sciatica", "neuromuscular_massage", "trigger_point_4"}),
    "piriformis": frozenset({"piriformis_syndrome", "piriformis_muscle", "sciatica_vs_piriformis"}),
    # telling sciatica from piriformis syndrome is a side of what sciatica is, too
    "sciatica": frozenset(
        {"sciatica_definition", "sciatica_symptoms", "sciatica_causes", "sciatica_vs_piriformis"}
    ),
    "treatment": frozenset({"other_treatments", "medicines"}),
}
"""Topics on one subject, told apart by what the message is mostly about rather than by
asking back (:meth:`Matcher._between_siblings`)."""

SIBLINGS: Mapping[str, frozenset[str]] = {
    topic: frozenset(name for name, family in FAMILIES.items() if topic in family)
    for topic in frozenset().union(*FAMILIES.values())
}
"""Topic -> the families it belongs to."""

WEIGHED_INTENT = "sciatica_vs_piriformis"
"""The answer to a message that weighs sciatica and piriformis syndrome against each other."""
SCIATICA_SIDE = frozenset({"sciatica", "sciatic", "disk", "disc"})
PIRIFORMIS_SIDE = frozenset({"piriformi", "pseudo"})
"""Stems naming each of the two conditions (the nerve trapped at the spine, a disc; the
piriformis muscle, "pseudo sciatica"); a disc named in a phrase ("a slipped disc") is read
word by word, by its own stem ("disc")."""
PIRIFORMIS_HINT = re.compile(r"p\w{0,2}r\w{0,3}form|pseudo")
"""What a message naming piriformis (or "pseudo sciatica"), however misspelt, holds as
typed: without it, no message weighs the two conditions (a quick look before reading)."""
SIDE_HINT = re.compile(r"p\w{0,2}r\w{0,3}form|pseudo|sc?i?[ia]t|dis[ck]|slip|hernia|bulg")
"""What a word naming either condition holds, however misspelt: only such words are read
for the two sides (a long story holds hundreds of words)."""
WEIGHING = _Keyed(
    r"\b(?:which (?:one|of (?:them|the two|these|those)|is it|is right|is true|is correct"
    r"|(?:do|should|would|can) (?:i|you) (?:believe|trust|go with)"
    r"|(?:does|do) (?:it|this|that|my \w+) sound)"
    r"|who (?:do|should|to|can|would) (?:i |you )?(?:believe|trust|listen to)"
    r"|tell (?:them|the two|it|which|the difference)|difference|differ\b"
    r"|different(?: \w+)? (?:thing|things|condition|conditions|problem|problems|name)"
    r"|(?:are|is) (?:they|these|those|it|that|the two)(?: \w+)? different"
    r"|something (?:\w+ )?different|or (?:\w+ ){0,2}different"
    r"|same (?:thing|things|condition|as)|versus\b|vs\b)",
    keys=("which", "who", "tell", "differ", "same", "versus", "vs"),
)
"""Words of a question that weighs two things against each other: which one is it, who to
believe, how to tell them apart, whether they are the same or different."""
COMPARING = re.compile(
    _word_start(
        "worse", "better", "more serious", "less serious", "more painful", "harder to treat"
    )
    + r" than\b"
)
"""Words of a question comparing one thing with another ("is piriformis syndrome worse than
sciatica"): it weighs the two conditions when it names both itself; "is it worse than the
real thing" compares with something it does not name."""
WEIGHING_OR_SPAN = 4
"""An "or" joins the two conditions ("sciatica or piriformis, which?") when each lies within
this many words of it."""
WEIGHING_OR_ASK = _Keyed(
    r"\b(?:which|whether|is it|is this|is mine|do i have|have i got|could it be|might it be"
    r"|tell|know)\b",
    keys=(
        "which",
        "whether",
        "is it",
        "is this",
        "is mine",
        "do i have",
        "have i got",
        "it be",
        "tell",
        "know",
    ),
)
"""Words that make an "or" between the two conditions a choice asked about ("is it my
piriformis or a disc?"), not a second name given in passing ("piriformis syndrome, or posh
sciatica if you will")."""

DISAGREEING = _Keyed(
    r"\b(?:confused|confusing|disagree\w*|contradict\w*|conflicting|mixed messages"
    r"|(?:can ?not|cannot|can t) (?:both|all) be right|not sure which|no idea which)\b",
    keys=(
        "confus",
        "disagree",
        "contradict",
        "conflicting",
        "mixed messages",
        "be right",
        "sure which",
        "idea which",
    ),
)
"""Words telling that opinions conflict ("I'm confused", "they disagree", "they can't both be
right"): a story telling of the two conditions so weighs them against each other, asked or
not."""

MASSAGE_HELPS = "massage_for_sciatica"
"""The answer to a story of relief after a massage: whether massage helps, and how."""
MASSAGE_WORDS = frozenset({"massag", "therapist", "session"})
"""Stems naming a massage, who gave it, or a session (the clinic's sessions are massages)."""
SESSION_WORD = "session"
"""A session is a massage only in a story naming no other treatment it could be one of (a
physio's, a chiropractor's: :data:`OTHER_SESSIONS` and the other treatments' subjects)."""
MASSAGE_NAMES = (MASSAGE_WORDS - {SESSION_WORD}) | {"neuromuscular"}
"""Stems naming a massage or who gives it, the clinic's kind of massage among them ("a woman
who does neuromuscular something"): what a story of treatments tried may come to
(:meth:`Matcher._massage_told`)."""
PRACTITIONER = re.compile(
    r"^\W*(?:[a-z]+ )?(?:massage )?therapist(?:'s)? (?:here|anecdote)\b"
    r"|\b(?:i'?m|i am|i work as|as) an? (?:[a-z]+ )?massage therapist\b"
    r"|\bmassage school\b"
)
"""Words by which a massage therapist tells that a story is of their own work: "therapist
here" or "a therapist's anecdote" opening it, "as a massage therapist", "out of massage school"
(:meth:`Matcher._practitioner_told`)."""
CLIENT = re.compile(r"\bclients?\b")
"""A client: a massage therapist's, in a story that names a massage or a therapist
(:data:`MASSAGE_NAMES`); a carer's or a solicitor's otherwise."""
PRACTITIONER_KEEPS = frozenset({CAUTION_INTENT, "when_to_get_help", RED_FLAGS})
"""A therapist's story already answered with whether massage is safe, or with the signs to
see a doctor about, keeps that answer."""
OTHER_SESSIONS = frozenset({"physic"})
"""Stems of a treatment given in sessions that :data:`STORY_SUBJECTS` does not name (physio)."""
RELIEF = re.compile(
    r"\b(?:disappeared|vanished|gone|relief|relieved|improved|improvement|helped|fixed|cured"
    r"|miracle|life[ -]changing|changed my life|pain[ -]free|no more pain"
    r"|half (?:of )?what it was|halved|made a dent"
    r"|(?:felt|feels|feeling) (?:\w+ )?(?:lighter|looser)"
    r"|(?:can|could) (?:now |finally |actually |at last )?(?:sit|walk|sleep|stand|drive)"
    r" (?:again|through|all night)"
    r"|(?:much|a lot|loads|way) better)\b"
)
"""Words telling that pain eased or went (or halved, or a leg felt lighter), or that what it
stopped is possible again ("I can sit through a whole film")."""

SYMPTOMS_INTENT = "sciatica_symptoms"
"""What sciatica feels like: the topic a story telling only of its pain matches best."""
JOB_INTENTS = ("risk_factors", "work_driving")
"""Who gets sciatica (a job that sits all day) and working or driving with it: the topics of
a story that tells of its pain beside the writer's job."""
JOB_STEMS = frozenset({"job", "driver", "gamer", "comput"})
"""Stems (canonical, with their synonyms: a truck driver, a desk job, a laptop, streaming
games) naming the work someone does."""
WORK_TOLD = re.compile(
    r"\b(?:at|for|from|off|my|no|after|before|back to|(?:drive|driving|cycle|cycling) to) work\b"
    r"|\bworking (?:through|with|days|hours|shifts)\b|\bwork from home\b"
)
"""Normalised words naming work as a job ("no work means no money", "working through it",
"work from home"), not "work" the verb ("my leg does not work", "forgotten how to work")."""
JOB_SHARE = 1 / 3
"""The least share of a story's sentences naming the job for the story to be about it."""
PAIN_STEMS = frozenset({"pain", "shoot", "numb", "burn"})
"""Stems (canonical, with their synonyms: an ache, tingling, pins and needles) telling of the
pain itself: a story telling of it in more sentences than of the job is about the pain."""

REMEDY_ASK = re.compile(
    r"\bwhat (?:should|shall|can|could|do|would|else can) (?:i|we|he|she|they|you|u) (?:do|try)\b"
    r"|\bwhat (?:to|do i) do\b|\bwhat(?: is| s)? (?:the )?best thing to do\b"
    r"|\bwhat (?:actually |really |else )?(?:helps|works|eases|relieves)\b|\bwhat are my options\b"
    r"|\bwhat (?:do|would|can) (?:you|u) (?:recommend|reccomend|recomend|suggest|advise)\b"
    r"|\b(?:is there|are there|does|do) (?:anything|something|any thing)(?: \w+){0,4}?"
    r" (?:help|helps|work|works)\b"
    r"|\b(?:can|could) (?:anything|something) be done\b"
    r"|\b(?:anything|something) (?:i|we|he|she|they|you|u) (?:can|could) do\b"
    r"|\b(?:any|some) (?:advice|tips|suggestions|ideas)\b|\badvice please\b"
    r"|\bhow (?:do|can|could|should) (?:i|we|you|u) (?:get rid of|ease|relieve|treat|fix|cure)\b"
)
"""Normalised words asking what helps, or what to do, about what the message tells ("what
should I do about my sciatica", "any advice?", "is there anything that helps", "how do I get
rid of it"): a request for a remedy, whatever condition it names."""
PLEA = re.compile(r"\b(?:please|pls|plz) help\b|\bhelp (?:please|pls|plz)\b|\bhelp me please\b")
"""A plea ("please help"): a request for a remedy when the message tells of suffering."""
DESPAIR = re.compile(
    r"\bwits? end\b|\bend of my tether\b|\btried everything\b|\bdesperate\b"
    r"|\bwhere to turn\b|\bnothing (?:is |seems to )?(?:helping|working|works|helps)\b"
)
"""Despair over what was tried ("I'm at my wits' end", "I've tried everything", "nothing
works"): a request for another remedy when the message tells of suffering, in a story too."""
CANNOT_TAKE = re.compile(
    r"\bcannot (?:take|stand|bear|cope with) (?:it|this|that|the pain|this pain|my pain|much more"
    r"|any more|anymore|no more)\b(?! (?:off|out|in|on|back|away|down|up|to|for|with)\b)"
    r"|\bcannot cope\b"
)
"""Pain past bearing ("I can't take this anymore", "can't cope"): when to get help answers, as
for pain getting worse. "Can't take it" shares all its words but one with "can't make it",
the cancellation's way of saying, so that answer gives way to it too."""
SUFFERING = re.compile(
    r"\b(?:sciatic\w*|piriformis|pain\w*|agony|hurt\w*|ache\w*|aching|sore|suffer\w*"
    r"|killing|unbearable|bad|awful|worse|leg|legs|bum|buttock\w*|glute\w*|hip|back|nerve)\b"
)
"""Words telling of pain, a condition or a place that hurts."""
NOT_A_REMEDY_ASK = re.compile(
    r"\bwhat (?:is|are|s)\b(?! (?:the )?best| my options)|\bwhats\b(?! (?:the )?best)"
    r"|\bmean\b|\bdefin|\bunderstand|\bexplain|\btell me about\b|\bbot\b|\bbook"
)
"""Words asking what something is, or about the bot or booking, rather than what helps."""
PAIN_RELIEF_ASK = re.compile(
    r"\bsomething for (?:the|my|this) pain\b|\bwhat (?:should|can|could) (?:i|we) take\b"
)
"""Asking for something to take for the pain: the medicines topic answers."""
REMEDY_INTENT = "medicines"
WORSENING = re.compile(
    r"\b(?:gotten|getting|gets|get|got|grown|growing|gone|going) (?:\w+ )?worse\b"
    r"|\bworse and worse\b|\bworsening\b|\bnot getting (?:any )?better\b"
)
"""A remedy ask telling that the pain is getting worse: when to get help answers."""
WORSENING_INTENT = "when_to_get_help"
REMEDIES_REPLACE = frozenset(
    {
        "sciatica_definition",
        "sciatica_symptoms",
        "sciatica_causes",
        "piriformis_syndrome",
        "piriformis_muscle",
        "about_bot",
        "greeting",
        "thanks",
    }
)
"""Topics a request for a remedy matches on the condition it names or on "help", "that
helps": what something is, its symptoms or causes, the bot, a courtesy. A remedy ask answered
with one of them is answered with a remedy topic (:meth:`Matcher._remedy`)."""
REMEDY_TOPICS = frozenset(
    {"massage_for_sciatica", "neuromuscular_massage", "other_treatments", "medicines"}
    | {"stretches_exercise", "when_to_get_help", "heat_ice"}
)
"""Topics that answer what helps."""
CANNOT_TAKE_REPLACES = REMEDIES_REPLACE | {"clinic_cancellation", "how_long"}
"""Answers pain past bearing (:data:`CANNOT_TAKE`) is matched to on its words, not its meaning."""

PLACE_CUES = frozenset({"near", "nearest", "nearbi"})
"""Stems that, right after a word for a place to have a massage (:data:`PLACE_SUBJECTS`), are
followed by a place's name ("a clinic near london bridge"): words no topic knows there do not
weigh against every topic as unknown words do; they say where, so the message reads as asking
where (:data:`PLACE_TERM`), as "near me" (someone local) does not. "It hurts near my
tailbone" names no place."""
PLACE_SUBJECTS = frozenset({"clinic", "therapist", "massag"})
PLACE_TERM = "where"


@dataclass(frozen=True)
class _Indexed:
    intent: str
    text: str
    total: float
    """Summed weight of the example's terms."""


@dataclass(frozen=True)
class _Distinct:
    """One intent's examples as :meth:`Matcher._rank` scores them: examples holding the same
    terms have the same total and so the same score for every message, so each such group is
    scored once, as its greatest text (the one a tie goes to), marked when it stands for more
    than one example (then the intent's second best score is its best)."""

    texts: list[str]
    totals: list[float]
    roots: list[float]
    twin: list[bool]
    """Whether the example stands for two or more."""
    postings: dict[str, list[int]]
    """Term -> positions (in ``texts``) of the examples holding it."""


@dataclass(frozen=True)
class _IntentIndex:
    """One intent's examples, for scoring them against a message."""

    name: str
    whole: bool
    """Small talk: matched only as the whole message."""
    texts: list[str]
    totals: list[float]
    """Summed weight of each example's terms."""
    roots: list[float]
    """1 / sqrt(total) of each example (0 for an example without terms)."""
    postings: dict[str, list[int]]
    """Term -> positions (in ``texts``) of the examples holding it."""
    distinct: _Distinct
    """The same examples with those holding the same terms as one (:meth:`Matcher._rank`)."""


_first = itemgetter(0)
_score_of = itemgetter(1)
"""A :class:`Candidate`'s score."""


def _candidate(fields: tuple[str, float, str]) -> Candidate:
    """``Candidate(*fields)``, made as the tuple it is (half the cost of calling the class,
    which :meth:`Matcher._rank` does for every intent it scores)."""
    return tuple.__new__(Candidate, fields)


Query = dict[str, tuple[float, float]]
"""A message's terms: stem -> (weight, confidence)."""


class ContextPool(NamedTuple):
    """A fixed set of intents indexed by term, for :meth:`Matcher.clear_best`."""

    ids: tuple[int, ...]
    """The intents' indices, in order."""
    by_term: dict[str, tuple[tuple[int, float], ...]]
    """Term -> (place in ``ids``, share) of each intent knowing it."""
    whole: tuple[bool, ...]
    """Whether each is small talk, matched only as the whole message."""


def _bounds(
    weights: Sequence[float],
    shares: Sequence[float],
    q_total: float,
    cut: float,
    wholes: Sequence[bool],
    places: Iterable[int],
) -> list[tuple[float, int]]:
    """(:func:`_score_bound`, place) of each of ``places`` whose weight is positive and at
    least ``cut``, in their order: the same floats, worked out inline (a short query's
    terms are known to most topics, each bounded)."""
    f1_weight = F1_SHARE * 2
    rest = 1 - F1_SHARE
    sqrt = math.sqrt
    out: list[tuple[float, int]] = []
    for k in places:
        weight = weights[k]
        if weight > 0 and weight >= cut:
            coverage = weight / q_total
            p = shares[k]
            p = p if p < 1.0 else 1.0
            if wholes[k]:
                out.append((min(p, coverage), k))
            elif p + coverage <= 0:
                out.append((0.0, k))
            else:
                pc = p * coverage
                out.append((f1_weight * pc / (p + coverage) + rest * sqrt(pc), k))
    return out


def _ranked_bounds(
    covered: Mapping[int, float],
    shares: Mapping[int, float],
    q_total: float,
    wholes: Sequence[bool],
    skip: tuple[int | None, ...] = (),
) -> list[tuple[float, int]]:
    """(:func:`_score_bound`, intent) of every intent in ``covered`` but those in ``skip``,
    best first (ties keep the order they came in): the same floats, worked out inline. Unlike
    :func:`_bounds` it keeps intents of no weight and takes intents by index, not place.

    Args:
        covered: Intent index -> the weight of the message it knows.
        shares: Intent index -> its precision bound.
        q_total: The message's total weight.
        wholes: Per intent index, whether it is small talk (matched as the whole message).
        skip: Intent indexes to leave out.
    """
    f1_weight = 2 * F1_SHARE
    rest = 1 - F1_SHARE
    sqrt = math.sqrt
    ordered: list[tuple[float, int]] = []
    for i, weight in covered.items():
        if i in skip:
            continue
        c = weight / q_total
        p = shares[i]
        p = p if p < 1.0 else 1.0
        if wholes[i]:
            ordered.append((c if c < p else p, i))  # min(p, c)
        elif p + c <= 0:
            ordered.append((0.0, i))
        else:
            pc = p * c
            ordered.append((f1_weight * pc / (p + c) + rest * sqrt(pc), i))
    ordered.sort(key=_first, reverse=True)
    return ordered


def _score_bound(coverage: float, precision: float, whole: bool) -> float:
    """The most an intent can score (0-1) for a message: the one bound :meth:`Matcher.rank`,
    :meth:`Matcher._rank` and :meth:`Matcher.best` prune and order intents by.

    Args:
        coverage: Share of the message the intent knows: a bound on every example's recall.
        precision: A bound on every example's precision (above 1 counts as 1).
        whole: Small talk, scored as the lesser of precision and recall.

    F1 and containment grow with precision and recall, so they are at most their values at
    the bounds; an intent scores at most its best example. The operations are those the
    ranking has always ordered intents by (their order decides ties), so a bound here is
    the same float wherever it is computed.
    """
    p = precision if precision < 1.0 else 1.0
    if whole:
        return min(p, coverage)
    if p + coverage <= 0:
        return 0.0
    pc = p * coverage
    return F1_SHARE * 2 * pc / (p + coverage) + (1 - F1_SHARE) * math.sqrt(pc)


def _least_weight(floor: float) -> float:
    """The least share of a message an intent must know to be bounded (:func:`_score_bound`,
    rounded up as :meth:`Matcher.best` rounds it) at ``floor`` (0-100) or more, less 0.3 to
    spare; 0 for no floor.

    Whatever the precision, the bound is at most ``2 F1_SHARE c + (1 - F1_SHARE) sqrt(c)``
    for coverage ``c`` (and small talk's ``min(p, c)`` is at most ``c``, below that), which
    grows with ``c``: under the root of ``a x^2 + b x = f`` for ``x = sqrt(c)``, the bound
    is under ``f``.
    """
    f = (floor - 0.3) / 100.0
    if f <= 0:
        return 0.0
    a, b = 2 * F1_SHARE, 1 - F1_SHARE
    x = f / b if a == 0 else (-b + math.sqrt(b * b + 4 * a * f)) / (2 * a)
    return x * x


def _gather(
    known: list[tuple[str, float]],
    query: Query,
    share_of_term: dict[str, dict[int, float]],
    pool: dict[int, float],
    shares: dict[int, float],
    mine: dict[int, list[tuple[str, float]]],
) -> None:
    """Add each known term's weight, share and the term itself to the intents of ``pool``
    that know it, in place (the coverage, precision bound and terms :meth:`Matcher._rank`
    takes).

    Args:
        known: The query's known terms, (stem, weight x confidence), in order.
        query: The query (for each term's confidence).
        share_of_term: For each stem, the intents knowing it and its share of each.
        pool: Intent index -> coverage so far; only these intents are summed.
        shares: Intent index -> precision bound so far.
        mine: Intent index -> its terms so far.
    """
    for term in known:  # (stem, weight): one tuple, kept in each intent's list
        s, wc = term
        conf = query[s][1]
        share_of = share_of_term[s]
        # the shorter of the two to walk; the sums are taken term by term either way
        if len(share_of) > len(pool):
            for i in pool:
                held = share_of.get(i)
                if held is not None:
                    pool[i] += wc
                    shares[i] += conf * held
                    mine[i].append(term)
        else:
            for i, share in share_of.items():
                if i in pool:
                    pool[i] += wc
                    shares[i] += conf * share
                    mine[i].append(term)


class Matcher:
    """Matches messages against the content's examples.

    Built once from :class:`~bot.content.Content`; :meth:`decide` is a pure function of the
    message afterwards.

    Args:
        content: Validated content.
        threshold: Least score (0-100) for answering an intent.
        margin: When the runner-up is closer than this, ask "Did you mean".
    """

    def __init__(self, content: Content, threshold: float = 50.0, margin: float = 6.0) -> None:
        self.threshold = threshold
        self.margin = margin
        self._caution_cue = frozenset(stem(normalise(w)) for w in CAUTION_CUE)
        self._caution = CAUTION_INTENT if CAUTION_INTENT in content.intents else None
        self._weighed_intent = WEIGHED_INTENT if WEIGHED_INTENT in content.intents else None
        self._massage_helps = MASSAGE_HELPS if MASSAGE_HELPS in content.intents else None
        self._pain_relief = REMEDY_INTENT if REMEDY_INTENT in content.intents else None
        self._worsening = WORSENING_INTENT if WORSENING_INTENT in content.intents else None
        self._harm_cues = frozenset(stem(normalise(w)) for w in HARM_CUES)
        self._settling_words = {
            stem(normalise(word)): intent
            for word, intent in SETTLING_WORDS.items()
            if intent in content.intents
        }
        self._subjects = {
            normalise(word) if word in SUBJECTS_AS_TYPED else stem(normalise(word)): intent
            for word, intent in STORY_SUBJECTS.items()
            if intent in content.intents
        }
        self.subject_topics = frozenset(self._subjects.values())
        self._elsewhere_on = ELSEWHERE_INTENT in content.intents
        self._subjects_of: dict[tuple[str, str], tuple[str, ...]] = {}
        """(stem, word) of a term -> the topics of the subjects it names (:meth:`_named`)."""
        self._full_names = {
            intent: frozenset(stem(normalise(word)) for word in words)
            for intent, words in SUBJECT_FULL_NAMES.items()
            if intent in content.intents
        }
        """The topics a subject word names (:meth:`subjects` finds only these)."""
        vocabulary: list[str] = []
        normalised: list[tuple[str, str]] = []
        for topic in content.intents.values():
            for example in topic.examples:
                text = normalise(example.text)
                normalised.append((topic.name, text))
                vocabulary.extend(text.split())
        self.analyzer = Analyzer(vocabulary, content.synonyms, content.out_of_scope)

        # Inverse intent frequency of each term.
        per_intent: dict[str, set[str]] = defaultdict(set)
        example_terms: list[tuple[str, str, set[str]]] = []
        for name, text in normalised:
            stems = {t.stem for t in self.analyzer.terms(text) if t.confidence > 0}
            per_intent[name].update(stems)
            example_terms.append((name, text, stems))
        n_intents = max(len(per_intent), 1)
        df: dict[str, int] = defaultdict(int)
        for stems in per_intent.values():
            for s in stems:
                df[s] += 1
        self.idf: dict[str, float] = {s: math.log(1 + n_intents / d) for s, d in df.items()}
        top_idf = math.log(1 + n_intents)
        self.unknown_weight = top_idf * UNKNOWN_WEIGHT
        self.out_of_scope_weight = top_idf * OUT_OF_SCOPE_WEIGHT

        self.examples: list[_Indexed] = []
        self.intent_vocab = {i: frozenset(s) for i, s in per_intent.items()}
        # Per intent: its examples and, for each term, which of them hold it; per term: the
        # intents that know it (in content order), for coverage and the search order.
        self._intents: list[_IntentIndex] = []
        by_name: dict[str, _IntentIndex] = {}
        term_intents: dict[str, list[int]] = defaultdict(list)
        for name, text, stems in example_terms:
            total = math.fsum(self.idf[s] for s in stems)  # exact: the same in any set order
            self.examples.append(_Indexed(name, text, total))
            entry = by_name.get(name)
            if entry is None:
                entry = _IntentIndex(
                    name,
                    name in WHOLE_MESSAGE_INTENTS,
                    [],
                    [],
                    [],
                    {},
                    _Distinct([], [], [], [], {}),
                )
                by_name[name] = entry
                self._intents.append(entry)
                for s in self.intent_vocab[name]:
                    term_intents[s].append(len(self._intents) - 1)
            j = len(entry.texts)
            entry.texts.append(text)
            entry.totals.append(total)
            entry.roots.append(1 / math.sqrt(total) if total else 0.0)
            for s in stems:
                entry.postings.setdefault(s, []).append(j)
        for ids in term_intents.values():
            ids.sort()
        for entry in self._intents:
            self._distinct(entry)
        self._wholes = [entry.whole for entry in self._intents]
        """Per intent, whether it is small talk (:attr:`_IntentIndex.whole`)."""
        self._scoring = [
            (
                entry.name,
                entry.whole,
                entry.distinct.postings,
                entry.distinct.totals,
                entry.distinct.roots,
                entry.distinct.texts,
                entry.distinct.twin,
            )
            for entry in self._intents
        ]
        """Per intent, what :meth:`_rank` reads to score it, in one tuple."""
        self._term_intents: dict[str, list[int]] = dict(term_intents)
        # Per term and intent knowing it: the largest share (idf / example total) the term is
        # of an example of that intent. A message's terms can make up at most the sum of
        # their shares of any one example: a bound on every example's precision.
        self._term_shares: dict[str, list[float]] = {
            s: [
                max(self.idf[s] / self._intents[i].totals[j] for j in self._intents[i].postings[s])
                for i in ids
            ]
            for s, ids in self._term_intents.items()
        }
        self._index_of = {e.name: n for n, e in enumerate(self._intents)}
        # For :meth:`best`: per intent, its examples by total (lightest first, so the lowest
        # bit of a set is its lightest example) and, per term, the set of those holding it as
        # the bits of an int.
        self._by_total: list[tuple[list[float], list[float]]] = []
        self._masks: list[dict[str, int]] = []
        for entry in self._intents:
            order = sorted(range(len(entry.texts)), key=entry.totals.__getitem__)
            bit = {j: 1 << n for n, j in enumerate(order)}
            self._by_total.append(
                ([entry.totals[j] for j in order], [entry.roots[j] for j in order])
            )
            masks: dict[str, int] = {}
            for term, held in entry.postings.items():
                mask = 0
                for j in held:
                    mask |= bit[j]
                masks[term] = mask
            self._masks.append(masks)
        # The same shares by intent, and each term's largest (for the rare-term shortcut).
        self._share_of: dict[str, dict[int, float]] = {
            s: dict(zip(ids, self._term_shares[s], strict=True))
            for s, ids in self._term_intents.items()
        }
        self._max_share = {s: max(shares) for s, shares in self._term_shares.items()}
        # Per intent, for :meth:`best`: each term it knows -> its share and its mask.
        self._known_by: list[dict[str, tuple[float, int]]] = [
            {term: (self._share_of[term][i], mask) for term, mask in masks.items()}
            for i, masks in enumerate(self._masks)
        ]
        self._more: dict[str, Query] = {}
        self._pools: dict[tuple[str, ...], tuple[set[int], dict[int, int]]] = {}
        """For :meth:`best`, the lists of intents it is given as tuples (the same few lists:
        all topics, small talk, ...): their indices as a set, and each one's place in the
        order the set yields them."""
        """The queries of the words :meth:`query_after` adds, by the words."""
        self._last_whole: tuple[Sequence[Sequence[Term]], Query] | None = None
        self._last_named: tuple[Sequence[Sequence[Term]], frozenset[str]] | None = None
        self._last_read: tuple[str, Reading, list[Term] | None] | None = None
        self._last_told: tuple[Reading, list[list[Term]]] | None = None
        """A story's reading with its sentences' terms (:meth:`_told_terms`)."""
        self._last_asked: tuple[Reading, dict[int, list[Candidate]]] | None = None
        """A story's reading with its questions ranked on their own words (:meth:`_asked`)."""
        self._treatment_stems = frozenset(
            s
            for s, by in self._share_of.items()
            if any(self._index_of.get(intent) in by for intent in TREATMENT_ASKS)
        )
        """The stems the treatments asked about (:data:`TREATMENT_ASKS`) know: a question
        holding none of them cannot match one of those best (:meth:`_massage_told`)."""
        """The sentences :meth:`_named` last read, with the topics they name."""
        """The sentences :meth:`_whole_query` last read, with their query."""

    @staticmethod
    def _distinct(entry: _IntentIndex) -> None:
        """Fill ``entry.distinct``: its examples by the terms they hold, one per set of terms
        (the greatest text), in the order each set first comes."""
        held: list[list[str]] = [[] for _ in entry.texts]
        for term, where in entry.postings.items():
            for j in where:
                held[j].append(term)
        first: dict[frozenset[str], int] = {}
        out = entry.distinct
        for j, terms in enumerate(held):
            key = frozenset(terms)
            at = first.get(key)
            if at is None:
                first[key] = len(out.texts)
                out.texts.append(entry.texts[j])
                out.totals.append(entry.totals[j])
                out.roots.append(entry.roots[j])
                out.twin.append(False)
                for term in terms:
                    out.postings.setdefault(term, []).append(first[key])
            else:
                out.twin[at] = True
                if entry.texts[j] > out.texts[at]:
                    out.texts[at] = entry.texts[j]

    def query(self, text: str) -> Query:
        """Content terms of normalised text: stem -> (weight, confidence)."""
        return self._query_of(self.analyzer.terms(text))

    def _query_of(
        self,
        terms: Iterable[Term],
        *,
        unknown: bool = True,
        into: Query | None = None,
        background: Query | None = None,
    ) -> Query:
        """The query of terms already analysed.

        Args:
            terms: The terms.
            unknown: Whether words the knowledge base has never seen weigh in against every
                intent (they do in a sentence, not in the story around it).
            into: A query to add to; a term already there keeps its larger weight.
            background: A query the terms are added to as well, as ``into`` with
                ``unknown`` False would add them (a story's background, found in the same
                pass as each sentence's own query).
        """
        query: Query = {} if into is None else into
        idf = self.idf
        place = False  # in a place's name, after :data:`PLACE_CUES`
        before = ""  # the stem of the term before
        for term_stem, confidence, word in terms:
            # a word no topic knows, or one only a typo away from one ("camden" -> "came")
            if place and (term_stem != OUT_OF_SCOPE and (term_stem not in idf or confidence < 1)):
                if PLACE_TERM in idf and PLACE_TERM not in query:
                    query[PLACE_TERM] = (idf[PLACE_TERM], 1.0)
                if PLACE_TERM in idf and background is not None and PLACE_TERM not in background:
                    background[PLACE_TERM] = (idf[PLACE_TERM], 1.0)
                continue
            place = term_stem in PLACE_CUES and before in PLACE_SUBJECTS
            before = term_stem
            key = term_stem
            if term_stem == OUT_OF_SCOPE:
                weight, conf = self.out_of_scope_weight, 0.0
                key = f"{OUT_OF_SCOPE}:{word}"
            elif term_stem in idf:
                weight, conf = idf[term_stem], confidence**2
            elif unknown:
                old = query.get(key)
                if old is None or (old[1], old[0]) < (0.0, self.unknown_weight):
                    query[key] = (self.unknown_weight, 0.0)
                continue  # a word never seen is no part of the background
            else:
                continue
            old = query.get(key)
            if old is None or (old[1], old[0]) < (conf, weight):
                query[key] = (weight, conf)
            if background is not None:
                old = background.get(key)
                if old is None or (old[1], old[0]) < (conf, weight):
                    background[key] = (weight, conf)
        return query

    def query_after(self, decision: Decision, text: str, more: str) -> Query:
        """:meth:`query` of normalised ``text`` followed by ``more``. Unless a lexicon phrase
        could run across, ``more``'s query is added to ``text``'s: when ``decision`` read
        ``text`` as one sentence, its query of it is taken, so ``text`` is not read again
        (otherwise ``text`` alone is read); ``more`` is one of a few words a caller adds (a
        topic's subject), whose queries are kept."""
        read = decision.read
        if not text or self.analyzer.runs_on(text, more):
            return self.query(f"{text} {more}")
        extra = self._more.get(more)
        if extra is None:
            extra = self.query(more)
            if len(self._more) < MORE_KEPT:
                self._more[more] = extra
        # ``text`` read as more than one sentence: its own query (not of it with ``more``)
        query = dict(read[1]) if read is not None and read[0] == text else self.query(text)
        _merge(query, extra)
        return query

    def candidates(self, text: str, limit: int = 3) -> list[Candidate]:
        """Best intents for normalised text, best first (see :meth:`rank`)."""
        return self.rank(self.query(text), limit)

    def unknown_share(self, query: Query) -> float:
        """The share of a query's weight in words no intent knows (0 for an empty query)."""
        total = sum(w for w, _ in query.values())
        if not total:
            return 0.0
        known = sum(w * c for s, (w, c) in query.items() if s in self._term_intents)
        return 1.0 - known / total

    def score(self, query: Query, intents: Iterable[str]) -> dict[str, float]:
        """The scores (0-100) of the given intents for a query, exactly as :meth:`rank` would
        give them; an intent knowing none of the query's words scores 0."""
        if not query:
            return {}
        covered, shares, mine, q_total = self._among(query, intents)
        return {c.intent: c.score for c in self._rank(covered, shares, mine, q_total, 0, [])}

    def best(
        self,
        query: Query,
        intents: Iterable[str],
        limit: int = 2,
        floor: float = 0.0,
        lead: float | None = None,
        need: float | None = None,
    ) -> list[tuple[str, float]]:
        """The best ``limit`` of the given intents for a query, best first, with the scores
        :meth:`score` gives them (ties in the order :meth:`score` lists them).

        Only intents that may make the top are scored (the bound :meth:`rank` prunes by), so
        this costs a fraction of scoring them all. ``floor``: intents that cannot score above
        it are of no interest (they may be left out even when they would make the top).
        ``lead``: only whether the best leads the others by this much is of interest, so
        intents that cannot come within ``lead`` of the best are not scored (the best is the
        same; a runner-up ``lead`` or more behind may be missing or another one).
        ``need``: only a best of at least this is of interest, so once no intent left can
        reach it and none scored has, the rest are not scored (the best returned is then
        under ``need``, as the best of all would be).
        """
        if not query or limit <= 0:
            return []
        q_total = sum([w for w, _ in query.values()])
        index_of = self._index_of
        place: dict[int, int] | None = None  # each intent's place in ``wanted``, when kept
        if isinstance(intents, tuple):
            kept_pool = self._pools.get(intents)
            if kept_pool is None:
                wanted = {index_of[name] for name in intents if name in index_of}
                kept_pool = (wanted, {i: n for n, i in enumerate(wanted)})
                if len(self._pools) < POOLS_KEPT:
                    self._pools[intents] = kept_pool
            wanted, place = kept_pool
        else:
            wanted = {index_of[name] for name in intents if name in index_of}
        share_of = self._share_of
        known = [
            (s, w * conf, conf) for s, (w, conf) in query.items() if conf > 0 and s in share_of
        ]
        entries = self._intents
        known_by = self._known_by
        # Each intent's weight and bound, in :meth:`score`'s order, summed up as it does,
        # term by term; its terms' masks are gathered only when it is scored. One knowing
        # less than ``cut`` of the weight is bounded under ``floor`` whatever its precision:
        # it would come after every intent scored (:func:`_least_weight`), so it is left out.
        cut = _least_weight(floor) * q_total
        # (bound, intent, weight, its terms' masks or None: gathered when it is scored)
        ordered: list[tuple[float, int, float, list[tuple[int, float]] | None]] = []
        if sum(len(share_of[s]) for s, _, _ in known) < len(wanted) * len(known):
            # Fewer intents know the terms than are asked about (a long list, rare words):
            # the sums found term by term over the intents knowing each, the same sums.
            weights: dict[int, float] = {}
            shares: dict[int, float] = {}
            for s, wc, conf in known:
                for i, held_share in share_of[s].items():
                    if i in wanted:
                        weights[i] = weights.get(i, 0.0) + wc
                        shares[i] = shares.get(i, 0.0) + conf * held_share
            # in ``wanted``'s order (ties in the bound keep it), or by the intents' places in
            # it when known: then only those knowing a term are looked at
            for i in wanted if place is None else weights:
                weight = weights.get(i, 0.0)
                if weight > 0 and weight >= cut:
                    bound = _score_bound(weight / q_total, shares[i], entries[i].whole)
                    ordered.append((bound, i, weight, None))
            if place is not None:
                ordered.sort(key=lambda entry: place[entry[1]])
        else:
            # a few intents (the context's topics): each one's masks are gathered on the way
            for i in wanted:
                weight = share = 0.0
                knows = known_by[i]
                masks: list[tuple[int, float]] = []
                for s, wc, conf in known:
                    held = knows.get(s)
                    if held is not None:
                        weight += wc
                        share += conf * held[0]
                        masks.append((held[1], wc))
                if weight > 0 and weight >= cut:
                    bound = _score_bound(weight / q_total, share, entries[i].whole)
                    ordered.append((bound, i, weight, masks))
        kept = [floor] * limit  # a min-heap already holding `limit` scores of `floor`
        ordered.sort(key=_first, reverse=True)  # as in :meth:`_rank`: stable, best bound first
        ranked: list[tuple[str, float]] = []
        top = -math.inf
        for bound, i, weight, terms in ordered:
            most = round(100.0 * bound, 1) + 0.1  # at least the score, rounded as it is
            if most < kept[0]:
                break
            if lead is not None and most + 1e-6 < top - lead:
                break  # this one and every one after it (bounded lower) trails by ``lead``
            if need is not None and most < need and top < need:
                break  # neither this one nor any after it reaches ``need``
            if terms is None:
                knows = known_by[i]
                terms = [(knows[s][1], wc) for s, wc, _ in known if s in knows]
            score = self._top_two(i, terms, q_total, weight / q_total)
            ranked.append((entries[i].name, score))
            if score > top:
                top = score
            if score > kept[0]:
                heapq.heapreplace(kept, score)
        ranked.sort(key=lambda kv: -kv[1])
        return [kv for kv in ranked[:limit] if kv[1] >= floor]

    def context(self, intents: Iterable[str]) -> ContextPool:
        """A fixed set of intents indexed for :meth:`clear_best`: for each term any of them
        knows, the places (in the set) of those knowing it, with the term's share (as
        :meth:`best` takes it). Built once per set (a topic and those it points to)."""
        # in the order :meth:`best` goes through the same intents (the order of their set)
        ids = tuple({self._index_of[n] for n in intents if n in self._index_of})
        by_term: dict[str, list[tuple[int, float]]] = {}
        for place, i in enumerate(ids):
            for term, (share, _) in self._known_by[i].items():
                by_term.setdefault(term, []).append((place, share))
        whole = tuple(self._intents[i].whole for i in ids)
        return ContextPool(ids, {term: tuple(held) for term, held in by_term.items()}, whole)

    def best_in(
        self,
        query: Query,
        pool: ContextPool,
        limit: int = 2,
        floor: float = 0.0,
        lead: float | None = None,
    ) -> list[tuple[str, float]]:
        """:meth:`best` of the pool's intents, the same list, found from the pool's index:
        the intents knowing each of the query's terms are looked up, not gathered from all
        the intents knowing it (a short query's terms are known to most topics)."""
        if not query or limit <= 0:
            return []
        q_total = sum([w for w, _ in query.values()])
        share_of = self._share_of
        known = [
            (s, w * conf, conf) for s, (w, conf) in query.items() if conf > 0 and s in share_of
        ]
        ids = pool.ids
        weights = [0.0] * len(ids)
        shares = [0.0] * len(ids)
        by_term = pool.by_term
        met: list[int] = []  # the places of those knowing a term (the others weigh 0.0)
        for s, wc, conf in known:
            held = by_term.get(s)
            if held is not None:
                for place, share in held:
                    if not weights[place]:  # (a weight added is never 0.0)
                        met.append(place)
                    weights[place] += wc
                    shares[place] += conf * share
        entries = self._intents
        known_by = self._known_by
        cut = _least_weight(floor) * q_total
        # in the pool's order (which :meth:`best` keeps on ties), then best bound first;
        # only those knowing a term are bounded (a few of a large pool, for rare words)
        met.sort()
        ordered = _bounds(weights, shares, q_total, cut, pool.whole, met)
        ordered.sort(key=_first, reverse=True)
        kept = [floor] * limit  # a min-heap already holding `limit` scores of `floor`
        ranked: list[tuple[str, float]] = []
        top = -math.inf
        for bound, k in ordered:
            most = round(100.0 * bound, 1) + 0.1  # at least the score, rounded as it is
            if most < kept[0]:
                break
            if lead is not None and most + 1e-6 < top - lead:
                break  # this one and every one after it (bounded lower) trails by ``lead``
            i = ids[k]
            knows = known_by[i]
            terms = [(knows[s][1], wc) for s, wc, _ in known if s in knows]
            score = self._top_two(i, terms, q_total, weights[k] / q_total)
            ranked.append((entries[i].name, score))
            if score > top:
                top = score
            if score > kept[0]:
                heapq.heapreplace(kept, score)
        ranked.sort(key=lambda kv: -kv[1])
        return [kv for kv in ranked[:limit] if kv[1] >= floor]

    def clear_best(
        self,
        query: Query,
        pool: ContextPool,
        extra: Iterable[str],
        *,
        skip: str = "",
        floor: float,
        beat: float | None = None,
    ) -> tuple[str, float] | None:
        """The intent of ``pool`` and ``extra`` (but not ``skip``) that scores best for a
        query, with its score (that :meth:`score` gives), when it is clear: it scores at
        least the threshold (and above ``beat`` when given), and every other scores less
        than it by the margin or more; None otherwise.

        What ``best(query, intents, 2, floor, lead=margin, need=bar)`` tells with ``bar``
        the threshold or ``beat`` if higher, found in one pass over the query's terms (the
        pool's index gives the intents knowing each) rather than over each intent's terms;
        intents bounded under ``floor`` (less than ``bar`` minus the margin) or under the
        best scored less the margin are not scored, as there.
        """
        if not query:
            return None
        q_total = sum([w for w, _ in query.values()])
        share_of = self._share_of
        known = [
            (s, w * conf, conf) for s, (w, conf) in query.items() if conf > 0 and s in share_of
        ]
        ids = list(pool.ids)
        n = len(ids)
        weights = [0.0] * n
        shares = [0.0] * n
        by_term = pool.by_term
        for s, wc, conf in known:
            held = by_term.get(s)
            if held is not None:
                for place, share in held:
                    weights[place] += wc
                    shares[place] += conf * share
        index_of = self._index_of
        known_by = self._known_by
        entries = self._intents
        wholes = list(pool.whole)
        for name in extra:  # the few intents beside the pool, each over the query's terms
            i = index_of.get(name)
            if i is None or i in ids:
                continue
            weight = share = 0.0
            knows = known_by[i]
            for s, wc, conf in known:
                got = knows.get(s)
                if got is not None:
                    weight += wc
                    share += conf * got[0]
            ids.append(i)
            weights.append(weight)
            shares.append(share)
            wholes.append(entries[i].whole)
        if skip:  # left out as if it knew none of the terms
            skipped = index_of.get(skip)
            if skipped in ids:
                weights[ids.index(skipped)] = 0.0
        # one knowing less than ``cut`` of the weight is bounded under ``floor`` whatever
        # its precision (:func:`_least_weight`): no bound is worked out for it
        cut = _least_weight(floor) * q_total
        ordered = _bounds(weights, shares, q_total, cut, wholes, range(len(ids)))
        ordered.sort(key=_first, reverse=True)
        margin = self.margin
        need = self.threshold if beat is None or beat < self.threshold else beat
        top = second = -math.inf
        top_k = -1
        for bound, k in ordered:
            most = round(100.0 * bound, 1) + 0.1  # at least the score, rounded as it is
            if most < floor or most + 1e-6 < top - margin:
                break  # this one and every one after it can neither win nor come near
            if most < need and top < need:
                return None  # nor can any of them (or any scored) win
            if top - second < margin and most < top + margin:
                return None  # unclear, and none left can lead the best by the margin
            i = ids[k]
            knows = known_by[i]  # its terms' masks, in the query's order, as best takes them
            terms = [(knows[s][1], wc) for s, wc, _ in known if s in knows]
            score = self._top_two(i, terms, q_total, weights[k] / q_total)
            if score > top:
                second, top, top_k = top, score, k
            elif score > second:
                second = score
        if top < self.threshold or (beat is not None and top <= beat) or top - second < margin:
            return None
        return entries[ids[top_k]].name, top

    def _top_two(
        self, i: int, terms: Sequence[tuple[int, float]], q_total: float, coverage: float
    ) -> float:
        """Intent ``i``'s score, exactly as :meth:`_rank` computes it, found from fewer
        examples: examples holding the same of the message's terms share their weight, and
        of those the lightest score best (an example's score never grows with its total), so
        only the lightest of each such group is scored, and the second lightest of the group
        whose lightest scores best. ``terms``: the message's terms the intent knows, in
        order, each as the mask of the examples holding it (see :meth:`best`) and its
        weight."""
        totals, roots = self._by_total[i]
        # The groups, found term by term in the message's order (so each group's weight is
        # added up as :meth:`_rank` adds it): each group splits into its examples holding the
        # term and the others, and the examples met first with this term start a group.
        groups: list[tuple[int, float]] = []
        seen = 0  # the examples in a group so far
        for mask, wc in terms:
            if not mask & seen:  # none of them in a group yet: the groups stay, one more
                groups.append((mask, 0.0 + wc))
                seen |= mask
                continue
            seen |= mask
            split: list[tuple[int, float]] = []
            new = mask
            for group, shared in groups:
                inside = group & mask
                if inside:
                    split.append((inside, shared + wc))
                    new &= ~inside
                    if inside != group:
                        split.append((group & ~mask, shared))
                else:
                    split.append((group, shared))
            if new:
                split.append((new, 0.0 + wc))
            groups = split
        if self._intents[i].whole:
            return self._top_two_whole(groups, totals, q_total)
        rest = 1 - F1_SHARE
        f1_weight = 2 * F1_SHARE
        sqrt = math.sqrt
        best = second = -1.0
        # the group of the best example
        lead, lead_shared = groups[0] if groups else (0, 0.0)
        # the lightest of each group; then the second lightest of the best one, the only
        # other example that may score above the second best of those
        for group, shared in groups:
            j = (group & -group).bit_length() - 1
            score = (
                f1_weight * shared / (totals[j] + q_total)
                + rest * sqrt(shared * coverage) * roots[j]
            )
            if score > best:
                second = best
                best, lead, lead_shared = score, group, shared
            elif score > second:
                second = score
        lead &= lead - 1
        if lead:
            j = (lead & -lead).bit_length() - 1
            score = (
                f1_weight * lead_shared / (totals[j] + q_total)
                + rest * sqrt(lead_shared * coverage) * roots[j]
            )
            if score > second:
                second = score
        if second < 0:
            second = 0.0
        return round(100.0 * (SUPPORT_BEST * best + (1 - SUPPORT_BEST) * second), 1)

    @staticmethod
    def _top_two_whole(
        groups: Sequence[tuple[int, float]], totals: Sequence[float], q_total: float
    ) -> float:
        """:meth:`_top_two` for small talk, scored as the lesser of precision and recall."""
        best = second = -1.0
        lead, lead_shared = groups[0] if groups else (0, 0.0)
        for group, shared in groups:
            j = (group & -group).bit_length() - 1
            score = min(shared / totals[j], shared / q_total)
            if score > best:
                second = best
                best, lead, lead_shared = score, group, shared
            elif score > second:
                second = score
        lead &= lead - 1
        if lead:
            j = (lead & -lead).bit_length() - 1
            second = max(second, min(lead_shared / totals[j], lead_shared / q_total))
        if second < 0:
            second = 0.0
        return round(100.0 * (SUPPORT_BEST * best + (1 - SUPPORT_BEST) * second), 1)

    def _among(
        self, query: Query, intents: Iterable[str]
    ) -> tuple[dict[int, float], dict[int, float], dict[int, list[tuple[str, float]]], float]:
        """The given intents' coverage of a query, precision bound and terms (as :meth:`_rank`
        takes them), and the query's total weight."""
        q_total = sum([w for w, _ in query.values()])
        known = [(s, w * c) for s, (w, c) in query.items() if c > 0 and s in self._term_intents]
        wanted = {self._index_of[name] for name in intents if name in self._index_of}
        covered = dict.fromkeys(wanted, 0.0)
        shares = dict.fromkeys(wanted, 0.0)
        mine: dict[int, list[tuple[str, float]]] = {i: [] for i in wanted}
        _gather(known, query, self._share_of, covered, shares, mine)
        covered = {i: c for i, c in covered.items() if c > 0}
        return covered, shares, mine, q_total

    def rank(self, query: Query, limit: int = 3) -> list[Candidate]:
        """Best intents for a query, best first.

        Content terms are weighted by rarity across intents; unknown and out-of-scope words
        weigh in against every intent. An example scores a blend of (a) the F1 of the terms it
        shares with the message and (b) the geometric mean of how much of the example the
        message contains and how much of the message the intent's vocabulary knows; small talk
        must be the whole message. An intent scores its best example, helped a little by its
        second best.

        The search is exact but lazy. Intents that know one of the message's rare terms are
        scored first. With many intents a common word ("pain", "sciatica") is known to most of
        them, and merely adding up their coverage is what costs; so the others are looked at
        only when the best an intent knowing common terms alone could score (MaxScore, as in
        search engines) would still make the top ``limit``.
        """
        if not query:
            return []
        q_total = sum([w for w, _ in query.values()])
        # Known terms with their weight; a term the knowledge base lacks adds nothing here.
        known = [(s, w * c) for s, (w, c) in query.items() if c > 0 and s in self._term_intents]
        n = len(self._intents)
        # Small content: every term counts as rare, which is a plain scan in one pass.
        rare_df = n if n < RARE_TERM_MIN_INTENTS else max(RARE_TERM_MIN_DF, n * RARE_TERM_SHARE)
        common: list[tuple[str, float]] = []
        rare = known
        if rare_df < n:
            term_intents = self._term_intents
            rare = [(s, wc) for s, wc in known if len(term_intents[s]) <= rare_df]
            common = [(s, wc) for s, wc in known if len(term_intents[s]) > rare_df]
        kept: list[float] = []  # min-heap of the best `limit` rounded scores

        # 1. Intents knowing a rare term: exact coverage and precision bound over all terms.
        pool: dict[int, float] = {}
        shares: dict[int, float] = {}
        mine: dict[int, list[tuple[str, float]]] = {}  # its terms, in order
        if common:
            for s, _ in rare:
                pool.update(dict.fromkeys(self._term_intents[s], 0.0))
            shares = dict.fromkeys(pool, 0.0)
            mine = {i: [] for i in pool}
        all_of = self._share_of
        if common:  # the pool is the intents knowing a rare term
            _gather(known, query, all_of, pool, shares, mine)
        else:  # every intent knowing one of the terms joins the pool
            for term in known:  # (stem, weight): one tuple, kept in each intent's list
                s, wc = term
                conf = query[s][1]
                for i, share in all_of[s].items():
                    if i in pool:
                        pool[i] += wc
                        shares[i] += conf * share
                        mine[i].append(term)
                    else:
                        pool[i] = wc
                        shares[i] = conf * share
                        mine[i] = [term]
        ranked = self._rank(pool, shares, mine, q_total, limit, kept)

        # 2. The rest know common terms only: at most this much.
        ceiling = 0.0
        if common:
            common_coverage = sum(wc for _, wc in common) / q_total
            common_share = min(1.0, sum(query[s][1] * self._max_share[s] for s, _ in common))
            # (it only prunes, with 0.1 to spare for rounding: the intents it leaves out score
            # below the `limit`-th best, so which ones it leaves out never changes the top)
            ceiling = max(
                _score_bound(common_coverage, common_share, whole) for whole in (False, True)
            )
        if common and not (
            limit > 0 and len(kept) >= limit and round(100.0 * ceiling, 1) + 0.1 < kept[0]
        ):
            covered: dict[int, float] = {}
            others: dict[int, float] = {}
            for s, wc in common:
                conf = query[s][1]
                for i, share in self._share_of[s].items():
                    if i not in pool:
                        covered[i] = covered.get(i, 0.0) + wc
                        others[i] = others.get(i, 0.0) + conf * share
            ranked += self._rank(covered, others, {}, q_total, limit, kept, common)

        if len({c.score for c in ranked}) == len(ranked):  # no tie: the scores give the order
            ranked.sort(key=_score_of, reverse=True)
            return ranked if limit <= 0 else ranked[:limit]
        # Ties in the order a plain scan meets intents: by the first of the message's terms
        # each knows, then in content order.
        position = {s: k for k, (s, _) in enumerate(known)}

        def first_met(candidate: Candidate) -> tuple[int, int]:
            i = self._index_of[candidate.intent]
            if i in mine:
                return position[mine[i][0][0]], i
            return next(position[s] for s, _ in common if i in self._share_of[s]), i

        ranked.sort(key=lambda c: (-c.score, *first_met(c)))
        return ranked if limit <= 0 else ranked[:limit]

    def _rank(
        self,
        covered: dict[int, float],
        shares: dict[int, float],
        mine: Mapping[int, list[tuple[str, float]]],
        q_total: float,
        limit: int,
        kept: list[float],
        fallback: Sequence[tuple[str, float]] = (),
    ) -> list[Candidate]:
        """Score intents best bound first, stopping when no further one can make the top.

        Args:
            covered: Per intent, the weight of the message's terms it knows.
            shares: Per intent, a bound on its examples' precision.
            mine: Per intent, the message's terms it knows, with their weights, in the
                message's order.
            fallback: For an intent missing from ``mine``, the terms it may know (found
                when it is scored).
            q_total: The message's total weight.
            limit: How many intents are wanted (0: all).
            kept: Min-heap of the best ``limit`` scores so far; updated.

        Returns:
            The intents scored, unsorted; with a ``limit``, those found under ``limit``
            others when scored (never in the top) are left out.
        """
        # Best bound first: once even the best possible example of the next intent could not
        # beat the `limit`-th best score found so far, the rest cannot either.
        scoring = self._scoring
        rest = 1 - F1_SHARE
        f1_weight = 2 * F1_SHARE
        sqrt = math.sqrt
        # every intent given is bounded, most are not scored
        ordered = _ranked_bounds(covered, shares, q_total, self._wholes)
        ranked: list[Candidate] = []
        for bound, i in ordered:
            if limit > 0 and len(kept) >= limit and round(100.0 * bound, 1) + 0.1 < kept[0]:
                break
            coverage = covered[i] / q_total
            name, whole, postings, totals, roots, texts, twin = scoring[i]
            terms = mine.get(i)
            if terms is None:
                terms = [(s, wc) for s, wc in fallback if s in postings]
            # each example's shared weight, added up term by term in the message's order;
            # the examples met, in the order met
            shared_of = [0.0] * len(totals)
            met: list[int] = []
            for s, wc in terms:
                for j in postings[s]:
                    if shared_of[j]:
                        shared_of[j] += wc
                    else:  # a weight is positive: a met example's share is never 0.0
                        shared_of[j] = wc
                        met.append(j)
            # The best two examples, ties to the greatest text (as a sort of (score, text));
            # an example standing for two or more is its own runner-up.
            # With p = shared / total and r = shared / q_total: F1 = 2pr / (p + r) =
            # 2 shared / (total + q_total), and sqrt(p * coverage) = sqrt(shared * coverage)
            # / sqrt(total).
            best = second = -1.0
            example = ""
            if whole:
                for j in met:
                    shared = shared_of[j]
                    score = min(shared / totals[j], shared / q_total)
                    if score > best or (score == best and texts[j] > example):
                        second = score if twin[j] else best  # the old best, or a tie with it
                        best, example = score, texts[j]
                    elif score > second:
                        second = score
            else:
                for j in met:
                    shared = shared_of[j]
                    score = (
                        f1_weight * shared / (totals[j] + q_total)
                        + rest * sqrt(shared * coverage) * roots[j]
                    )
                    if score > best or (score == best and texts[j] > example):
                        second = score if twin[j] else best  # the old best, or a tie with it
                        best, example = score, texts[j]
                    elif score > second:
                        second = score
            if second < 0:
                second = 0.0
            score = round(100.0 * (SUPPORT_BEST * best + (1 - SUPPORT_BEST) * second), 1)
            if limit > 0:
                if len(kept) < limit:
                    heapq.heappush(kept, score)
                elif score > kept[0]:
                    heapq.heapreplace(kept, score)
                elif score < kept[0]:
                    continue  # under `limit` others already: never in the top
            ranked.append(_candidate((name, score, example)))
        return ranked

    def decide(self, message: str, split: Sequence[Sentence] | None = None) -> Decision:
        """Decide what a raw message means (:meth:`_decide_message`); a "Did you mean"
        between two sibling topics (:data:`SIBLINGS`) answers the first of them."""
        decision = self._decide_message(message, split)
        if decision.kind == "did_you_mean":
            decision = self._unless_harm(decision, message, split)
        decision = self._weighed(self._between_siblings(decision), message, split)
        decision = self._massage_told(self._relieved(decision, message, split), message, split)
        decision = self._job_told(decision, message, split)
        decision = self._told_cause(decision, message, split)
        decision = self._what_it_is(decision, message, split)
        decision = self._remedy(decision, message, split)
        return self._practitioner_told(decision, message, split)

    def _what_it_is(
        self, decision: Decision, message: str, split: Sequence[Sentence] | None
    ) -> Decision:
        """A story that names a condition in full ("diagnosed with piriformis syndrome") and
        asks what it is (:data:`ASKS_WHAT_IT_IS`) is answered on that condition: its answer
        says what it is, and the question's other words ("does it go away") ask about it. A
        story naming no condition in full asks about what the sentence before the question
        is clearly about, on its own words, when that is one of :data:`NAMED_THINGS`."""
        if decision.kind == "empty":
            return decision
        reading = self._read(message, split)
        if not reading.story:
            return decision
        at = next(
            (
                i
                for i, p in enumerate(reading.parts)
                if p.question and ASKS_WHAT_IT_IS.search(p.text)
            ),
            None,
        )
        if at is None:
            return decision
        terms = self._told_terms(reading)
        named = [intent for intent in self._full_names if self._named_in_full(intent, terms)]
        if len(named) == 1:
            if (decision.kind, decision.intent) == ("intent", named[0]):
                return decision
            return self._committed(decision, named[0])
        if at == 0 or named:
            return decision
        # otherwise "it" is what the sentence before names, when that sentence alone is
        # clearly about one of the article's topics ("I keep seeing 'trigger point 4'
        # mentioned. What is it?")
        before = self._decide(tuple(self.rank(self._query_of(terms[at - 1]), limit=RANKED)))
        if before.kind != "intent" or before.intent not in NAMED_THINGS:
            return decision
        if (decision.kind, decision.intent) == ("intent", before.intent):
            return decision
        return self._committed(decision, before.intent)

    @staticmethod
    def asks_remedy(whole: str) -> bool:
        """Whether normalised words hold a cue of a request for a remedy (:meth:`_remedy`):
        such words are read by their text, not by their terms alone."""
        cues = (REMEDY_ASK, PAIN_RELIEF_ASK, PLEA, DESPAIR)
        return any(cue.search(whole) for cue in cues)

    def _remedy(
        self, decision: Decision, message: str, split: Sequence[Sentence] | None
    ) -> Decision:
        """A message asking what helps or what to do (:data:`REMEDY_ASK`), or pleading for help
        while telling of pain (:data:`PLEA`, :data:`SUFFERING`; in a story, only when the bot or
        a courtesy answers it, else the story's topic does), or telling of despair over what
        was tried (:data:`DESPAIR`), asks for a remedy: when it is
        answered with what a condition is, the bot or a courtesy (:data:`REMEDIES_REPLACE`),
        or, when it tells of pain (:data:`SUFFERING`), with the fallback or a "Did you mean",
        whether massage helps answers it; when to get help answers one telling that the pain
        is getting worse (:data:`WORSENING`), the medicines topic one asking for something to
        take for the pain (:data:`PAIN_RELIEF_ASK`). A "Did you mean" offering another remedy
        (:data:`REMEDY_TOPICS`) than that one stays: the person picks; unless the message
        despairs of what it tried (:data:`DESPAIR`: "at the end of my tether, I've tried hot
        baths"), where the remedy offered was matched on what failed. A message asking what
        something is, about the bot or about booking (:data:`NOT_A_REMEDY_ASK`) is not one."""
        if self._massage_helps is None or decision.kind == "empty":
            return decision
        if decision.kind == "intent" and decision.intent not in CANNOT_TAKE_REPLACES:
            return decision  # most answers: nothing to read (REMEDIES_REPLACE is among these)
        reading = self._read(message, split)
        whole = reading.whole
        if self._worsening is not None and CANNOT_TAKE.search(whole):
            return self._committed(decision, self._worsening)
        if decision.kind == "intent" and decision.intent not in REMEDIES_REPLACE:
            return decision
        if NOT_A_REMEDY_ASK.search(whole):
            return decision
        suffering = SUFFERING.search(whole) is not None
        relief = PAIN_RELIEF_ASK.search(whole) is not None
        if not (REMEDY_ASK.search(whole) or relief or (DESPAIR.search(whole) and suffering)):
            if not (PLEA.search(whole) and suffering):
                return decision
            if (
                reading.story
                and decision.kind != "fallback"
                and decision.intent not in PLEA_INTENTS
            ):
                return decision  # a story's plea takes what the story tells of
        if decision.kind != "intent" and not suffering:
            return decision  # "how do I get rid of a cold": not about the bot's subject
        intent = self._massage_helps
        if self._worsening is not None and WORSENING.search(whole):
            intent = self._worsening
        elif self._pain_relief is not None and relief:
            intent = self._pain_relief
        offered = decision.options if decision.kind == "did_you_mean" else ()
        despair = DESPAIR.search(whole) is not None and suffering
        if not REMEDY_TOPICS.isdisjoint(offered) and intent not in offered and not despair:
            return decision  # another remedy is offered: the person picks
        return self._committed(decision, intent)

    def _committed(self, decision: Decision, intent: str, unscored: float = 0.0) -> Decision:
        """``decision`` answered with ``intent``, scored as its candidate (``unscored`` when it
        is not one), and at least at the threshold: a rule after the decision commits to it."""
        score = max((c.score for c in decision.candidates if c.intent == intent), default=unscored)
        return Decision("intent", intent, max(score, self.threshold), decision.candidates)

    def _read(self, message: str, split: Sequence[Sentence] | None) -> Reading:
        """:func:`bot.reading.read`, remembered for the last message: deciding reads a
        message once, and the rules after the decision look at the same reading."""
        last = self._last_read
        if last is not None and last[0] == message:
            return last[1]
        reading = read(message, split)
        self._last_read = (message, reading, None)
        return reading

    def _whole_terms(self, message: str, reading: Reading) -> list[Term]:
        """The terms of a message read as one sentence, remembered with its reading."""
        last = self._last_read
        if last is not None and last[0] == message and last[2] is not None:
            return last[2]
        terms = self.analyzer.terms(reading.whole)
        self._last_read = (message, reading, terms)
        return terms

    def _told_terms(self, reading: Reading) -> list[list[Term]]:
        """The terms of a story's sentences as they tell it (:func:`_told_parts`),
        remembered for the last story: the rules after the decision read them again."""
        last = self._last_told
        if last is not None and last[0] is reading:
            return last[1]
        terms = [self._terms(text) for text in _told_parts(reading)]
        self._last_told = (reading, terms)
        return terms

    def _job_told(
        self, decision: Decision, message: str, split: Sequence[Sentence] | None
    ) -> Decision:
        """A story that asks nothing and tells of its pain (it is answered, or offered first,
        what sciatica feels like: :data:`SYMPTOMS_INTENT`, or offered a job's topic first)
        beside the writer's job (:data:`JOB_STEMS`, :data:`WORK_TOLD`: "truck driver 22 yrs
        ... the cab seat is rubbish", "I stream games for a living"; in at least
        :data:`JOB_SHARE` of its sentences, and in as many as tell of the pain:
        :data:`PAIN_STEMS`) tells the pain they know and the job they suspect:
        it is about the job's part in it, who gets sciatica or working with it
        (:data:`JOB_INTENTS`), whichever of them is a candidate and scores higher, when that
        one scores at least :data:`STORY_FLOOR`. A job named beside a fuller account of the
        pain ("I drive a van for work. The pain goes ... Some days my toes tingle") is a
        circumstance told in passing."""
        if decision.kind == "did_you_mean" and decision.intent in JOB_INTENTS:
            pass  # offered first already: the story may say it is about the job
        elif decision.intent != SYMPTOMS_INTENT or decision.kind not in ("intent", "did_you_mean"):
            return decision
        reading = self._read(message, split)
        # a short question judging what was told ("is she right?") asks nothing of its own
        if not reading.story or any(p.question and not p.judges for p in reading.parts):
            return decision
        said = [
            {t.stem for t in self.analyzer.terms(part.text) if t.confidence > 0}
            for part in reading.parts
        ]
        told = sum(
            1
            for stems, part in zip(said, reading.parts, strict=True)
            if stems & JOB_STEMS or WORK_TOLD.search(part.text)
        )
        pain = sum(1 for stems in said if stems & PAIN_STEMS)
        if JOB_SHARE * len(reading.parts) > told or pain > told:
            return decision  # a job named in passing in an account of the pain
        jobs = [c for c in decision.candidates if c.intent in JOB_INTENTS]
        best = max(jobs, key=lambda c: c.score, default=None)
        if best is None or best.score < STORY_FLOOR:
            return decision
        return self._committed(decision, best.intent, best.score)

    def _told_cause(
        self, decision: Decision, message: str, split: Sequence[Sentence] | None
    ) -> Decision:
        """A story that asks nothing, answered (or offered first) a circumstance it tells as
        what brings its pain on (:data:`TOLD_AS_CAUSE`: a sentence about the desk or the drive
        that tells of the pain and of its cause, :data:`CAUSE_TOLD`: "my pain came from the
        chair I sit in at my desk"; not "braking hurts my leg", pain while driving), is
        about that cause (who gets sciatica), not about working or driving with it: it is
        answered on the cause's topic when that is a candidate scoring at least
        :data:`STORY_FLOOR`."""
        cause = TOLD_AS_CAUSE.get(decision.intent or "")
        if cause is None or decision.kind not in ("intent", "did_you_mean"):
            return decision
        topic = next((c for c in decision.candidates if c.intent == cause), None)
        if topic is None or topic.score < STORY_FLOOR:
            return decision
        reading = self._read(message, split)
        if not reading.story or any(p.question for p in reading.parts):
            return decision
        for part in reading.parts:
            if not CAUSE_TOLD.search(part.text):
                continue
            terms = self.analyzer.terms(part.text)
            if not {t.stem for t in terms if t.confidence > 0} & PAIN_STEMS:
                continue
            lead = next(
                (c for c in self.rank(self._query_of(terms), limit=2) if c.intent != RED_FLAGS),
                None,
            )
            if lead is not None and lead.intent == decision.intent:
                return self._committed(decision, cause)
        return decision

    def _relieved(
        self, decision: Decision, message: str, split: Sequence[Sentence] | None
    ) -> Decision:
        """A story that asks nothing and tells of relief after a massage ("she pressed a spot
        on my calf ... the pain had disappeared") is about whether massage helps
        (:data:`MASSAGE_HELPS`), whatever else it mentions (the price, a doctor, a baby),
        unless it tells of harm too (:data:`HARM_CUES`) or is already answered on a massage
        topic (a "Did you mean" led by one is not answered yet) or on whether massage is
        safe."""
        if (
            self._massage_helps is None
            or decision.kind == "empty"
            or (decision.kind == "intent" and decision.intent in FAMILIES["massage"])
            or decision.intent == CAUTION_INTENT
        ):
            return decision
        reading = self._read(message, split)
        if not reading.story or any(p.question for p in reading.parts):
            return decision
        if not RELIEF.search(reading.whole):
            return decision
        terms = self._whole_terms(message, reading)
        stems = {t.stem for t in terms}
        if not stems & MASSAGE_WORDS or stems & self._harm_cues:
            return decision
        if not stems & (MASSAGE_WORDS - {SESSION_WORD}) and (
            stems & OTHER_SESSIONS or "other_treatments" in self._named([terms])
        ):
            return decision  # a physio's or a chiropractor's sessions: no massage told
        return self._committed(decision, self._massage_helps, decision.score)

    def _massage_told(
        self, decision: Decision, message: str, split: Sequence[Sentence] | None
    ) -> Decision:
        """A story answered (or offered first) another treatment (:data:`TREATMENT_ASKS`:
        pills, physio, an injection) that tells of a massage (:data:`MASSAGE_NAMES`) in as
        many of its sentences as of that treatment, and last, tells of the treatments tried
        and what they came to: a massage ("he has done physio and takes naproxen ... a friend
        said a massage might help"). It is about whether massage helps
        (:data:`MASSAGE_HELPS`), unless one of its questions asks about the other treatments
        on its own words ("what else is there besides physio and pills?"). A story telling
        of an injection in more sentences than of a massage is about the injection."""
        if (
            self._massage_helps is None
            or decision.intent not in TREATMENT_ASKS
            or decision.kind not in ("intent", "did_you_mean")
        ):
            return decision
        reading = self._read(message, split)
        if not reading.story:
            return decision
        terms = self._told_terms(reading)
        massage = [
            i
            for i, ts in enumerate(terms)
            if any(t.stem in MASSAGE_NAMES and t.confidence > 0 for t in ts)
        ]
        other = [i for i, ts in enumerate(terms) if decision.intent in self._named([ts])]
        if not massage or len(massage) < len(other) or (other and massage[-1] < other[-1]):
            return decision
        last = self._last_asked
        asked = last[1] if last is not None and last[0] is reading else {}
        for at, (part, ts) in enumerate(zip(reading.parts, terms, strict=True)):
            if not part.question:
                continue
            if at in asked:  # ranked on its own words already
                own = [c for c in asked[at][:2] if c.intent != RED_FLAGS]
            else:
                query = self._query_of(ts)
                if not any(c > 0 and s in self._treatment_stems for s, (_, c) in query.items()):
                    continue  # no word the treatments know: neither matches it best
                own = [c for c in self.rank(query, limit=2) if c.intent != RED_FLAGS]
            if own and own[0].intent in TREATMENT_ASKS:
                return decision
        return self._committed(decision, self._massage_helps, decision.score)

    def _practitioner_told(
        self, decision: Decision, message: str, split: Sequence[Sentence] | None
    ) -> Decision:
        """A story told by a massage therapist about their work (:data:`PRACTITIONER`, or a
        client in a story naming a massage or a therapist: :data:`CLIENT`) that asks nothing
        ("Therapist here. A woman came in with pain down her thigh ... she walked out
        standing straight") is about whether massage helps (:data:`MASSAGE_HELPS`), unless
        it is answered already with a topic it keeps (:data:`PRACTITIONER_KEEPS`)."""
        if (
            self._massage_helps is None
            or decision.kind == "empty"
            or decision.intent == self._massage_helps
            or decision.intent in PRACTITIONER_KEEPS
        ):
            return decision
        lowered = message.lower()
        told = PRACTITIONER.search(lowered) is not None
        if not told and not CLIENT.search(lowered):
            return decision
        reading = self._read(message, split)
        if not reading.story or any(part.question for part in reading.parts):
            return decision
        if not told:
            said = {
                t.stem for part in reading.parts for t in self._terms(part.text) if t.confidence > 0
            }
            if not said & MASSAGE_NAMES:
                return decision
        return self._committed(decision, self._massage_helps, decision.score)

    def _weighed(
        self, decision: Decision, message: str, split: Sequence[Sentence] | None
    ) -> Decision:
        """A message naming both conditions whose question weighs them against each other
        ("my GP says sciatica but the physio says piriformis, who do I believe?", "sciatica
        or piriformis, which is it?", "is it the same thing or different?"), or a story
        telling that opinions on them conflict (:data:`DISAGREEING`), asks the
        difference (:data:`WEIGHED_INTENT`), whatever its story is about. A question that
        names them with another subject ("which stretches help my sciatica and piriformis")
        weighs nothing."""
        if (
            (decision.kind == "intent" and decision.intent == self._weighed_intent)
            or self._weighed_intent is None
            or decision.kind == "empty"
            or not PIRIFORMIS_HINT.search(message.lower())
        ):
            return decision
        reading = self._read(message, split)
        parts = [p.text for p in reading.parts if p.question] if reading.story else [reading.whole]
        asks = [
            p
            for p in parts
            if WEIGHING.search(p) or WEIGHING_OR_ASK.search(p) or COMPARING.search(p)
        ]
        disagreeing = DISAGREEING.search(reading.whole) is not None
        if disagreeing:
            asks.append(reading.whole)
        if not asks:
            return decision
        # each word typed with its stem; a phrase ("sciatica or piriformis") word by word
        hinted = " ".join(_words_at(reading.whole, SIDE_HINT))
        named = [
            (word, t.stem if " " not in t.word else stem(word))
            for t in self.analyzer.terms(hinted)
            for word in t.word.split()
        ]
        sides = {w: s in PIRIFORMIS_SIDE for w, s in named if s in SCIATICA_SIDE | PIRIFORMIS_SIDE}
        if set(sides.values()) != {True, False}:
            return decision
        if not disagreeing and not any(
            WEIGHING.search(p)
            or (WEIGHING_OR_ASK.search(p) and _joined_by_or(p.split(), sides))
            or (
                COMPARING.search(p) and {sides[w] for w in p.split() if w in sides} == {True, False}
            )
            for p in asks
        ):
            return decision
        return self._committed(decision, self._weighed_intent, decision.score)

    def _unless_harm(
        self, decision: Decision, message: str, split: Sequence[Sentence] | None
    ) -> Decision:
        """A "Did you mean" offered on a message that names massage offers whether massage
        is safe (:data:`CAUTION_INTENT`) only when the message names a risk or harm
        (:data:`HARM_CUES`): a visit told ("lie face down ... the deep probing", "handed a
        pair of paper pants") matches that topic on its massage words, not on what it asks.
        Left with one option, the message is answered on it. A message naming no massage
        ("how soon after?") keeps its options: what it follows may decide."""
        if self._caution not in decision.options:
            return decision
        words = {t.stem for t in self.analyzer.terms(read(message, split).whole)}
        if words & self._harm_cues or not words & self._caution_cue:
            return decision
        options = tuple(o for o in decision.options if o != self._caution)
        if not options:
            return decision
        chosen = next((c for c in decision.candidates if c.intent == options[0]), None)
        score = chosen.score if chosen is not None else decision.score
        if len(options) == 1 and score >= STORY_FLOOR:
            return dataclasses.replace(
                decision, kind="intent", intent=options[0], score=score, options=()
            )
        return dataclasses.replace(decision, intent=options[0], score=score, options=options)

    def _between_siblings(self, decision: Decision) -> Decision:
        """A "Did you mean" whose first two options are siblings (two of the clinic's facts,
        two ways of explaining sciatica, ...) answers the first: the message is about their
        family, and the first is what the matcher reads it as mostly about. Asking back
        between two sides of one subject helps less than answering one of them, with the
        other among its follow-ups."""
        if decision.kind != "did_you_mean" or len(decision.options) < 2:
            return decision
        first, second = decision.options[:2]
        if not SIBLINGS.get(first, frozenset()) & SIBLINGS.get(second, frozenset()):
            return decision
        chosen = next((c for c in decision.candidates if c.intent == first), None)
        score = chosen.score if chosen is not None else decision.score
        return dataclasses.replace(decision, kind="intent", intent=first, score=score, options=())

    def _decide_message(self, message: str, split: Sequence[Sentence] | None = None) -> Decision:
        """Decide what a raw message means (urgency is :mod:`bot.safety`'s to decide).

        A one-sentence message is scored as it is. In a story each topical sentence (the last
        :data:`MAX_QUESTIONS` questions, the :data:`MAX_STATEMENTS` statements richest in topic
        words) is scored on its own words, and :data:`CONTEXT_SHARE` of each intent's score
        comes from how well the whole story's known words match it; each intent keeps its best
        sentence's score. A question that points back ("which one helps?", "will I be charged
        for that?") is scored with the sentence before it as a quiet part of its own words.
        A clear answer to one of the story's questions wins over what its other sentences are
        about; a story that asks nothing is offered the topics close to its best one, and one
        about the bot's topics but about none of them clearly is offered "Did you mean" rather
        than the fallback, unless its best topic leads clearly (:data:`CLEAR_LEAD`). In a story,
        a plea ("please help") is not the ask, circumstances mentioned in passing count less
        (:data:`CIRCUMSTANCE_INTENTS`) and a subject named leads (:data:`STORY_SUBJECTS`). A
        message asking whether massage is safe gets that answer whenever it clears the
        threshold (:meth:`_decide`).

        Args:
            message: The message as typed.
            split: Its sentences, when already split (:func:`bot.text.sentences`), as the
                dialogue does to read a message once for the safety screen and the matcher.
        """
        reading = self._read(message, split)
        if not reading.whole:
            return Decision("empty", None, 0.0, ())
        if not reading.story:
            alone = self._terms(reading.whole, alone=True)
            query = self._query_of(alone)
            cands = tuple(self.rank(query, limit=RANKED))
            decision = self._settled(self._decide(cands, self._cautious([alone])), [alone])
            if not DEFINING_ASK.search(reading.whole):
                framed = alone
                if TELLING_FRAME.search(reading.whole):  # "tell me about ...": no subject
                    framed = [t for t in alone if t.stem not in FRAME_STEMS]
                decision = self._explained(decision, framed)
            known = sum(1 for s, (_, c) in query.items() if c > 0 and s in self._term_intents)
            if decision.kind == "fallback" and known >= 2:
                return _noted(self._alone(decision), (reading.whole, query, alone, cands))
            return _noted(
                self._verbatim(decision, reading.whole), (reading.whole, query, alone, cands)
            )
        terms = self._told_terms(reading)
        where = self._where(reading, terms)
        elsewhere = self._elsewhere(reading, terms) if where == ELSEWHERE_INTENT else None
        if elsewhere is not None:
            return elsewhere
        # The background: every sentence's known words, quietly; only the weightiest few,
        # which is what a long story is about.
        background: Query = {}
        own = [self._query_of(ts, background=background) for ts in terms]
        if len(background) > MAX_CONTEXT_TERMS:
            kept = sorted(background.items(), key=lambda kv: kv[1][0] * kv[1][1], reverse=True)
            background = dict(kept[:MAX_CONTEXT_TERMS])
        # The sentences to score: the questions, and the statements richest in topic words.
        weight = [self._told_weight(q) for q in own]
        topical = [i for i in range(len(own)) if any(c > 0 for _, c in own[i].values())]
        # a question its writer answers in the next breath ("Am I scared? Heck, yeah.") is
        # rhetorical: it asks nothing
        asks = [
            i
            for i in topical
            if reading.parts[i].question
            and not (
                i + 1 < len(reading.parts) and SELF_ANSWER.fullmatch(reading.parts[i + 1].text)
            )
        ][-MAX_QUESTIONS:]
        tells = sorted(
            (i for i in topical if not reading.parts[i].question), key=lambda i: -weight[i]
        )[:MAX_STATEMENTS]
        # a statement naming a topic in full ("it resulted in piriformis syndrome") tells
        # what the story is about, however few its words
        tells += [
            i
            for i in topical
            if i not in tells
            and not reading.parts[i].question
            and any(words <= own[i].keys() for words in self._full_names.values())
        ]
        # Each sentence is scored on its own words; what the whole story is about lifts
        # the intents it supports. A question answered clearly makes the statements moot:
        # they are scored only when none is.
        found = [self._asked(own, reading, i) for i in asks]
        # A plea ("please help", "what can you do?") in a story asks for help with what the
        # story tells, not about the bot: the story's other sentences decide.
        pleas = {
            n
            for n, cands in enumerate(found)
            if cands
            and (
                cands[0].intent in PLEA_INTENTS
                or (cands[0].intent in CIRCUMSTANCE_INTENTS and self._vague(own[asks[n]]))
            )
        }
        if pleas and len(topical) > len(pleas):
            found = [cands for n, cands in enumerate(found) if n not in pleas]
            asks = [i for n, i in enumerate(asks) if n not in pleas]
        # what each question is about on its own words
        question_leads = {c[0].intent for c in found if c and c[0].intent != RED_FLAGS}
        story = self.score(background, {c.intent for cands in found for c in cands})
        asked = self._in_story(found, story)
        # What the questions ask about: the topics one of them matches clearly.
        asked_about = {c.intent for cands in found for c in cands if c.score >= self.threshold}
        scored = list(found)
        top_asked = max((c.score for c in asked.values() if c.intent != RED_FLAGS), default=0.0)
        if top_asked < self.threshold:
            # a question its own words answer clearly is asked clearly (:data:`CLEAR_ASK`),
            # and so is one the story marks as its question (:data:`ASK_MARKER`)
            for at, question in zip(asks, found, strict=True):
                answers = [c for c in question if c.intent != RED_FLAGS]
                clear_at = self.threshold + (0.0 if self._marked(reading, at) else CLEAR_ASK)
                if (
                    answers
                    and answers[0].score >= clear_at
                    and (len(answers) < 2 or answers[0].score - answers[1].score >= self.margin)
                ):
                    clear = asked[answers[0].intent]
                    asked[clear.intent] = clear._replace(score=max(clear.score, self.threshold))
                    top_asked = self.threshold
        told: dict[str, Candidate] = {}
        if top_asked < self.threshold:
            found = [self._told(own[i]) for i in tells]
            # A courtesy ("thanks!!", "hi all") around a story that asks something else is
            # not what it asks.
            if asks:
                found = [
                    cands
                    for cands in found
                    if not cands or cands[0].intent not in WHOLE_MESSAGE_INTENTS
                ]
            more = {c.intent for cands in found for c in cands} - story.keys()
            story.update(self.score(background, more))
            told = self._in_story(found, story)
            scored += found
        pool = asked if top_asked >= self.threshold else {**told, **_better(asked, told)}
        # What the sentences scored are about one by one: each one's best topic.
        leads = Counter(cands[0].intent for cands in scored if cands)
        pool = self._in_passing(pool, asked_about, leads, len(scored))
        if where == "sciatica":
            # a sciatica story naming a knee or the neck in passing is not about them
            pool.pop(ELSEWHERE_INTENT, None)
        if top_asked < self.threshold:
            pool = self._with_subject(pool, terms, background)
        ranked = tuple(sorted(pool.values(), key=lambda c: -c.score)[:4])
        cautious = self._cautious([terms[i] for i in asks] if asks else terms)
        decision = self._settled(self._decide(ranked, cautious), terms)
        # A story's question framing a subject with the condition (not a story about the
        # condition it names: :data:`STORY_SUBJECTS`) is about the subject.
        if (
            asks
            and decision.intent not in self._named(terms)
            and not any(DEFINING_ASK.search(reading.parts[i].text) for i in asks)
        ):
            decision = self._explained(decision, [t for i in asks for t in terms[i]])
        top = _top_score(ranked, RED_FLAGS)
        options = tuple(
            c.intent
            for c in ranked
            if c.intent != RED_FLAGS
            and c.score >= max(STORY_FLOOR, top - STORY_MARGIN)
            # the bot itself is in reach only if one of the sentences is about it (and
            # offered only if a question asks about it: below)
            and (c.intent not in BOT_ITSELF or leads[c.intent])
        )[:MAX_OPTIONS]
        # A story that asks nothing is offered the topics it is close to, unless one stands
        # out; one that asks something unclear, the same rather than the fallback.
        unclear = decision.kind == "fallback" or (not asked and len(options) > 1)
        # A story whose questions, none answered clearly, ask about two of the topics
        # offered ("does the leg-raise test always hurt? ... can one sore spot be
        # sciatica?") is offered them: no lead says which question matters more.
        two_asks = len(question_leads.intersection(options)) > 1
        if options and top >= STORY_FLOOR and unclear:
            topics = [c for c in ranked if c.intent != RED_FLAGS]
            lead = (
                0.0 if two_asks else topics[0].score - (topics[1].score if len(topics) > 1 else 0.0)
            )
            agreed = topics[0].intent == max(story, key=lambda i: story[i], default=None)
            if lead >= WHOLE_AGREED_LEAD and (agreed or self._whole_leads(terms, topics[0].intent)):
                return Decision("intent", topics[0].intent, topics[0].score, ranked)
            if lead >= CLEAR_LEAD and (decision.kind != "did_you_mean" or not asked):
                return Decision("intent", topics[0].intent, topics[0].score, ranked)
            # The bot itself, in reach because a statement matches it best ("I don't know
            # what to tell her", "nobody answers the phone"), is asked nothing: it is no
            # option. A story it leads, or that it leaves one topic, is about none of the
            # topics clearly: the fallback lists what the bot answers.
            bot_told = [o for o in options if o in BOT_ITSELF and o not in question_leads]
            if bot_told and (options[0] in bot_told or len(options) - len(bot_told) < 2):
                unsure = Decision("fallback", None, top, ranked)
                return self._told_harm(unsure, pool, terms, asks) or unsure
            options = tuple(o for o in options if o not in bot_told)
            passing = self._told_in_passing(pool, asked_about, leads, len(scored))
            options = self._story_options(options, pool, passing, terms)
            offered = self._offered(options, ranked, terms, top, pool, passing)
            return self._told_harm(offered, pool, terms, asks) or offered
        if decision.kind == "did_you_mean":
            # A story's question between close topics: the one the whole story is about,
            # when it leads, is the answer.
            topics = [c for c in ranked if c.intent != RED_FLAGS]
            lead = topics[0].score - topics[1].score
            if lead >= WHOLE_AGREED_LEAD and self._whole_leads(terms, topics[0].intent):
                return Decision("intent", topics[0].intent, topics[0].score, ranked)
            decision = self._with_story_subject(decision, pool, terms)
        decision = self._told_harm(decision, pool, terms, asks) or decision
        return self._asked_subject(decision, pool, terms, reading, asks)

    def _terms(self, text: str, alone: bool = False) -> list[Term]:
        """A sentence's terms (:meth:`Analyzer.terms`), with the word "pregnant" when it
        tells how far along a pregnancy is (:data:`GESTATION`): "I'm 22 weeks and my sciatica
        is so bad" says it. A message ``alone`` that tells nothing more ("im 12 weeks")
        answers what came before it (its weeks may be the pain's): it is read as typed."""
        terms = self.analyzer.terms(text)
        found = GESTATION.search(text)
        if found is None:
            return terms
        if alone:
            rest = f"{text[: found.start()]} {text[found.end() :]}"
            if not any(t.confidence > 0 for t in self.analyzer.terms(rest)):
                return terms
        return [*terms, Term(stem(PREGNANT_WORD), 1.0, PREGNANT_WORD)]

    @staticmethod
    def _marked(reading: Reading, at: int) -> bool:
        """Whether a story marks its sentence ``at`` as the question it asks
        (:data:`ASK_MARKER`): in the sentence, or ending the words just before it ("so my
        question really is, can massage sort this out")."""
        if ASK_MARKER.search(reading.parts[at].text):
            return True
        if at == 0:
            return False
        before = ASK_MARKER.search(reading.parts[at - 1].text)
        return before is not None and before.end() == len(reading.parts[at - 1].text)

    def _asked_subject(
        self,
        decision: Decision,
        pool: Mapping[str, Candidate],
        terms: Sequence[Sequence[Term]],
        reading: Reading,
        asks: Sequence[int],
    ) -> Decision:
        """A story's question about a treatment or medicine it names (:data:`SETTLING_SUBJECTS`)
        asks about that: one naming it ("is dry needling the same thing?") or pointing back
        (:data:`THEM`) at the one named just before ("should I stop them?") is answered on
        its topic, when that
        topic is in the story's reach (:data:`STORY_FLOOR`), rather than on the question's
        other words ("the same", "keep going")."""
        if not asks or decision.intent == self._caution:
            return decision  # whether massage is safe after it: the ask decides
        subjects: set[str] = set()
        for i in asks:
            subjects |= self._named([terms[i]]) & SETTLING_SUBJECTS
            if not subjects and not THEM.isdisjoint(reading.parts[i].text.split()):
                subjects |= self._named(terms[max(0, i - 2) : i]) & SETTLING_SUBJECTS
        if not subjects or decision.intent in subjects:
            return decision
        # the story's score for each, from its sentences or, not among them, as a whole
        missing = subjects - pool.keys()
        whole = self.score(self._whole_query(terms), missing) if missing else {}
        scores = {s: pool[s].score if s in pool else whole.get(s, 0.0) for s in subjects}
        # siblings named together (a medicine, and "the surgery" rung): the one scoring best
        subject = max(sorted(subjects), key=lambda s: scores[s])
        if not subjects - {subject} <= SUBJECT_SIBLINGS.get(subject, frozenset()):
            return decision
        if decision.intent in SUBJECT_SIBLINGS.get(subject, ()) or scores[subject] < STORY_FLOOR:
            return decision
        return Decision("intent", subject, scores[subject], decision.candidates)

    def _where(self, reading: Reading, terms: Sequence[Sequence[Term]]) -> str | None:
        """Where a story says it hurts: :data:`ELSEWHERE_INTENT` when it is about an ache or a
        condition the article does not cover (a knee, the neck, an arm, the tailbone, spinal
        stenosis; a lower back that locks with no leg pain), ``"sciatica"`` when its sentences
        tell of sciatica's places (at least two sentences, and twice what speaks for
        elsewhere), None when they do not say. Each sentence has a say: one
        naming such a place (:data:`ELSEWHERE_PLACES`, weighted by how clearly) and no place
        of sciatica's (:data:`SCIATICA_PLACES`) speaks for elsewhere; one naming sciatica's
        places and denying them ("no pain down my legs", "it's not sciatica") speaks for it
        too (and so does the place it names instead: "not sciatica but my shoulder"); one
        naming sciatica's places outright speaks for sciatica; a sentence naming both is
        otherwise left out. The story is elsewhere when what speaks for it outweighs what
        speaks against and it names such a place (or, naming none, tells only of its back and
        denies the leg); a story naming a condition the article covers (pregnancy,
        piriformis) is not."""
        if not self._elsewhere_on:
            return None
        named = 0
        denied = 0
        sciatic = 0
        back = False
        for part in reading.parts:
            text = part.text
            said = set(text.split())
            places = ELSEWHERE_WORDS & said
            if places and not IDIOM_WORDS.isdisjoint(places):
                text = IDIOMS.sub(" ", text)
                said = set(text.split())
                places = ELSEWHERE_WORDS & said
            other = sum(ELSEWHERE_PLACES[w] for w in places)
            told = not SCIATICA_PLACES.isdisjoint(said) or RUNS_TO_KNEE.search(text) is not None
            if not BACK_PLACES.isdisjoint(said):
                back = True
                other += 1 if OTHER_BACK.search(text) else 0
            if told and NOT_SCIATICA.search(text):
                denied += 2
                named += other  # "not sciatica but my shoulder": the place is named outright
            elif told and DENIED_PLACE.search(text):
                denied += 1
            elif other and not told:
                named += other
            elif told and not other:
                sciatic += 1
        if sciatic >= 2 and sciatic > 2 * (named + denied):
            return "sciatica"
        if named + denied <= sciatic or not (named or (back and denied and not sciatic)):
            return None
        if self._named(terms) - SETTLING_SUBJECTS:
            return None  # a condition the article covers (pregnancy, piriformis) is named
        return ELSEWHERE_INTENT

    def _elsewhere(self, reading: Reading, terms: Sequence[Sequence[Term]]) -> Decision | None:
        """A story about an ache or a condition the article does not cover (:meth:`_where`
        says so) gets the honest "not covered" answer (:data:`ELSEWHERE_INTENT`), whatever topic a
        word in passing would pick, unless one of its questions asks what can be taken or
        done for it (:data:`TREATMENT_ASKS`) or, telling of a massage had, whether it did harm
        (:data:`CAUTION_CUE`) or is safe (:data:`CAUTION_INTENT`: "is that a normal thing
        after massage?")."""
        massage_told = False
        if self._caution is not None:
            # a story of a massage had, asking whether it did harm or is normal, asks whether
            # massage is safe
            harm, massage = (stem(normalise(w)) for w in CAUTION_CUE)
            said = [{t.stem for t in ts if t.confidence > 0} for ts in terms]
            asking = [said[i] for i, part in enumerate(reading.parts) if part.question]
            if any(massage in s for s in said) and any(harm in s for s in asking):
                return None
            massage_told = any(
                massage in s
                for s, part in zip(said, reading.parts, strict=True)
                if not part.question
            )
        for i, part in enumerate(reading.parts):
            if part.question:
                asked = self.rank(self._query_of(terms[i]), limit=1)
                if not asked or asked[0].score < STORY_FLOOR:
                    continue
                if asked[0].intent in TREATMENT_ASKS or (
                    massage_told and asked[0].intent == self._caution
                ):
                    return None
        query = self._whole_query(terms)
        cands = tuple(self.rank(query, limit=4))
        score = max(self.threshold, self.score(query, [ELSEWHERE_INTENT]).get(ELSEWHERE_INTENT, 0))
        chosen = Candidate(ELSEWHERE_INTENT, round(score, 1), "")
        ranked = (chosen, *(c for c in cands if c.intent != ELSEWHERE_INTENT))[:4]
        return Decision("intent", ELSEWHERE_INTENT, chosen.score, ranked)

    def _offered(
        self,
        options: tuple[str, ...],
        ranked: tuple[Candidate, ...],
        terms: Sequence[Sequence[Term]],
        top: float,
        pool: Mapping[str, Candidate],
        passing: Set[str],
    ) -> Decision:
        """A story's "Did you mean", its options in the order of their sentence scores plus
        how well all its sentences, scored together as one message, match each: the topic
        the best sentence and the whole story both point to comes first. One that leads the
        next by :data:`WHOLE_CLEAR_LEAD` on that sum is the answer.

        The topic the whole story matches best (:meth:`_whole_best`) is offered last when
        its sentences match it too (at least :data:`STORY_FLOOR`) and the topics closest to
        the best sentence left it out: it is what the story is mostly about, though no
        sentence of its own says so clearly ("the neuromuscular work hurts a bit" among
        sentences about heat, the gym and a spa). Neither the bot itself nor small talk nor
        a circumstance told in passing (``passing``) is offered so."""
        whole = self.score(self._whole_query(terms), options)
        own = {intent: c.score for intent, c in pool.items()}
        both = {o: own.get(o, 0.0) + whole.get(o, 0.0) for o in options}
        options = tuple(sorted(options, key=lambda o: -both[o]))  # stable on ties
        if len(options) > 1 and both[options[0]] - both[options[1]] >= WHOLE_CLEAR_LEAD:
            return Decision("intent", options[0], own.get(options[0], top), ranked)
        # The topics that could be offered so; the whole story is ranked only when one of
        # them scores, on the whole story, as much as the options do (else none is its best).
        reach = [
            intent
            for intent, score in own.items()
            if score >= STORY_FLOOR
            and intent not in options
            and intent != RED_FLAGS
            and intent not in PLEA_INTENTS
            and intent not in passing
        ]
        if not reach:
            return Decision("did_you_mean", options[0], top, ranked, options)
        beaten = max((whole.get(o, 0.0) for o in options if o != RED_FLAGS), default=0.0)
        scores = self.score(self._whole_query(terms), reach)
        best = max(scores.values(), default=0.0)
        if best < beaten:
            return Decision("did_you_mean", options[0], top, ranked, options)
        # the best of them alone may be the whole story's best: only it is checked
        firsts = [intent for intent, score in scores.items() if score == best]
        if len(firsts) == 1:
            wholly = firsts[0] if self._whole_leads(terms, firsts[0]) else None
        else:
            wholly = self._whole_best(terms)
        if wholly is not None and wholly in reach:
            options = (*options, wholly)
        return Decision("did_you_mean", options[0], top, ranked, options)

    @staticmethod
    def _told_weight(query: Query) -> float:
        """How much topic a story's statement holds, to pick the ones scored: its known
        words' weights, a corrected word counting its (squared) confidence once more. In a long
        story, everyday words a letter or two from a topic word ("thought" and "through",
        "couch" and "cough") are corrected often; a sentence of such corrections is not what
        the story is about."""
        return sum([w * c * c for w, c in query.values()])

    def _told(self, query: Query) -> list[Candidate]:
        """A story's statement ranked on its own words. One that names a single known word
        ("Spasms.", "Sitting.") says less than one that tells something: its scores count
        :data:`SPARSE_SHARE` of what they would."""
        cands = self.rank(query, limit=STORY_LIMIT)
        known = len([s for s, (_, c) in query.items() if c > 0 and s in self._term_intents])
        if known >= 2:
            return cands
        return [c._replace(score=round(c.score * SPARSE_SHARE, 1)) for c in cands]

    def _whole_best(self, terms: Sequence[Sequence[Term]]) -> str | None:
        """The best topic of a story's sentences scored together as one message."""
        query = self._whole_query(terms)
        return next((c.intent for c in self.rank(query, limit=2) if c.intent != RED_FLAGS), None)

    def _whole_leads(self, terms: Sequence[Sequence[Term]], intent: str) -> bool:
        """Whether ``intent`` is :meth:`_whole_best` of a story's sentences, found by scoring
        only it and the topics that could come before it: those whose bound (as :meth:`rank`
        prunes by) reaches its score, until one of them beats it or ties it and comes first
        in :meth:`rank`'s order (by the first of the message's terms each knows)."""
        query = self._whole_query(terms)
        at = self._index_of.get(intent)
        if not query or at is None or intent == RED_FLAGS:
            return False
        # every topic's coverage and precision bound; the terms of those scored are found
        # when they are scored (:meth:`_rank`'s ``fallback``): only a few are
        q_total = sum([w for w, _ in query.values()])
        weighed = [(s, w * c) for s, (w, c) in query.items() if c > 0 and s in self._term_intents]
        covered: dict[int, float] = {}
        shares: dict[int, float] = {}
        all_of = self._share_of
        for s, wc in weighed:
            conf = query[s][1]
            for i, share in all_of[s].items():
                if i in covered:
                    covered[i] += wc
                    shares[i] += conf * share
                else:  # (0.0 + wc is wc)
                    covered[i] = wc
                    shares[i] = conf * share
        if at not in covered:
            return False  # the best is a topic knowing one of the words, or none
        score = self._rank({at: covered[at]}, shares, {}, q_total, 0, [], weighed)[0].score
        known = [s for s, _ in weighed]

        def first_met(i: int) -> int:
            return next(k for k, s in enumerate(known) if s in self._known_by[i])

        ahead = first_met(at)
        red = self._index_of.get(RED_FLAGS)
        ordered = _ranked_bounds(covered, shares, q_total, self._wholes, skip=(at, red))
        for bound, i in ordered:
            if round(100.0 * bound, 1) + 0.1 < score:
                return True  # neither this one nor any after it reaches the score
            other = self._rank({i: covered[i]}, shares, {}, q_total, 0, [], weighed)[0].score
            if other > score or (other == score and (first_met(i), i) < (ahead, at)):
                return False
        return True

    def _whole_query(self, terms: Sequence[Sequence[Term]]) -> Query:
        """The query of a story's sentences together, as one message; the last one made is
        kept for the same sentences (a story unclear between topics needs it twice)."""
        last = self._last_whole
        if last is not None and last[0] is terms:
            return last[1]
        query: Query = {}
        for ts in terms:
            self._query_of(ts, into=query)
        self._last_whole = (terms, query)
        return query

    @staticmethod
    def _alone(decision: Decision) -> Decision:
        """A message under the threshold that is about one topic and no other (it leads by
        :data:`ALONE_LEAD`, from at least :data:`STORY_FLOOR`) is asked about that topic
        rather than given the list of what the bot can answer, and answered on it when it
        comes near the threshold (:data:`ALONE_CLEAR`). One known word is not enough to say
        what a message is about."""
        topics = [c for c in decision.candidates if c.intent != RED_FLAGS]
        if not topics or topics[0].score < STORY_FLOOR:
            return decision
        lead = topics[0].score - (topics[1].score if len(topics) > 1 else 0.0)
        if lead < ALONE_LEAD:
            return decision
        top = topics[0]
        if top.score >= ALONE_CLEAR:
            return Decision("intent", top.intent, top.score, decision.candidates)
        return Decision("did_you_mean", top.intent, top.score, decision.candidates, (top.intent,))

    def _vague(self, query: Query) -> bool:
        """A question that names nothing of its own ("what should I do next?"): at most one
        known word, and one that many topics share (:data:`VAGUE_DF`). In a story, such a
        question matched to a circumstance (:data:`CIRCUMSTANCE_INTENTS`) is a plea."""
        known = [s for s, (_, c) in query.items() if c > 0 and s in self._term_intents]
        return len(known) <= 1 and all(len(self._term_intents[s]) >= VAGUE_DF for s in known)

    @staticmethod
    def _verbatim(decision: Decision, text: str) -> Decision:
        """A "Did you mean" between topics, one of which has the message (normalised) word for
        word among its examples, answers that one: it is what was asked."""
        if decision.kind != "did_you_mean":
            return decision
        exact = [
            c for c in decision.candidates if c.intent in decision.options and c.example == text
        ]
        if len(exact) != 1:
            return decision
        return Decision("intent", exact[0].intent, exact[0].score, decision.candidates)

    def subjects(self, text: str, decision: Decision | None = None) -> set[str]:
        """The topics of the subjects (:data:`STORY_SUBJECTS`) normalised text names
        ("how long does it last in pregnancy": ``pregnancy``); from the terms ``decision``
        read when it read ``text`` as one sentence."""
        read = decision.read if decision is not None else None
        if read is not None and read[0] == text:
            return self._named([read[2]])
        return self._named([self.analyzer.terms(text)])

    def _named(self, terms: Sequence[Sequence[Term]]) -> set[str]:
        """The topics of the subjects (:data:`STORY_SUBJECTS`) the sentences name (found
        once for a story's sentences, which :meth:`decide` asks about more than once)."""
        last = self._last_named
        if last is not None and last[0] is terms:
            return set(last[1])
        named: set[str] = set()
        known = self._subjects_of
        for ts in terms:
            for t in ts:
                if t.confidence < 1.0 and t.word in SUBJECTS_AS_TYPED:
                    continue  # a guess, not as typed: "relaxation" is no "relaxant"
                found = known.get((t.stem, t.word))
                if found is None:
                    found = self._term_subjects(t)
                if found:
                    named.update(found)
        self._last_named = (terms, frozenset(named))
        return named

    def _term_subjects(self, term: Term) -> tuple[str, ...]:
        """The topics of the subjects one term names, by its stem or its words' stems
        (remembered per stem and word: a long story holds hundreds of terms, read by
        :meth:`_named` more than once)."""
        subjects = self._subjects
        words = term.word.split()
        if len(words) > 1 and (term.stem in PLACE_OF_CARE_STEMS or term.stem in PAIN_STEMS):
            # "ring the surgery" is the GP's practice, no operation; "pins and needles" is
            # a feeling, no dry needling
            words = []
        found = tuple(
            subjects[key]
            for key in (
                term.stem,
                *(stem(w) for w in words),
                *SUBJECTS_AS_TYPED.intersection(words),
            )
            if key in subjects
        )
        if len(self._subjects_of) >= SUBJECTS_KEPT:
            self._subjects_of.clear()
        self._subjects_of[term.stem, term.word] = found
        return found

    def forget_words(self) -> None:
        """Forget the words read so far (benchmarks measure first sight)."""
        self._subjects_of.clear()
        self._last_read = None
        self._last_told = None
        self._last_asked = None
        self.analyzer.forget_words()

    def _settled(self, decision: Decision, terms: Sequence[Sequence[Term]]) -> Decision:
        """A "Did you mean" between close topics, one of which the message names (a
        medicine, an injection: :data:`SETTLING_SUBJECTS`; a doctor: :data:`SETTLING_WORDS`),
        answers that one."""
        if decision.kind == "intent":
            subjects = self._named(terms) & SETTLING_SUBJECTS
            if len(subjects) != 1:
                return decision
            (subject,) = subjects
            if decision.intent not in SUBJECT_SIBLINGS.get(subject, ()):
                return decision
            if decision.score >= SIBLING_CLEAR:  # (nearly) one of the sibling's examples
                return decision
            chosen = next((c for c in decision.candidates if c.intent == subject), None)
            # under the threshold, it settles only a close win ("meds for sciatic pain"
            # matched a story of three drugs named)
            if chosen is None or chosen.score < min(self.threshold, decision.score - self.margin):
                return decision
            return self._committed(decision, chosen.intent)
        if decision.kind != "did_you_mean":
            return decision
        settling = self._named(terms) & SETTLING_SUBJECTS
        stems = {t.stem for ts in terms for t in ts}
        settling |= {intent for word, intent in self._settling_words.items() if word in stems}
        named = [o for o in decision.options if o in settling]
        if len(named) != 1:
            return decision
        chosen = next(c for c in decision.candidates if c.intent == named[0])
        return Decision("intent", chosen.intent, chosen.score, decision.candidates)

    def _explained(self, decision: Decision, terms: Sequence[Term]) -> Decision:
        """A broad topic (:data:`BROAD_TOPICS`) chosen or offered first does not win over a
        candidate that explains a subject word the message names and the broad topic's
        examples do not: the best such candidate within :data:`SUBJECT_REACH` of the broad
        topic is the answer when it clears the threshold, and offered first beside the broad
        topic when it scores at least :data:`STORY_FLOOR`. "Tell me about sciatica" names
        nothing the definition lacks; "tell me about massage for sciatica" names massage."""
        if decision.kind == "did_you_mean" and decision.intent not in BROAD_TOPICS:
            return self._past_broad(decision, terms)
        if decision.kind not in ("intent", "did_you_mean") or decision.intent not in BROAD_TOPICS:
            return decision
        broad = self.intent_vocab.get(decision.intent, frozenset())
        known = {t.stem for t in terms if t.confidence > 0 and t.stem in self.idf}
        named = known - broad
        for cand in decision.candidates:
            if (
                cand.intent == RED_FLAGS
                or cand.intent in BROAD_TOPICS
                or cand.intent in PLEA_INTENTS
                or cand.score < max(STORY_FLOOR, decision.score - SUBJECT_REACH)
            ):
                continue
            passing = self._passing(decision.intent, cand.intent, known & broad)
            if not (named | passing) & self.intent_vocab.get(cand.intent, frozenset()):
                continue
            if cand.score >= self.threshold:
                return Decision("intent", cand.intent, cand.score, decision.candidates)
            options = (cand.intent, decision.intent)
            return Decision("did_you_mean", cand.intent, cand.score, decision.candidates, options)
        return decision

    def _held(self, intent: str, term: str) -> int:
        """How many of an intent's examples hold a term."""
        i = self._index_of.get(intent)
        return 0 if i is None else len(self._intents[i].postings.get(term, ()))

    def _passing(self, broad: str, cand: str, words: Iterable[str]) -> set[str]:
        """The words a broad topic holds only in passing (in at most one example: "is
        sciatica a condition or just a symptom") and ``cand`` is about (many of its examples
        hold them: :data:`SUBJECT_WORD_EXAMPLES`): named beside the condition ("explain the
        symptoms of sciatica"), they say what is asked."""
        return {
            w
            for w in words
            if self._held(broad, w) <= 1 and self._held(cand, w) >= SUBJECT_WORD_EXAMPLES
        }

    def _past_broad(self, decision: Decision, terms: Sequence[Term]) -> Decision:
        """A "Did you mean" between a topic and a broad topic (:data:`BROAD_TOPICS`) matched
        on the condition's name alone ("can i keep working with sciatica": "what is
        sciatica") answers the topic when it knows the words the broad topic's example lacks
        and clears the threshold: the message asks about those words, framed by the
        condition."""
        broad = [o for o in decision.options if o in BROAD_TOPICS]
        rest = [o for o in decision.options if o not in BROAD_TOPICS]
        if not broad or len(rest) != 1:
            return decision
        known = {t.stem for t in terms if t.confidence > 0 and t.stem in self.idf}
        if not all(self._passing(option, rest[0], known) for option in broad):
            return decision
        chosen = next(c for c in decision.candidates if c.intent == rest[0])
        if chosen.score < self.threshold:
            return decision
        return Decision("intent", chosen.intent, chosen.score, decision.candidates)

    def _with_subject(
        self, pool: dict[str, Candidate], terms: Sequence[Sequence[Term]], background: Query
    ) -> dict[str, Candidate]:
        """A story that names a condition or treatment the bot has a topic on
        (:data:`STORY_SUBJECTS`) is about it: that topic gains :data:`SUBJECT_BONUS`, and a
        story naming one such subject leads with its topic when that topic is in reach. A
        story that names a condition (piriformis, pregnancy) and a treatment or medicine
        (:data:`SETTLING_SUBJECTS`) and asks nothing clearly is about the condition: the
        treatment is what was tried for it ("I sought treatment with acupuncture ... I
        suffered sciatica related to piriformis syndrome")."""
        named = self._named(terms)
        if not named:
            return pool
        conditions = named - SETTLING_SUBJECTS
        if conditions and len(named) > len(conditions):
            # a condition and a treatment named: the treatment is what was tried for it
            named = conditions
        out = dict(pool)
        missing = named - out.keys()
        scores = self.score(background, missing) if missing else {}
        best = max(
            (c for i, c in out.items() if i != RED_FLAGS), key=lambda c: c.score, default=None
        )
        top = best.score if best else 0.0
        for intent in named:
            if (
                best is not None
                and best.intent in SUBJECT_SIBLINGS.get(intent, ())
                and not self._named_in_full(intent, terms)
            ):
                continue  # on its subject already: the scores say which side of it
            # a sibling named in full, the subject's own topic not, says which side of the
            # subject the story is on ("a muscle called the piriformis")
            side = next(
                (s for s in SIDE_NAMES.get(intent, ()) if self._named_in_full(s, terms)), None
            )
            if side is not None and not self._named_in_full(intent, terms):
                if side in out:
                    cand = out[side]
                else:
                    cand = Candidate(side, self.score(background, {side}).get(side, 0.0), "")
            else:
                cand = out.get(intent) or Candidate(intent, scores.get(intent, 0.0), "")
            score = cand.score + SUBJECT_BONUS
            # its reach: its own score, or a sibling's the story matches better ("my finger
            # was right on top of the piriformis muscle" names the syndrome's subject)
            reach = max(
                [cand.score, *(out[s].score for s in SUBJECT_SIBLINGS.get(intent, ()) if s in out)]
            )
            if len(named) == 1 and reach >= top - SUBJECT_REACH:
                score = max(score, top + CLEAR_LEAD)
            out[cand.intent] = cand._replace(score=round(min(100.0, score), 1))
        return out

    def _with_story_subject(
        self, decision: Decision, pool: Mapping[str, Candidate], terms: Sequence[Sequence[Term]]
    ) -> Decision:
        """A story's "Did you mean" between the topics its question's own words match
        ("does it usually come back once it's been treated?": how long it lasts, the
        treatments) also offers, last, the subject the story names (:data:`STORY_SUBJECTS`:
        the piriformis syndrome told before the question, which "it" is) when neither it nor
        a sibling of it (:data:`SUBJECT_SIBLINGS`) is offered and the story matches it at
        least :data:`STORY_FLOOR`. A condition named beside a treatment is the subject, as
        for a story that asks nothing (:meth:`_with_subject`)."""
        named = self._named(terms)
        conditions = named - SETTLING_SUBJECTS
        if conditions:
            named = conditions
        offered = set(decision.options)
        subjects = [
            s for s in named if s not in offered and not offered & SUBJECT_SIBLINGS.get(s, set())
        ]
        if len(subjects) != 1:
            return decision
        (subject,) = subjects
        if subject in pool:
            score = pool[subject].score
        else:
            score = self.score(self._whole_query(terms), {subject}).get(subject, 0.0)
        if score < STORY_FLOOR:
            return decision
        return dataclasses.replace(decision, options=(*decision.options, subject))

    def _named_in_full(self, intent: str, terms: Sequence[Sequence[Term]]) -> bool:
        """Whether one sentence names ``intent`` in full (:data:`SUBJECT_FULL_NAMES`)."""
        words = self._full_names.get(intent)
        return words is not None and any(words <= {t.stem for t in ts} for ts in terms)

    @staticmethod
    def _told_in_passing(
        pool: Mapping[str, Candidate],
        asked: Set[str],
        leads: Mapping[str, int],
        sentences: int,
    ) -> set[str]:
        """The circumstances (:data:`CIRCUMSTANCE_INTENTS`) among a story's candidates that
        it mentions in passing: no question asks about them and they are not what most of its
        sentences are about (``leads``: how many sentences each topic leads)."""
        return {
            intent
            for intent in pool
            if intent in CIRCUMSTANCE_INTENTS
            and intent not in asked
            and 2 * leads.get(intent, 0) <= sentences
        }

    @classmethod
    def _in_passing(
        cls,
        pool: dict[str, Candidate],
        asked: Set[str],
        leads: Mapping[str, int],
        sentences: int,
    ) -> dict[str, Candidate]:
        """A story's candidates with the circumstances it mentions in passing
        (:meth:`_told_in_passing`) quietened to :data:`CIRCUMSTANCE_SHARE` of their score."""
        out = dict(pool)
        for intent in cls._told_in_passing(pool, asked, leads, sentences):
            cand = pool[intent]
            out[intent] = cand._replace(score=round(cand.score * CIRCUMSTANCE_SHARE, 1))
        return out

    def _story_options(
        self,
        options: tuple[str, ...],
        pool: Mapping[str, Candidate],
        passing: Set[str],
        terms: Sequence[Sequence[Term]],
    ) -> tuple[str, ...]:
        """What a story's "Did you mean" offers, from the topics closest to its best one
        (``options``), with two readings of what the story tells:

        - a circumstance told in passing (``passing``) in a story that tells of its pain
          (:data:`PAIN_STEMS`) is told as what brought the pain on: it gives its place to the
          topic of it as a cause (:data:`TOLD_AS_CAUSE`), when the story's sentences match
          that topic at all;
        - a story telling of harm (:data:`HARM_CUES`: "made a client's pain worse") and of a
          massage or a therapist (:data:`MASSAGE_WORDS`) is offered whether massage is safe
          (:data:`CAUTION_INTENT`) when that topic is in its reach (:data:`STORY_FLOOR`),
          in place of the last option when three are offered already.
        """
        said = {t.stem for ts in terms for t in ts if t.confidence > 0}
        chosen = list(options)
        for at, option in enumerate(chosen):
            cause = TOLD_AS_CAUSE.get(option, "")
            if option in passing and cause in pool and cause not in chosen and said & PAIN_STEMS:
                chosen[at] = cause
        caution = self._caution
        safety = pool.get(caution) if caution is not None else None
        harm_told = bool(said & self._harm_cues and said & (MASSAGE_WORDS - {SESSION_WORD}))
        if (
            harm_told
            and safety is not None
            and safety.intent not in chosen
            and safety.score >= STORY_FLOOR
        ):
            chosen = [*chosen[: MAX_OPTIONS - 1], safety.intent]
        return tuple(dict.fromkeys(chosen))

    @staticmethod
    def _in_story(found: list[list[Candidate]], story: Mapping[str, float]) -> dict[str, Candidate]:
        """Each intent's best sentence score, with :data:`CONTEXT_SHARE` of it coming from
        how well the whole story matches it."""
        best: dict[str, Candidate] = {}
        own = 1 - CONTEXT_SHARE
        for cands in found:
            for intent, told, example in cands:
                score = round(own * told + CONTEXT_SHARE * story.get(intent, 0.0), 1)
                kept = best.get(intent)
                if kept is None or kept[1] < score:
                    best[intent] = _candidate((intent, score, example))
        return best

    def _asked(self, own: list[Query], reading: Reading, i: int) -> list[Candidate]:
        """The best :data:`STORY_LIMIT` intents for a story's question ``i`` (with its
        referent: :meth:`_with_referent`); those of a question read on its own words alone
        are remembered for the rules after the decision (:meth:`_massage_told`)."""
        found = self.rank(self._with_referent(own, reading, i), limit=STORY_LIMIT)
        if i == 0 or not reading.parts[i].refers:
            last = self._last_asked
            if last is None or last[0] is not reading:
                self._last_asked = last = (reading, {})
            last[1][i] = found
        return found

    def _with_referent(self, own: list[Query], reading: Reading, i: int) -> Query:
        """A question's query; one that points back ("which one helps?", "is that normal?")
        also holds, more quietly, the known words of the sentence before it (of the one before
        that when it names nothing as written: :data:`REFERENT_REACH`)."""
        if i == 0 or not reading.parts[i].refers:
            return own[i]
        query = dict(own[i])
        j = i - 1
        while j > 0 and i - j < REFERENT_REACH and not any(c >= 1.0 for _, c in own[j].values()):
            j -= 1
        before = [(k, wc) for k, wc in own[j].items() if wc[1] > 0 and k not in query]
        before.sort(key=lambda kv: kv[1][0] * kv[1][1], reverse=True)
        for key, (weight, conf) in before[:REFERENT_TERMS]:
            query[key] = (REFERENT_SHARE * weight, conf)
        return query

    def _told_harm(
        self,
        decision: Decision,
        pool: Mapping[str, Candidate],
        terms: Sequence[Sequence[Term]],
        asks: Sequence[int],
    ) -> Decision | None:
        """A story that tells of a massage and asks whether it did harm or would be safe
        ("after a massage on holiday my back is worse ... could they have done damage?",
        "she wants to try massage ... would it be safe for her?"), one sentence naming the
        massage and a question (or, in a story that asks nothing, a sentence) naming the
        harm (:data:`CAUTION_CUE`), is about whether massage is safe for them: it answers
        that when the story is answered no other way (its decision is a "Did you mean" or
        the fallback) and :data:`CAUTION_INTENT` scores at least :data:`STORY_FLOOR`; so does
        a "Did you mean" led by that topic on a story telling of a massage and, anywhere, of
        harm (:data:`HARM_CUES`: "made my leg worse", "a bruise the size of my hand")."""
        if decision.kind == "intent" or self._caution is None:
            return None
        safety = pool.get(self._caution)
        if safety is None or safety.score < STORY_FLOOR:
            return None
        harm, massage = (stem(normalise(w)) for w in CAUTION_CUE)
        told = any(massage in {t.stem for t in ts if t.confidence > 0} for ts in terms)
        asking = [terms[i] for i in asks] if asks else terms
        if not told:
            return None
        # a "Did you mean" led by whether massage is safe, on a story telling of harm too (a
        # leg worse after it, a bruise: :data:`HARM_CUES`), is about that harm
        if (
            decision.kind == "did_you_mean"
            and decision.options[:1] == (self._caution,)
            and any(t.stem in self._harm_cues for ts in terms for t in ts if t.confidence > 0)
        ):
            return self._committed(decision, self._caution)
        # a question naming the harm that one of the clinic's topics answers clearly on its
        # own words asks about the visit ("was I allowed to keep my shorts on?": what to wear)
        if not any(
            harm in {t.stem for t in ts if t.confidence > 0} and not self._answered_elsewhere(ts)
            for ts in asking
        ):
            return None
        ranked = tuple(sorted(pool.values(), key=lambda c: -c.score)[:4])
        return Decision("intent", safety.intent, safety.score, ranked)

    def _answered_elsewhere(self, terms: Sequence[Term]) -> bool:
        """Whether a sentence's own words ask about a practical side of the visit (one of the
        clinic's topics) clearly: above the threshold, by the margin over the next topic."""
        topics = [c for c in self.rank(self._query_of(terms), limit=3) if c.intent != RED_FLAGS]
        if not topics or topics[0].intent not in FAMILIES["clinic"]:
            return False
        if topics[0].score < self.threshold:
            return False
        return len(topics) < 2 or topics[0].score - topics[1].score >= self.margin

    def _cautious(self, sentences: Sequence[Sequence[Term]]) -> bool:
        """Whether one of the sentences asks if massage is safe (:data:`CAUTION_CUE`)."""
        cue = self._caution_cue
        return self._caution is not None and any(
            cue <= {t.stem for t in ts if t.confidence > 0} for ts in sentences
        )

    def _decide(self, cands: tuple[Candidate, ...], cautious: bool = False) -> Decision:
        """Threshold and margin over scored candidates. The ``red_flags`` topic is never
        chosen here; when it is among the candidates the reply offers the urgent list.

        A message that asks whether massage is safe (``cautious``) gets the honest answer on
        that whenever it clears the threshold: the ask decides, not the condition named."""
        topics = tuple(c for c in cands if c.intent != RED_FLAGS)
        if not topics or topics[0].score < self.threshold:
            return Decision("fallback", None, topics[0].score if topics else 0.0, cands)
        top = topics[0]
        if cautious:
            safety = next((c for c in topics if c.intent == self._caution), None)
            if safety is not None and safety.score >= self.threshold:
                return Decision("intent", safety.intent, safety.score, cands)
        if (
            len(topics) > 1
            and topics[1].score >= self.threshold
            and top.score - topics[1].score < self.margin
        ):
            options = tuple(
                c.intent
                for c in topics
                if top.score - c.score < self.margin and c.score >= self.threshold
            )
            return Decision("did_you_mean", top.intent, top.score, cands, options)
        return Decision("intent", top.intent, top.score, cands)


def _noted(
    decision: Decision, read: tuple[str, Query, list[Term], tuple[Candidate, ...]]
) -> Decision:
    """``decision``, made just now, with the sentence it read noted (:attr:`Decision.read`)."""
    object.__setattr__(decision, "read", read)  # not yet seen by anyone
    return decision


def _merge(query: Query, other: Query) -> None:
    """Add ``other``'s terms to ``query``; a term in both keeps the larger weight."""
    for key, (weight, conf) in other.items():
        old = query.get(key)
        if old is None or (old[1], old[0]) < (conf, weight):
            query[key] = (weight, conf)


def _better(a: dict[str, Candidate], b: dict[str, Candidate]) -> dict[str, Candidate]:
    """The candidates of ``a`` that beat (or are missing from) ``b``."""
    return {k: c for k, c in a.items() if k not in b or b[k].score < c.score}


def _top_score(cands: Sequence[Candidate], skip: str = "") -> float:
    return next((c.score for c in cands if c.intent != skip), 0.0)


def _joined_by_or(words: Sequence[str], sides: Mapping[str, bool]) -> bool:
    """Whether an "or" stands between words naming the two sides ("sciatica or piriformis",
    "is it my piriformis or a disc"), each within :data:`WEIGHING_OR_SPAN` words of it."""
    for i, word in enumerate(words):
        if word != "or":
            continue
        before = {sides[w] for w in words[max(0, i - WEIGHING_OR_SPAN) : i] if w in sides}
        after = {sides[w] for w in words[i + 1 : i + 1 + WEIGHING_OR_SPAN] if w in sides}
        if before and after and before | after == {True, False}:
            return True
    return False


def _words_at(text: str, pattern: re.Pattern[str]) -> list[str]:
    """The words of ``text`` (split at spaces) that hold a match of ``pattern``, each once."""
    words: dict[str, None] = {}
    for found in pattern.finditer(text):
        start = text.rfind(" ", 0, found.start()) + 1
        end = text.find(" ", found.end())
        words[text[start : end if end >= 0 else len(text)]] = None
    return list(words)

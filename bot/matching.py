"""Understand a message: normalise it, screen it for red flags, match it to an intent.

Pure functions and immutable indexes, no I/O and no Telegram. The pipeline:

1. :func:`normalise` folds Unicode, case, contractions and text-speak into plain words.
2. :class:`Analyzer` turns words into *terms*: misspelt words are corrected against the
   knowledge base's vocabulary (``rapidfuzz.process.cdist`` with ``fuzz.ratio``), synonyms map to
   one canonical word, and words are stemmed (Snowball), so "buttoks", "glutes" and "bum"
   all become the same term.
3. :class:`RedFlagScreen` runs first and wins whenever one of its rules fires. Each rule is a
   conjunction of word groups ("cannot" + "pee"), matched word by word with typo tolerance.
4. :class:`Matcher` scores intents by the content words they share with the message, weighted
   by how rare each word is across intents. Words the knowledge base has never seen count
   against the match, so "my knee hurts" and "what is diabetes" fall below the threshold.
   The decision applies the threshold and asks "Did you mean" when two intents are too close.
"""

from __future__ import annotations

import heapq
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import product
from operator import itemgetter

import snowballstemmer
from rapidfuzz import fuzz, process

from bot.content import RED_FLAGS, Content, ScreenRule

MAX_INPUT_CHARS = 2000
"""Only this many characters of a message are analysed (the rest is kept, not matched)."""

MAX_TOKENS = 200

# --- normalisation ----------------------------------------------------------------------

_CONTRACTIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        (r"\bcan'?t\b", "cannot"),
        (r"\bwon'?t\b", "will not"),
        (r"\bain'?t\b", "is not"),
        (r"\bshan'?t\b", "shall not"),
        (r"n't\b", " not"),
        (r"'m\b", " am"),
        (r"'re\b", " are"),
        (r"'ve\b", " have"),
        (r"'ll\b", " will"),
        (r"'d\b", " would"),
        (r"'s\b", ""),
    )
)

# fmt: off
SLANG: Mapping[str, str] = {
    # apostrophe-less contractions
    "dont": "do not", "doesnt": "does not", "didnt": "did not", "isnt": "is not",
    "arent": "are not", "wasnt": "was not", "werent": "were not", "havent": "have not",
    "hasnt": "has not", "hadnt": "had not", "couldnt": "could not", "wouldnt": "would not",
    "shouldnt": "should not", "wont": "will not", "cant": "cannot", "cnt": "cannot",
    "im": "i am", "ive": "i have", "id": "i would", "ill": "i will", "youre": "you are",
    "theyre": "they are", "whats": "what is", "wats": "what is", "thats": "that is",
    "hows": "how is", "wheres": "where is", "whos": "who is", "lets": "let us",
    "gonna": "going to", "wanna": "want to", "gotta": "got to", "kinda": "kind of",
    "dunno": "do not know", "idk": "i do not know",
    # text-speak
    "u": "you", "ya": "you", "yu": "you", "r": "are", "ur": "your", "yr": "your",
    "y": "why", "pls": "please", "plz": "please", "plse": "please", "wat": "what",
    "wot": "what", "wht": "what", "whta": "what", "hw": "how", "b4": "before", "2day": "today",
    "thx": "thanks", "thnx": "thanks", "thanx": "thanks", "tnx": "thanks", "ty": "thank you",
    "tysm": "thank you", "tq": "thank you", "cya": "see you", "bc": "because", "cuz": "because",
    "coz": "because", "cos": "because", "bcoz": "because", "abt": "about", "w": "with",
    "wif": "with", "n": "and", "nd": "and", "ppl": "people", "sth": "something",
    "smth": "something", "hrs": "hours", "hr": "hour", "yrs": "years", "dr": "doctor",
    "doc": "doctor", "docs": "doctors", "rn": "right now", "asap": "right now",
    "bf": "boyfriend", "gf": "girlfriend", "mins": "minutes", "min": "minute",
    "4": "four", "#4": "four", "no4": "four", "tp4": "trigger point four",
    "number4": "four", "1": "one", "2": "two",
}
# fmt: on

STOPWORDS: frozenset[str] = frozenset(
    """
    a an the i me my mine myself we us our you your yours he him his she her it its they
    them their is are am was were be been being do does did doing have has had having of to
    in on at by for with from into onto about as than then so if or and but also too just
    really very quite some any much many lot lots this that these those there here can could
    would should will shall may might must please kind sort thing things someone something
    anything bit little like yeah yes ok okay well um uh hmm oh ah lol lmao haha hahaha omg
    tbh btw ngl wondering wonder again still even always often sometimes right actually
    basically literally
    """.split()  # noqa: SIM905 - a word list reads best as text
)
"""Function words: they carry no topic, so they never decide a match."""


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_NON_WORD = re.compile(r"[^\w#']+|_")
_REPEATS = re.compile(r"(\w)\1{2,}")


def normalise(text: str) -> str:
    """Fold a message into lower-case plain words.

    Unicode is folded (NFKC, case, accents dropped), contractions expanded with or without the
    apostrophe ("can't", "cant" -> "cannot"), text-speak spelt out ("u" -> "you"), punctuation
    dropped and letters repeated three times or more cut to two ("helloooo" -> "helloo").

    >>> normalise("Wat's   SCIATICA?? u know, cant SIT!!!")
    'what is sciatica you know cannot sit'
    """
    text = text[:MAX_INPUT_CHARS]
    if text.isascii():  # NFKC and accent stripping leave ASCII as it is
        text = text.lower().translate(_APOSTROPHES)
    else:
        text = unicodedata.normalize("NFKC", text).casefold()
        text = _strip_marks(text).translate(_APOSTROPHES)
    for pattern, repl in _CONTRACTIONS:
        text = pattern.sub(repl, text)
    text = _REPEATS.sub(r"\1\1", _NON_WORD.sub(" ", text))
    words: list[str] = []
    for raw in text.split()[:MAX_TOKENS]:
        word = raw.strip("'")
        if word.startswith("#") and word[1:].isdigit():
            word = {"4": "four"}.get(word[1:], word[1:])
        word = word.replace("#", "").replace("'", "")
        if word:
            words.append(SLANG.get(word, word))
    return " ".join(words)


_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball (Porter 2) stem of one word."""
    return _STEMMER.stemWord(word)


# --- terms ------------------------------------------------------------------------------

OUT_OF_SCOPE = "!out-of-scope"
"""The term every out-of-scope word or phrase becomes."""


@dataclass(frozen=True)
class Term:
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


class Analyzer:
    """Turns normalised text into terms, knowing the knowledge base's vocabulary.

    Args:
        vocabulary: The normalised words of every example, repeated as often as they occur.
        synonyms: Word or phrase -> canonical word.
        out_of_scope: Words or phrases that mark a message as outside the knowledge base.
    """

    def __init__(
        self,
        vocabulary: Iterable[str],
        synonyms: Mapping[str, str],
        out_of_scope: Iterable[str] = (),
    ) -> None:
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
        counts = Counter(vocabulary)
        lexicon = set(STOPWORDS)
        for key, canonical in self.synonyms.items():
            lexicon.update(key)
            lexicon.update(canonical.split())
        self.known: frozenset[str] = frozenset(counts.keys() | lexicon)
        # Correction targets: known words long enough to be told apart from others.
        self._targets: list[str] = sorted(w for w in self.known if len(w) >= 3 and w.isalpha())
        self.spelling = self._canonical_spellings(counts, lexicon)

    def _canonical_spellings(self, counts: Counter[str], lexicon: set[str]) -> dict[str, str]:
        """Map rare spellings in the examples ("sciatca") to the common word they misspell.

        Examples are typed as people type, typos included; without this, each typo would be
        a rare, heavily weighted term of its own.
        """
        common = sorted(w for w, n in counts.items() if n >= 3 and w.isalpha() and len(w) >= 4)
        # Targets for a word seen n times (1 or 2): common words three times as frequent,
        # with the same first letter; bucketed once instead of filtered per word.
        targets: dict[tuple[str, int], list[str]] = defaultdict(list)
        for w in common:
            for n in (1, 2):
                if counts[w] >= 3 * n:
                    targets[(w[0], n)].append(w)
        spelling: dict[str, str] = {}
        for word, n in counts.items():
            if n > 2 or word in lexicon or len(word) < 5 or not word.isalpha():
                continue
            found = process.extractOne(
                word,
                targets.get((word[0], n), ()),
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
        known word when ``fuzz.ratio`` reaches :func:`_min_similarity`, else it stays with 0.
        """
        out: list[tuple[str, float]] = []
        for word in words:
            if word in self.known or not word.isalpha():
                out.append((self.spelling.get(word, word), 1.0))
            else:
                closest, similarity = self._closest(word)
                out.append((self.spelling.get(closest, closest), similarity))
        return out

    @lru_cache(maxsize=8192)  # noqa: B019 - one Analyzer lives as long as the process
    def _closest(self, word: str) -> tuple[str, float]:
        cutoff = _min_similarity(word)
        if cutoff > 100:
            return (word, 0.0)
        found = process.extractOne(
            word, self._targets, scorer=fuzz.ratio, processor=None, score_cutoff=cutoff
        )
        if found is None:
            return (word, 0.0)
        return (found[0], found[1] / 100.0)

    def terms(self, text: str) -> list[Term]:
        """Content terms of normalised text, in order (stopwords dropped)."""
        corrected = self.correct(text.split())
        terms: list[Term] = []
        i = 0
        while i < len(corrected):
            left = len(corrected) - i
            for size in self._phrase_sizes.get(corrected[i][0], ()):
                if size > left:
                    continue
                key = tuple(w for w, _ in corrected[i : i + size])
                canonical = self.synonyms.get(key)
                if canonical is None:
                    continue
                if canonical == OUT_OF_SCOPE:
                    terms.append(Term(OUT_OF_SCOPE, 0.0, " ".join(key)))
                else:
                    conf = min(c for _, c in corrected[i : i + size])
                    terms.extend(
                        Term(stem(word), conf, " ".join(key))
                        for word in canonical.split()
                        if word not in STOPWORDS
                    )
                i += size
                break
            else:
                word, conf = corrected[i]
                if word not in STOPWORDS:
                    terms.append(Term(stem(word), conf, word))
                i += 1
        return terms


# --- red-flag screen --------------------------------------------------------------------


@dataclass(frozen=True)
class ScreenHit:
    """A red-flag rule that fired, with the words that fired it."""

    rule: str
    words: tuple[str, ...]


_Term = tuple[str, ...]


def _screen_term(raw: str) -> _Term:
    """Normalise a screen term, keeping a leading "=" (exact match) on its words."""
    words: list[str] = []
    for word in raw.split():
        # One typed word may normalise to several ("wont" -> "will not").
        for plain in normalise(word.lstrip("=")).split():
            words.append("=" + plain if word.startswith("=") else plain)
    return tuple(words)


class RedFlagScreen:
    """Fires on messages that describe urgent symptoms, before any other matching.

    Rules come from the ``screen:`` section of the intent files: each is a list of groups;
    every group must have a term in the message, within ``window`` words of the others, and
    no ``unless`` term may be present. Terms are matched word by word: exactly, by stem, or
    (for words of five letters or more) with ``fuzz.ratio`` >= 84; a word written ``=word``
    only exactly.
    """

    def __init__(self, rules: Sequence[ScreenRule]) -> None:
        self.rules: tuple[tuple[str, tuple[tuple[_Term, ...], ...], int, tuple[_Term, ...]], ...]
        self.rules = tuple(
            (
                rule.name,
                tuple(tuple(_screen_term(t) for t in group) for group in rule.groups),
                rule.window,
                tuple(_screen_term(t) for t in rule.unless),
            )
            for rule in rules
        )
        words = {
            w
            for _, groups, _, unless in self.rules
            for terms in (*groups, unless)
            for term in terms
            for w in term
        }
        self._exact_only = {w[1:]: w for w in words if w.startswith("=")}
        loose = [w for w in words if not w.startswith("=")]
        self._by_stem: dict[str, list[str]] = defaultdict(list)
        for w in loose:
            self._by_stem[stem(w)].append(w)
        self._fuzzy_targets = sorted(w for w in loose if len(w) >= 5)
        # A rule can only fire when a term of its first group starts at some word: index the
        # rules by those first words, so a message is checked against few rules.
        self._rules_by_word: dict[str, list[int]] = defaultdict(list)
        self._always: list[int] = []
        for n, (_, groups, _, _) in enumerate(self.rules):
            if not groups:
                self._always.append(n)
            for first in sorted({term[0] for term in groups[0]} if groups else ()):
                self._rules_by_word[first].append(n)

    @lru_cache(maxsize=16384)  # noqa: B019 - one screen lives as long as the process
    def _screen_words(self, token: str) -> frozenset[str]:
        """The screen's words a token stands for: same stem, exact for "=" words, or a typo
        (``fuzz.ratio`` >= 84) of a word of five letters or more."""
        found = set(self._by_stem.get(stem(token), ()))
        if token in self._exact_only:
            found.add(self._exact_only[token])
        if len(token) >= 4:
            found.update(
                word
                for word, _, _ in process.extract(
                    token,
                    self._fuzzy_targets,
                    scorer=fuzz.ratio,
                    processor=None,
                    score_cutoff=84,
                    limit=None,
                )
            )
        return frozenset(found)

    @staticmethod
    def _positions(terms: Sequence[_Term], where: Mapping[str, Sequence[int]]) -> list[int]:
        """Start positions of any of ``terms`` (each a run of words) in the message."""
        found: set[int] = set()
        for term in terms:
            for i in where.get(term[0], ()):
                if all(i + k in where.get(term[k], ()) for k in range(1, len(term))):
                    found.add(i)
        return sorted(found)

    def screen(self, text: str) -> ScreenHit | None:
        """Return the first rule that fires on normalised ``text``, or None."""
        tokens = text.split()
        if not tokens:
            return None
        where: dict[str, list[int]] = defaultdict(list)
        for i, token in enumerate(tokens):
            for word in self._screen_words(token):
                where[word].append(i)
        if not where:
            return None
        possible: set[int] = set(self._always)
        for word in where:
            possible.update(self._rules_by_word.get(word, ()))
        for n in sorted(possible):
            name, groups, window, unless = self.rules[n]
            if unless and self._positions(unless, where):
                continue
            positions: list[list[int]] = []
            for group in groups:
                found = self._positions(group, where)
                if not found:
                    break
                positions.append(found)
            else:
                if _within(positions, window):
                    return ScreenHit(name, tuple(tokens[p[0]] for p in positions))
        return None


def _within(positions: list[list[int]], window: int) -> bool:
    if window <= 0 or len(positions) == 1:
        return True
    combos = 1
    for p in positions:
        combos *= len(p)
    if combos > 5000:  # pathological input: fall back to a coarse check
        return True
    return any(max(c) - min(c) <= window for c in product(*positions))


# --- intent matching --------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """An intent and how well the message matches it (0-100)."""

    intent: str
    score: float
    example: str


@dataclass(frozen=True)
class Decision:
    """What a message means.

    Attributes:
        kind: ``red_flag``, ``intent``, ``did_you_mean``, ``fallback`` or ``empty``.
        intent: The intent chosen (``red_flags`` for a red flag), None otherwise.
        score: Confidence of the choice, 0-100.
        candidates: Best intents, best first (at most 3).
        rule: The red-flag rule that fired, if any.
    """

    kind: str
    intent: str | None
    score: float
    candidates: tuple[Candidate, ...]
    rule: str | None = None


UNKNOWN_WEIGHT = 1.0
"""An unknown word weighs this many times the rarest known word."""
OUT_OF_SCOPE_WEIGHT = 5.0
"""An out-of-scope word (knee, headache, ...) weighs this many times the rarest known word."""
SUPPORT_BEST = 0.8
"""An intent's score: this share from its best example, the rest from its second best."""
F1_SHARE = 0.3
"""An example's score: this share from the F1 of shared terms, the rest from the geometric
mean of the example's share found in the message and the message's share the intent knows."""
RED_FLAG_EXTRA = 12.0
"""Without a screen rule, the red-flag examples need this much more than the threshold."""
RARE_TERM_SHARE = 0.125
"""A term known to at most this share of the intents (or to :data:`RARE_TERM_MIN_DF`)
counts as rare: intents knowing one are scored first."""

RARE_TERM_MIN_DF = 2

RARE_TERM_MIN_INTENTS = 64
"""Below this many intents the shortcut does not pay for itself."""

WHOLE_MESSAGE_INTENTS = frozenset({"greeting", "thanks", "goodbye"})
"""Small talk: matched only when it is (nearly) the whole message."""


@dataclass(frozen=True)
class _Indexed:
    intent: str
    text: str
    total: float
    """Summed weight of the example's terms."""


@dataclass(frozen=True)
class _IntentIndex:
    """One intent's examples, for scoring them against a message."""

    name: str
    whole: bool
    """Small talk: matched only as the whole message."""
    texts: list[str]
    totals: list[float]
    """Summed weight of each example's terms."""
    postings: dict[str, list[int]]
    """Term -> positions (in ``texts``) of the examples holding it."""


_first = itemgetter(0)


def _score_bound(coverage: float, precision: float, whole: bool) -> float:
    """The most an intent can score (0-1) for a message.

    Args:
        coverage: Share of the message the intent knows: a bound on every example's recall.
        precision: A bound on every example's precision (at most 1).
        whole: Small talk, scored as the lesser of precision and recall.

    F1 and containment grow with precision and recall, so they are at most their values at
    the bounds; an intent scores at most its best example.
    """
    if whole:
        return min(precision, coverage)
    if precision + coverage <= 0:
        return 0.0
    f1 = 2 * precision * coverage / (precision + coverage)
    return F1_SHARE * f1 + (1 - F1_SHARE) * math.sqrt(precision * coverage)


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
        self.red_flag_threshold = threshold + RED_FLAG_EXTRA
        vocabulary: list[str] = []
        normalised: list[tuple[str, str]] = []
        for intent in content.intents.values():
            for example in intent.examples:
                text = normalise(example.text)
                normalised.append((intent.name, text))
                vocabulary.extend(text.split())
        self.analyzer = Analyzer(vocabulary, content.synonyms, content.out_of_scope)
        self.screen = RedFlagScreen(content.screen)

        # Inverse intent frequency of each term.
        per_intent: dict[str, set[str]] = defaultdict(set)
        example_terms: list[tuple[str, str, set[str]]] = []
        for intent, text in normalised:
            stems = {t.stem for t in self.analyzer.terms(text) if t.confidence > 0}
            per_intent[intent].update(stems)
            example_terms.append((intent, text, stems))
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
        for intent, text, stems in example_terms:
            total = sum(self.idf[s] for s in stems)
            self.examples.append(_Indexed(intent, text, total))
            entry = by_name.get(intent)
            if entry is None:
                entry = _IntentIndex(intent, intent in WHOLE_MESSAGE_INTENTS, [], [], {})
                by_name[intent] = entry
                self._intents.append(entry)
                for s in self.intent_vocab[intent]:
                    term_intents[s].append(len(self._intents) - 1)
            j = len(entry.texts)
            entry.texts.append(text)
            entry.totals.append(total)
            for s in stems:
                entry.postings.setdefault(s, []).append(j)
        for ids in term_intents.values():
            ids.sort()
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
        # The same shares by intent, and each term's largest (for the rare-term shortcut).
        self._share_of: dict[str, dict[int, float]] = {
            s: dict(zip(ids, self._term_shares[s], strict=True))
            for s, ids in self._term_intents.items()
        }
        self._max_share = {s: max(shares) for s, shares in self._term_shares.items()}

    def _query(self, text: str) -> dict[str, tuple[float, float]]:
        """Content terms of normalised text: stem -> (weight, confidence)."""
        query: dict[str, tuple[float, float]] = {}
        for term in self.analyzer.terms(text):
            if term.stem == OUT_OF_SCOPE:
                weight, conf = self.out_of_scope_weight, 0.0
            elif term.stem in self.idf:
                weight, conf = self.idf[term.stem], term.confidence**2
            else:
                weight, conf = self.unknown_weight, 0.0
            key = term.stem if term.stem != OUT_OF_SCOPE else f"{OUT_OF_SCOPE}:{term.word}"
            if key not in query or query[key][1] < conf:
                query[key] = (weight, conf)
        return query

    def candidates(self, text: str, limit: int = 3) -> list[Candidate]:
        """Best intents for normalised text, best first.

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
        query = self._query(text)
        if not query:
            return []
        q_total = sum(w for w, _ in query.values())
        # Known terms with their weight; a term the knowledge base lacks adds nothing here.
        known = [(s, w * c) for s, (w, c) in query.items() if c > 0 and s in self._term_intents]
        n = len(self._intents)
        # Small content: every term counts as rare, which is a plain scan in one pass.
        rare_df = n if n < RARE_TERM_MIN_INTENTS else max(RARE_TERM_MIN_DF, n * RARE_TERM_SHARE)
        rare = [(s, wc) for s, wc in known if len(self._term_intents[s]) <= rare_df]
        common = [(s, wc) for s, wc in known if len(self._term_intents[s]) > rare_df]
        kept: list[float] = []  # min-heap of the best `limit` rounded scores

        # 1. Intents knowing a rare term: exact coverage and precision bound over all terms.
        pool: dict[int, float] = {}
        for s, _ in rare:
            pool.update(dict.fromkeys(self._term_intents[s], 0.0))
        shares = dict.fromkeys(pool, 0.0)
        for s, wc in known:
            conf = query[s][1]
            share_of = self._share_of[s]
            if len(share_of) <= len(pool):
                for i, share in share_of.items():
                    if i in pool:
                        pool[i] += wc
                        shares[i] += conf * share
            else:
                for i in pool:
                    share = share_of.get(i)
                    if share is not None:
                        pool[i] += wc
                        shares[i] += conf * share
        ranked = self._rank(pool, shares, known, q_total, limit, kept)

        # 2. The rest know common terms only: at most this much.
        common_coverage = sum(wc for _, wc in common) / q_total
        common_share = min(1.0, sum(query[s][1] * self._max_share[s] for s, _ in common))
        ceiling = max(_score_bound(common_coverage, common_share, whole) for whole in (False, True))
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
            ranked += self._rank(covered, others, known, q_total, limit, kept)

        # Ties in the order a plain scan meets intents: by the first of the message's terms
        # each knows, then in content order.
        terms = [s for s, _ in known]

        def first_met(candidate: Candidate) -> tuple[int, int]:
            i = self._index_of[candidate.intent]
            return next(k for k, s in enumerate(terms) if i in self._share_of[s]), i

        ranked.sort(key=lambda c: (-c.score, *first_met(c)))
        return ranked if limit <= 0 else ranked[:limit]

    def _rank(
        self,
        covered: dict[int, float],
        shares: dict[int, float],
        known: list[tuple[str, float]],
        q_total: float,
        limit: int,
        kept: list[float],
    ) -> list[Candidate]:
        """Score intents best bound first, stopping when no further one can make the top.

        Args:
            covered: Per intent, the weight of the message's terms it knows.
            shares: Per intent, a bound on its examples' precision.
            known: The message's known terms with their weights.
            q_total: The message's total weight.
            limit: How many intents are wanted (0: all).
            kept: Min-heap of the best ``limit`` scores so far; updated.

        Returns:
            The intents scored, unsorted.
        """
        # Best bound first: once even the best possible example of the next intent could not
        # beat the `limit`-th best score found so far, the rest cannot either.
        # (_score_bound inlined: this runs for every intent a common word reaches.)
        ordered: list[tuple[float, int]] = []
        intents = self._intents
        for i, weight in covered.items():
            c = weight / q_total
            p = min(1.0, shares[i])
            if intents[i].whole:
                bound = min(p, c)
            elif p + c > 0:
                pc = p * c
                bound = F1_SHARE * 2 * pc / (p + c) + (1 - F1_SHARE) * math.sqrt(pc)
            else:
                bound = 0.0
            ordered.append((bound, i))
        ordered.sort(key=_first, reverse=True)  # stable: ties keep the order they came in
        ranked: list[Candidate] = []
        rest = 1 - F1_SHARE
        for bound, i in ordered:
            if limit > 0 and len(kept) >= limit and round(100.0 * bound, 1) + 0.1 < kept[0]:
                break
            coverage = covered[i] / q_total
            entry = intents[i]
            shared_of: dict[int, float] = {}
            postings = entry.postings
            for s, wc in known:
                for j in postings.get(s, ()):
                    shared_of[j] = shared_of.get(j, 0.0) + wc
            totals = entry.totals
            texts = entry.texts
            scored: list[tuple[float, str]] = []
            for j, shared in shared_of.items():
                recall = shared / q_total
                total = totals[j]
                precision = shared / total if total else 0.0
                if entry.whole:
                    score = min(precision, recall)
                else:
                    f1 = 2 * precision * recall / (precision + recall)
                    contained = math.sqrt(precision * coverage)
                    score = F1_SHARE * f1 + rest * contained
                scored.append((score, texts[j]))
            scored.sort(reverse=True)
            best, example = scored[0]
            second = scored[1][0] if len(scored) > 1 else 0.0
            score = round(100.0 * (SUPPORT_BEST * best + (1 - SUPPORT_BEST) * second), 1)
            ranked.append(Candidate(entry.name, score, example))
            if limit > 0:
                if len(kept) < limit:
                    heapq.heappush(kept, score)
                elif score > kept[0]:
                    heapq.heapreplace(kept, score)
        return ranked

    def decide(self, message: str) -> Decision:
        """Decide what a raw message means."""
        text = normalise(message)
        if not text:
            return Decision("empty", None, 0.0, ())
        hit = self.screen.screen(text)
        cands = tuple(self.candidates(text, limit=4))
        if hit is not None:
            return Decision("red_flag", RED_FLAGS, 100.0, cands, rule=hit.rule)
        if not cands or cands[0].score < self.threshold:
            return Decision("fallback", None, cands[0].score if cands else 0.0, cands)
        # Past the screen, the red-flag examples still catch urgent wording no rule knows,
        # when they match clearly: as the best intent, or close behind it.
        urgent = [c for c in cands if c.intent == RED_FLAGS and c.score >= self.red_flag_threshold]
        if urgent and cands[0].score - urgent[0].score < self.margin:
            return Decision("red_flag", RED_FLAGS, urgent[0].score, cands)
        cands = tuple(c for c in cands if c.intent != RED_FLAGS)
        if not cands or cands[0].score < self.threshold:
            return Decision("fallback", None, cands[0].score if cands else 0.0, cands)
        top = cands[0]
        if (
            len(cands) > 1
            and cands[1].score >= self.threshold
            and top.score - cands[1].score < self.margin
        ):
            return Decision("did_you_mean", top.intent, top.score, cands)
        return Decision("intent", top.intent, top.score, cands)

"""Words: fold a message into plain lower-case words, split it into sentences, stem words.

Shared by the safety screen and the intent matcher, so both read a message the same way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

MAX_INPUT_CHARS = 2000
"""Only this many characters of one sentence are matched (the safety screen reads all)."""

WORD_CACHE_SIZE = 16_384
"""Words (and runs of non-blanks) whose folding, tokens and stem are remembered: every
new word a chat sends adds an entry, so the cap is what memory plateaus at (about 13 MB
with the screen's and the matcher's word memories)."""

MAX_TOKENS = 200

# --- normalisation ----------------------------------------------------------------------

_CONTRACTION = re.compile(r"\b(can|won|ain|shan)'t\b|n't\b|'(m|re|ve|ll|d|s)\b")
_EXPANSIONS: Mapping[str, str] = {
    "can": "cannot", "won": "will not", "ain": "is not", "shan": "shall not",
    "m": " am", "re": " are", "ve": " have", "ll": " will", "d": " would", "s": "",
}  # fmt: skip


def _expand(match: re.Match[str]) -> str:
    word = match.group(1) or match.group(2)
    return _EXPANSIONS[word] if word else " not"


# fmt: off
SLANG: Mapping[str, str] = {
    # apostrophe-less contractions
    "dont": "do not", "doesnt": "does not", "didnt": "did not", "isnt": "is not",
    "arent": "are not", "wasnt": "was not", "werent": "were not", "havent": "have not",
    "hasnt": "has not", "hadnt": "had not", "couldnt": "could not", "wouldnt": "would not",
    "shouldnt": "should not", "wont": "will not", "cant": "cannot", "cnt": "cannot",
    "aint": "is not", "shant": "shall not",
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
    basically literally man mate dude bro buddy pal guys lads hun day days week weeks month
    months year years ago one two three what whats though tho although suppose supposed
    """.split()  # noqa: SIM905 - a word list reads best as text
)
"""Function words: they carry no topic, so they never decide a match."""


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return _without(decomposed, unicodedata.combining)


def _without(text: str, drop: Callable[[str], object]) -> str:
    """``text`` without the characters ``drop`` is true of (each distinct non-ASCII character
    is looked at once; no ASCII character is a format or combining one)."""
    if text.isascii():
        return text
    dropped = {ord(ch): None for ch in set(text) if not ch.isascii() and drop(ch)}
    return text.translate(dropped) if dropped else text


def _format_char(ch: str) -> bool:
    return unicodedata.category(ch) == "Cf"


_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_EMOJI_WORDS = str.maketrans(
    {
        "\U0001f351": " bum ",  # peach
        "\U0001f4a9": " poo ",  # pile of poo
        "\U0001f6bd": " toilet ",
        "\U0001f9b5": " leg ",
        "\U0001f9b6": " foot ",
        "\U0001f912": " fever ",  # face with thermometer
    }
)
"""Emoji that stand for a word of the body or the toilet ("my 🍑 is numb"), read as the word;
other emoji are dropped with the punctuation."""
_NON_WORD = re.compile(r"[^\w#']+|_")
_REPEATS = re.compile(r"(\w)\1{2,}")


def drop_format_chars(text: str) -> str:
    """Remove Unicode format characters (category Cf): soft hyphens, zero-width spaces and
    joiners, direction marks. They are invisible, so "blad\u00adder" reads as "bladder"."""
    return _without(text, _format_char)


def normalise(text: str, *, limit: bool = True) -> str:
    """Fold a message into lower-case plain words.

    Unicode is folded (format characters dropped, NFKC, case, accents dropped, a few emoji
    read as the word they stand for: "🍑" -> "bum"), contractions
    expanded with or without the apostrophe ("can't", "cant" -> "cannot"), text-speak spelt
    out ("u" -> "you"), punctuation dropped and letters repeated three times or more cut to two
    ("helloooo" -> "helloo").

    Args:
        text: Any Unicode.
        limit: Keep only the first :data:`MAX_INPUT_CHARS` characters and :data:`MAX_TOKENS`
            words (the matcher's budget); the safety screen passes False and reads everything.

    >>> normalise("Wat   SCIATICA?? u know, cant SIT!!!")
    'what sciatica you know cannot sit'
    """
    if limit:
        text = text[:MAX_INPUT_CHARS]
    if text.isascii():
        # Plain text folds word by word (every step is local to a run of non-blanks), and
        # people use the same few hundred words: each run is folded once.
        words = [word for chunk in text.split() for word in _fold_chunk(chunk)]
    else:
        words = [_finish(raw) for raw in _fold(text).split()]
    if limit:
        words = words[:MAX_TOKENS]
    return " ".join([word for word in words if word])


def _fold(text: str) -> str:
    """Case, Unicode, contractions, punctuation and repeated letters folded: raw words."""
    if text.isascii():  # NFKC and accent stripping leave ASCII as it is
        text = text.lower().translate(_APOSTROPHES)
    else:
        text = unicodedata.normalize("NFKC", drop_format_chars(text)).casefold()
        text = _strip_marks(text).translate(_APOSTROPHES).translate(_EMOJI_WORDS)
    if "'" in text:  # the forms without an apostrophe ("cant") are in SLANG
        text = _CONTRACTION.sub(_expand, text)
    return _REPEATS.sub(r"\1\1", _NON_WORD.sub(" ", text))


def _finish(raw: str) -> str:
    """A raw word as the matcher reads it: text-speak spelt out ("" when nothing is left)."""
    if "#" not in raw and "'" not in raw:  # plain words, as most are
        return SLANG.get(raw, raw)
    word = raw.strip("'")
    if word.startswith("#") and word[1:].isdigit():
        word = {"4": "four"}.get(word[1:], word[1:])
    word = word.replace("#", "").replace("'", "")
    return SLANG.get(word, word) if word else ""


@lru_cache(maxsize=WORD_CACHE_SIZE)
def _fold_chunk(chunk: str) -> tuple[str, ...]:
    """The words of one run of ASCII non-blanks, one entry per raw word ("" when dropped)."""
    return tuple(_finish(raw) for raw in _fold(chunk).split())


_SENTENCE_END = re.compile(
    r"[.!?…\r\n](?:(?:(?<=[!?…])|(?<=\.)(?<!\b[Dd]r\.)(?<!\bDR\.)(?<!\b[Mm]rs\.)(?<!\b[Mm][rs]\.))"
    r"(\s+)|(?<=[\r\n])[\r\n]*|(?<=\?)(?=\S))"
)
"""Where a sentence ends: after ``. ! ? …`` and blanks (group 1, not part of either
sentence), at line breaks, and right after a "?" that a word follows. The point of a title
("Dr. Google says so", "Mrs. Jones") ends no sentence. The pattern opens with the one
character every end starts with, so the engine skips to those characters (a pattern opening
with alternatives is tried at every character, several times slower on a long message)."""
_CLOSING = frozenset("\"'”’)]}*~_.!…")
"""What may follow a sentence's question mark: closing quotes and brackets, stray punctuation."""

MAX_READ_CHARS = 16_384
"""Characters of a message that are read: all of a Telegram message (4,096) and more."""

BOUNDARY = "|"
"""Token standing for a comma, colon, semicolon, bracket or slash inside a sentence."""

DASH = "-"
"""Token standing for a dash between words ("my friend swears by it - can it help"): in chat,
often where a new clause starts."""

_SOFT_PUNCTUATION = re.compile(r"(\s[-–—]+\s)|[,;:()\[\]{}]|\s/\s|--+")
_MARKS = {"qqdashqq": DASH, "qqboundaryqq": BOUNDARY}


def _marked(match: re.Match[str]) -> str:
    return " qqdashqq " if match.group(1) else " qqboundaryqq "


def tokens(text: str) -> tuple[str, ...]:
    """A sentence's normalised words (unlimited), with :data:`BOUNDARY` or :data:`DASH` where
    soft punctuation stood between words: one mark between two words (a dash wins), none at
    the ends.

    >>> tokens("My leg (the left one) - is it sciatica?")
    ('my', 'leg', '|', 'the', 'left', 'one', '-', 'is', 'it', 'sciatica')
    """
    if text.isascii():
        known = _CHUNKS.get
        words = [word for chunk in text.split() for word in known(chunk) or _chunk_tokens(chunk)]
    else:
        words = normalise(_SOFT_PUNCTUATION.sub(_marked, text), limit=False).split()
        words = [_MARKS.get(word, word) for word in words]
    if BOUNDARY not in words and DASH not in words:
        return tuple(words)  # no soft punctuation: the words as they are
    out: list[str] = []
    pending = ""
    for word in words:
        if word != BOUNDARY and word != DASH:
            if pending and out:
                out.append(pending)
            pending = ""
            out.append(word)
        elif pending != DASH:
            pending = word
    return tuple(out)


_INNER_PUNCTUATION = re.compile(r"[,;:()\[\]{}]|--+")
"""Soft punctuation inside a run of non-blanks ("leg,", "(left)", "a--b")."""


_CHUNKS: dict[str, tuple[str, ...]] = {}
"""Runs of ASCII non-blanks read so far, with their tokens (:func:`_chunk_tokens`): a plain
dictionary, looked up for every run of every sentence (several times faster than a cached
function is called), emptied when it holds :data:`WORD_CACHE_SIZE` of them."""


def _chunk_tokens(chunk: str) -> tuple[str, ...]:
    """The tokens of one run of ASCII non-blanks: words and marks (remembered)."""
    found = _CHUNKS.get(chunk)
    if found is None:
        if len(_CHUNKS) >= WORD_CACHE_SIZE:
            _CHUNKS.clear()
        found = _CHUNKS[chunk] = _read_chunk(chunk)
    return found


def _read_chunk(chunk: str) -> tuple[str, ...]:
    """:func:`_chunk_tokens`, worked out."""
    if not chunk.strip("-"):  # a dash between words
        return (DASH,)
    if chunk == "/":
        return (BOUNDARY,)
    out: list[str] = []
    for piece in _INNER_PUNCTUATION.sub(" qqboundaryqq ", chunk).split():
        if piece == "qqboundaryqq":
            out.append(BOUNDARY)
        else:
            out.extend(" ".join(_fold_chunk(piece)).split())
    return tuple(out)


@dataclass(frozen=True)
class Sentence:
    """One sentence of a message as typed, whether it is put as a question, and its words.

    The safety screen and the matcher read the same :class:`Sentence` objects, so a message
    is split and normalised once.
    """

    text: str
    question: bool
    tokens: tuple[str, ...]
    """Normalised words with :data:`BOUNDARY` and :data:`DASH` marks (see :func:`tokens`)."""

    @property
    def words(self) -> list[str]:
        """The normalised words without the marks."""
        return [t for t in self.tokens if t != BOUNDARY and t != DASH]


def sentences(text: str) -> list[Sentence]:
    """Split a message (its first :data:`MAX_READ_CHARS` characters) into sentences at
    ``. ! ? …`` followed by a space, and at line breaks.

    A sentence counts as a question when it ends with "?" (before closing quotes, brackets or
    emoji-free trailing punctuation).
    """
    text = drop_format_chars(text[:MAX_READ_CHARS])
    parts: list[str] = []
    start = 0
    for found in _SENTENCE_END.finditer(text):
        if found.group(1):  # ". " : the mark stays, the blanks go
            parts.append(text[start : found.start(1)])
        elif found.group() == "?":  # "?" and a word straight after it
            parts.append(text[start : found.end()])
        else:  # line breaks
            parts.append(text[start : found.start()])
        start = found.end()
    parts.append(text[start:])
    out: list[Sentence] = []
    for part in parts:
        part = part.strip()
        if not part or not any(ch.isalnum() for ch in part):
            continue
        end = len(part)
        while end and (part[end - 1] in _CLOSING or part[end - 1].isspace()):
            end -= 1
        out.append(Sentence(part, part[end - 1 : end] == "?", tokens(part)))
    return out


_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=WORD_CACHE_SIZE)
def stem(word: str) -> str:
    """Snowball (Porter 2) stem of one word."""
    stemmed: str = _STEMMER.stemWord(word)
    return stemmed


# --- other languages --------------------------------------------------------------------

_LANGUAGE_WORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "es": "el la los las que y en un una es por para con mi tengo dolor pierna espalda "
        "ciática ciatica puedo qué cómo hola gracias del al muy duele tiene hay pero estoy "
        "masaje nervio está desde hace sí también cuando donde",
        "fr": "le les des et est pour avec je ai mal dans pas ne mon ma jambe dos sciatique "
        "bonjour merci qui il elle c vous nerf j peut est-ce quoi comment aussi très depuis "
        "fesse massage",
        "de": "der die das und ist ich nicht ein eine mit mein meine habe schmerzen bein "
        "rücken ruecken ischias hallo danke wie was kann sie es zu im auf seit sehr auch "
        "wenn massage nerv gesäß hilft",
        "pt": "o os as que e em um uma é por para com não eu meu minha tenho dor perna costas "
        "ciático ciática olá obrigado obrigada como posso nervo massagem muito também desde "
        "ajuda está você",
    }.items()
}
_ENGLISH_WORDS = frozenset(
    """
    the is i my and what how can it to of in you have pain leg back a an does do with for me
    are this that sciatica massage help why when
    """.split()  # noqa: SIM905 - a word list reads best as text
)
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?")


def other_language(text: str) -> str | None:
    """The language of a message written in Spanish, French, German, Portuguese or Russian
    (``es``, ``fr``, ``de``, ``pt``, ``ru``); None for English or when unsure.

    Russian is told by its alphabet; the others by common words, which must outnumber the
    English ones. Short greetings alone ("hola") are not enough to tell.
    """
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return None
    if sum(1 for ch in letters if "\u0400" <= ch <= "\u04ff") > len(letters) / 2:
        return "ru"
    words = [w.lower() for w in _WORD.findall(text)]
    english = sum(1 for w in words if w in _ENGLISH_WORDS)
    best, hits = None, 0
    for lang, vocabulary in _LANGUAGE_WORDS.items():
        n = sum(1 for w in words if w in vocabulary)
        if n > hits:
            best, hits = lang, n
    if best is None or hits < 2 or hits <= english:
        return None
    return best


def clear_caches() -> None:
    """Forget every word folded and stemmed so far (benchmarks measure first sight)."""
    _fold_chunk.cache_clear()
    _CHUNKS.clear()
    stem.cache_clear()

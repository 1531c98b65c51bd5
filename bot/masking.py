"""Masking of personal details in a question before it is kept for the report.

People sometimes type their name, e-mail address, phone number, a link to their profile or
their date of birth into a question. :func:`mask_personal` replaces them with ``[email]``,
``[link]``, ``[handle]``, ``[address]``, ``[postcode]``, ``[date]``, ``[number]`` and
``[name]``, in English, French, Spanish and German. Addresses spelt out to dodge filters
("john.smith at example dot com") and links without ``http`` (``example.com/john``) count.

Names follow two rules:

* after an explicit introduction ("my name is", "name:", "call me", "je m'appelle", "me llamo",
  "ich heiße"...) up to three words are a name, whatever their case, up to the first common
  word ("my name is john smith and my back hurts" keeps "and my back hurts");
* after a weak one ("I'm", "I am", "this is", "je suis", "soy", "ich bin") only capitalised
  words are a name, so "I'm Sarah Connor" is masked but "I'm worried", "I'm in pain" and
  "im 45" are kept as typed.
"""

from __future__ import annotations

import re

MAX_UNANSWERED_CHARS = 300
"""Longest unanswered question kept (longer ones are cut)."""

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|"
    "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|"
    "novembre|décembre|decembre|"
    "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|"
    "noviembre|diciembre|"
    "januar|jänner|februar|märz|maerz|juni|juli|oktober|dezember"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th|er|º|\.)?"
_YEAR = r"(?:1[89]|20)\d\d"

_TLD = r"(?:com|org|net|edu|gov|info|io|co|uk|us|ca|au|de|fr|es|it|nl|be|ch|me|ru)"
_STREET_TYPES = (
    r"street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|close|way|court|ct|"
    r"place|pl|crescent|terrace|square|sq|gardens|grove|parkway|highway|hwy|"
    r"rue|calle|avenida|straße|strasse|weg|allee|platz"
)
_PLACE_WORD = r"(?:[A-Z][^\W\d_]*(?:['’.-][^\W\d_]*)*|de|la|del|du|des|der|of)\b"
"""A word of a street's name: capitalised, or a particle ("rue de la Paix")."""
_POSTCODE = (
    r"(?:[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}"  # UK: NW1 6XE, SW1A 1AA (capitals only)
    r"|[A-Z]{2}\s+\d{5}(?:-\d{4})?)"  # US: IL 62704
)

_MASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    # anchored and possessive: linear time on a 10,000-character word (was quadratic)
    (re.compile(r"(?<!\S)[^\s@]++@\S+\.\w+"), "[email]"),
    # spelt out: john.smith at example dot com, jane (at) mail (dot) org, x at y.com
    (
        re.compile(
            rf"(?i)(?<![\w.+-])[\w.+-]++\s*(?:\(at\)|\[at\]|\s\s*at\s)\s*[\w-]+"
            rf"(?:(?:\s*(?:\(dot\)|\[dot\])\s*|\s+dot\s+)[\w-]+)*"
            rf"(?:(?:\s*(?:\(dot\)|\[dot\])\s*|\s+dot\s+){_TLD}|\.{_TLD})\b"
        ),
        "[email]",
    ),
    (re.compile(r"(?i)\b(?:https?://|www\.|(?:t|telegram)\.me/|tg://)\S*"), "[link]"),
    # a bare domain with a path: example.com/johnsmith
    (re.compile(r"(?i)(?<![\w.@-])(?:[a-z0-9-]++\.)++[a-z]{2,}/\S*"), "[link]"),
    (re.compile(r"(?<!\w)@\w{3,}"), "[handle]"),
    # 12 Baker Street, London NW1 6XE; 221B Baker St; 5 rue de la Paix (and a postcode)
    (
        re.compile(
            rf"\b\d{{1,5}}[A-Za-z]?,?\s+(?:(?:{_PLACE_WORD})\s+){{0,3}}"
            rf"(?i:{_STREET_TYPES})\b\.?(?:\s+(?:{_PLACE_WORD})){{0,3}}"
            rf"(?:,\s*[A-Z][^\W\d_]*\b(?:\s+[A-Z][^\W\d_]*\b){{0,2}})?"
            rf"(?:,?\s+(?:{_POSTCODE}|\d{{4,5}})\b)?"
        ),
        "[address]",
    ),
    (re.compile(rf"\b{_POSTCODE}\b"), "[postcode]"),
    # 12/03/1985, 1985-03-12, 12.3.85
    (re.compile(r"(?<![\d.])\d{1,4}[./-]\d{1,2}[./-]\d{2,4}(?![\d.]\d)"), "[date]"),
    # 12 March 1985, 3rd of March, 12 de marzo de 1985, 12. März 1985, March 3rd, May 1985
    (
        re.compile(
            rf"(?i)\b(?:{_DAY}\s+(?:of\s+|de\s+)?(?:{_MONTHS})\b(?:,?\s+(?:de\s+)?{_YEAR}\b)?"
            rf"|(?:{_MONTHS})\s+(?:\d{{1,2}}(?:st|nd|rd|th)(?:,?\s+{_YEAR})?"
            rf"|\d{{1,2}},?\s+{_YEAR}|(?:de\s+)?{_YEAR})\b)"
        ),
        "[date]",
    ),
    # born in 1985, né en 1985, nacida en 1985, geboren 1985
    (
        re.compile(
            rf"(?i)\b(born|n[ée]e?|nacid[oa]|geboren)(\s+(?:in|on|en|el|am|im|le))?\s+{_YEAR}\b"
        ),
        r"\1\2 [date]",
    ),
    (re.compile(r"\+?\d[\d\s().-]{6,}\d"), "[number]"),
)
"""Personal details other than names, and what replaces them (in this order)."""

_WORD = r"[^\W\d_]+(?:['’-][^\W\d_]+)*"

_EXPLICIT = (
    r"my (?:full |first |last |sur)?name(?: is|'s|’s| was)?|name's|name’s|my names|"
    r"(?:full |first |last |sur)?name(?=\s*:)|"
    r"(?:they |people |you can |please )?call me|i am called|i'?m called|i’m called|"
    r"je m['’ ]?appelle|mon (?:nom|prénom|prenom)(?: est| c['’]est)?|moi c['’]est|"
    r"me llamo|mi (?:nombre|apellido)(?: es)?|"
    r"ich hei(?:ß|ss)e|mein (?:name|vorname|nachname)(?: ist)?"
)
_WEAK = r"i['’]?m|i am|this is|je suis|soy|ich bin"

_NAME = re.compile(
    rf"(?i)\b(?:(?P<explicit>{_EXPLICIT})|(?P<weak>{_WEAK}))"
    rf"(?P<sep>\s*[:,-]?\s+)(?P<words>{_WORD}(?:\s+{_WORD}){{0,2}})"
)

_NOT_NAMES = """
    a an the and or but so then also too as than that this these those there here it its
    i im i'm i’m me my mine you your he she we they them us our his her who what which
    is am are was were be been being have has had having do does did done will would can
    could should may might must shall not no yes very really just still only even quite
    always often sometimes never now today tonight tomorrow yesterday soon later again
    please thanks thank sorry hello hi hey ok okay fine good great well bad sick ill unwell
    worried scared afraid anxious nervous tired exhausted confused unsure sure new old
    young happy sad glad curious desperate stuck lost done ready free busy home alone
    in on at to for from with without of about by into onto over under after before since
    because if when while where how why whether like up down out off back away
    pain painful hurting suffering struggling getting feeling having trying looking wondering
    asking writing calling going doing being working living dealing waiting thinking
    pregnant retired diabetic disabled overweight male female man woman mum mom dad mother
    father wife husband patient client therapist doctor nurse runner athlete student
    sciatica piriformis massage back leg hip knee foot spine disc nerve
    years year months month weeks week days day old aged age
    et ou mais le la les un une de du des en au aux pas très tres avec pour dans sur
    y o pero el los las una del con por para muy
    und oder aber der die das ein eine einen nicht sehr mit von zu auf im am
"""
NOT_NAMES = frozenset(_NOT_NAMES.split())
"""Words never taken for a name, in any case (a stop list for the name rules)."""


def _mask_name(match: re.Match[str]) -> str:
    explicit = match.group("explicit") is not None
    words = list(re.finditer(_WORD, match.group("words")))
    taken = 0
    for word in words:
        text = word.group()
        if text.lower() in NOT_NAMES or not (explicit or text[0].isupper()):
            break
        taken += 1
    if not taken:
        return match.group()
    rest = match.group("words")[words[taken - 1].end() :]
    intro = match.group("explicit") or match.group("weak")
    return f"{intro}{match.group('sep')}[name]{rest}"


def mask_personal(text: str) -> str:
    """Mask personal details, collapse whitespace and cut to length.

    Args:
        text: A question as typed.

    Returns:
        The question with e-mail addresses, links (``t.me`` ones too), @handles, dates,
        phone numbers and names replaced by ``[email]``, ``[link]``, ``[handle]``,
        ``[date]``, ``[number]`` and ``[name]``, whitespace collapsed, at most
        :data:`MAX_UNANSWERED_CHARS` characters.
    """
    for pattern, mask in _MASKS:
        text = pattern.sub(mask, text)
    text = _NAME.sub(_mask_name, text)
    text = " ".join(text.split())
    return text[:MAX_UNANSWERED_CHARS]

"""The safety screen's index: the spans and candidate rules it finds by a sentence's words
and pairs of words are those a word-by-word search of every term finds."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.safety import SafetyScreen
from bot.text import Sentence, sentences


def _labelled_sentences() -> list[Sentence]:
    """Every sentence of two of the labelled safety sets."""
    root = Path(__file__).resolve().parent.parent / "data"
    out: list[Sentence] = []
    for name in ("safety.yml", "stories_safety.yml"):
        for item in yaml.safe_load((root / name).read_text(encoding="utf-8")):
            out.extend(sentences(item["q"]))
    return out


def test_terms_are_found_where_they_are_and_rules_with_one_are_candidates(
    screen: SafetyScreen,
) -> None:
    """The spans the index of a sentence's words and pairs of words finds are those a
    word-by-word search of every term finds, and every rule with a term of its first group
    in a sentence is among the sentence's candidates (and, for a crisis rule, the sentence
    is read once the message is urgent)."""
    checked = found = crisis = 0
    for sentence in _labelled_sentences():
        tokens = screen._tokens(sentence)
        where, pairs = screen._places(tokens)
        candidates = screen._candidates(where, pairs)
        for n, rule in enumerate(screen.rules):
            for group, index in zip(
                (*rule.groups, rule.unless), (*rule.found, rule.found_unless), strict=True
            ):
                expected = sorted(
                    {
                        (i, i + len(term) - 1)
                        for terms in group.values()
                        for term in terms
                        for i in where.get(term[0], ())
                        if all(i + k in where.get(word, ()) for k, word in enumerate(term))
                    }
                )
                assert screen._occurrences(index, where, pairs) == expected, (sentence, rule.name)
            if screen._occurrences(rule.found[0], where, pairs):
                found += 1
                assert n in candidates, (sentence.text, rule.name)
                if rule.kind == "crisis":
                    crisis += 1
                    assert screen._mentions(tokens, *screen._crisis_anchors), sentence.text
            checked += 1
    assert found > 1000 and crisis > 10 and checked > 50_000

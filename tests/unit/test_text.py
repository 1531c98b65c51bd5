"""Normalising, sentences and tokens (``bot/text.py``)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.text import MAX_TOKENS, _finish, _fold, normalise, sentences, tokens


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Whats   SCIATICA??", "what is sciatica"),
        ("What's sciatica", "what sciatica"),
        ("I can't sit", "i cannot sit"),
        ("i cant sit", "i cannot sit"),
        ("I CAN’T SIT", "i cannot sit"),
        ("u r great thx", "you are great thanks"),
        ("trigger point #4", "trigger point four"),
        ("Piriformís", "piriformis"),
        ("helloooooo", "helloo"),
        ("", ""),
        ("🙂 !!! ...", ""),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_tokens_mark_soft_punctuation_once() -> None:
    """One mark between two words (a dash wins over a comma), none at either end."""
    assert tokens("(left leg), - is it sciatica?") == ("left", "leg", "-", "is", "it", "sciatica")
    assert tokens("pain: back, hip / knee") == ("pain", "|", "back", "|", "hip", "|", "knee")
    assert sentences("My leg hurts. Is it sciatica?")[1].words == ["is", "it", "sciatica"]


@given(st.text(alphabet="ab c'#-,.?!/()\n\t:;_4AZ", max_size=60))
def test_plain_text_folds_word_by_word_as_in_one_go(text: str) -> None:
    """ASCII text is folded run by run (cached); the result is what folding it whole gives."""
    whole = [_finish(raw) for raw in _fold(text).split()][:MAX_TOKENS]
    assert normalise(text) == " ".join(w for w in whole if w)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("I know because Dr. Google says so. Then I asked.", 2),
        ("Mrs. Jones and Ms. Smith saw me. Ok?", 2),
        ("It hurts. A lot", 2),
        ("I saw the physio. Dr Smith next week.", 2),
    ],
)
def test_a_titles_point_ends_no_sentence(text: str, parts: int) -> None:
    assert len(sentences(text)) == parts

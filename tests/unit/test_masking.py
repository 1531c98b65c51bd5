"""Masking of names, addresses, numbers, dates and links in kept questions (``bot/masking.py``)."""

from __future__ import annotations

import pytest

from bot.masking import MAX_UNANSWERED_CHARS, mask_personal


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("hi my name is john smith", "hi my name is [name]"),
        ("My name is John Smith", "My name is [name]"),
        ("MY NAME IS JOHN SMITH", "MY NAME IS [name]"),
        ("I'm Sarah Connor", "I'm [name]"),
        ("I’m Sarah Jane Connor, what helps", "I’m [name], what helps"),
        ("my name is john smith and my back hurts", "my name is [name] and my back hurts"),
        ("call me Pat, does massage help", "call me [name], does massage help"),
        ("je m'appelle Marie Dupont, sciatique?", "je m'appelle [name], sciatique?"),
        ("je m’appelle marie et j'ai mal", "je m’appelle [name] et j'ai mal"),
        ("me llamo juan pérez garcía y tengo dolor", "me llamo [name] y tengo dolor"),
        ("hola, soy María", "hola, soy [name]"),
        ("ich heiße Hans Müller und habe Schmerzen", "ich heiße [name] und habe Schmerzen"),
        ("ich heisse hans", "ich heisse [name]"),
        ("see t.me/sarah_connor or telegram.me/pat", "see [link] or [link]"),
        ("born 12/03/1985, is that why", "born [date], is that why"),
        ("date of birth 1985-03-12", "date of birth [date]"),
        ("born on 12 March 1985", "born on [date]"),
        ("I was born in 1985", "I was born in [date]"),
        ("born March 3rd, 1985", "born [date]"),
        ("né le 12 mars 1985", "né le [date]"),
        ("nací el 12 de marzo de 1985", "nací el [date]"),
        ("geboren am 12. März 1985", "geboren am [date]"),
        ("name: John Smith", "name: [name]"),
        ("Full name: jane doe, leg pain", "Full name: [name], leg pain"),
        ("my profile is example.com/johnsmith", "my profile is [link]"),
        ("I live at 12 Baker Street, London NW1 6XE, near you?", "I live at [address], near you?"),
        ("123 Main St, Springfield, IL 62704", "[address]"),
        ("5 rue de la Paix, Paris 75002", "[address]"),
        ("postcode SW1A 1AA", "postcode [postcode]"),
        ("write to john.smith at example dot com", "write to [email]"),
        ("jane (at) mail (dot) org please", "[email] please"),
        ("mail me: john.smith at example.com", "mail me: [email]"),
    ],
)
def test_names_links_and_dates_are_masked(typed: str, kept: str):
    assert mask_personal(typed) == kept


@pytest.mark.parametrize(
    "typed",
    [
        "I'm worried about my back",
        "I'm in pain all day",
        "im 45 and my leg hurts",
        "I'm Not sure it is sciatica",
        "i am pregnant, is massage safe",
        "this is Sciatica right?",
        "call me back please",
        "does it get worse in May or June",
        "may 2 days of rest help",
        "L4-L5 disc and 1/2 an hour of walking",
        "sessions 3-4 times a week",
        "je suis enceinte",
        "ich bin müde",
        "10 minutes up the hill and 2 miles a day",
        "pain at night.Then it eases",
        "the name of the muscle is piriformis",
        "L5 2nd time, at home dot dot dot",
        "I did 3 sessions near Church Road",
    ],
)
def test_ordinary_words_are_not_taken_for_names_or_dates(typed: str):
    assert mask_personal(typed) == typed


def test_mask_personal_details_and_length():
    text = mask_personal(
        "mail me at pat.smith@example.org or call +44 20 7946 0958, see "
        "https://example.org/x?y=1 or @pat_the_patient"
    )
    assert text == "mail me at [email] or call [number], see [link] or [handle]"
    assert len(mask_personal("word " * 500)) == MAX_UNANSWERED_CHARS
    assert mask_personal("  \n ") == ""

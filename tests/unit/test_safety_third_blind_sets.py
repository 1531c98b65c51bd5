"""The safety screen on the classes alarmed or missed on the tuning parts of
``posts_blind3.yml`` (long posts) and ``dialogues_blind3.yml`` (conversations): each class
with an urgent sign beside a look-alike of the same words.

Every sentence here was written for this file, before the rule it tests.
"""

from __future__ import annotations

import pytest
from screening import assert_both_ways

from bot.safety import SafetyScreen


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a leak with laughter in its sentence is the joke's (or the pelvic floor's), not a
        # bladder out of control
        (
            "My physio asked about my bladder and I said I wet myself twice this week without "
            "noticing.",
            "My physio told me an awful joke and I nearly wet myself, we were both laughing "
            "for ages.",
        ),
        (
            "Since Monday I've wet myself twice on the way to the loo.",
            "At the panto with the grandkids I wet myself giggling, the dame was that funny.",
        ),
    ],
)
def test_a_leak_told_with_laughter(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # "bilateral" in a scan report names where the spine narrows, not two legs with signs
        (
            "I've had bilateral leg numbness since the weekend and it's spreading.",
            "The MRI report says bilateral foraminal narrowing at L5/S1, but my pain is only "
            "in the right leg.",
        ),
        (
            "The sciatica went bilateral on Tuesday.",
            "My scan mentions mild bilateral facet arthropathy, which the GP says is wear and "
            "tear.",
        ),
    ],
)
def test_bilateral_in_a_scan_report(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # the other side named as a noun ("the left has started ... as well"): the other leg
        # joining in, unless a pair of things is talked about
        (
            "It was only ever my right leg, but the left has started going numb as well.",
            "The right speaker crackled for weeks and now the left has started buzzing as well.",
        ),
        (
            "My right calf has been numb for a month and now the left started tingling too.",
            "My right earbud died last week and now the left started crackling too.",
        ),
    ],
)
def test_the_other_side_named_as_a_noun(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)

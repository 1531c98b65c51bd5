"""The safety screen on look-alikes of the bladder, bowel and saddle signs (issue 21, ninth
round): classes of reading that gave false alarms on the tuning part of
``blind7_safety.yml``, each with an urgent sign beside a look-alike of the same words.

Every sentence here was written for this file, before the rule it tests.
"""

from __future__ import annotations

import pytest
from screening import assert_both_ways

from bot.safety import Outcome, SafetyScreen


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a numbness over by the next sentence, told at its opening
        (
            "After the coach trip my groin was numb. Nothing has changed since.",
            "After the coach trip my groin was numb. All fine after a cup of tea and a stroll.",
        ),
        (
            "My backside was numb by the end of the film. Still not back to normal.",
            "My backside was numb by the end of the film. The feeling came back within the hour.",
        ),
        (
            "By the end of the match my bottom was numb. It is the same today.",
            "By the end of the match my bottom was numb. It came back after a wander round.",
        ),
        # the rest fine is not the sign fine; a claim of being fine may play it down
        (
            "I can't pee. All fine otherwise.",
            "I couldn't pee after the long coach trip. All fine after a night in my own bed.",
        ),
        (
            "My husband's groin went numb on the drive home today. He says he is fine.",
            "My husband's groin went numb on the drive home today. All fine after a walk.",
        ),
    ],
)
def test_a_sign_over_by_the_next_sentence(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


def test_a_sign_still_going_is_not_over_by_the_next_sentence(screen: SafetyScreen) -> None:
    message = "My bum is still numb. All fine after a walk, the pain I mean."
    assert screen.assess(message).outcome == Outcome.URGENT


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # "it's just the ..." points ahead to what it names, not back to the legs
        (
            "Bladder fine, and my legs? It hurts in both of them.",
            "Bladder fine, nothing numb, my legs work. It's just the ache from hip to knee.",
        ),
        # a side named after a comma says where: the "as well" before it is about
        # something else
        (
            "my right leg is numb and the left side as well",
            "my back is playing up as well, left side",
        ),
        # a new bout in the other leg years after the first was over
        (
            "my right leg went numb last month and now the other leg is numb too",
            "i had the op on my right leg in 2019 and it healed. now, five years on, a bit "
            "of pain in the other leg",
        ),
    ],
)
def test_one_leg_read_as_one(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a bladder infection, named or told by its burning
        (
            "i can't empty my bladder properly since saturday",
            "this water infection stings when i pee and i can't empty my bladder properly, "
            "the gp gave me trimethoprim",
        ),
        # constipation from painkillers
        (
            "i haven't been for a poo in five days and can't feel when i need to go",
            "the tramadol has made me constipated, i haven't been for a poo in five days",
        ),
        # a stomach bug
        (
            "i didn't make it to the toilet twice today and never felt it coming",
            "food poisoning from a takeaway, i didn't make it to the toilet twice today",
        ),
        # a leak when running or jumping after a birth
        (
            "i have started leaking and only notice afterwards",
            "six months postnatal and i still leak a little if i jump about with the kids",
        ),
    ],
)
def test_a_named_cause_of_the_bladder_or_bowel_words(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)

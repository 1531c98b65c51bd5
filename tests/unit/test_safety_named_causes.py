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
        # a stomach bug, and its accidents, which are the toilet's and no fall
        (
            "i didn't make it to the toilet twice today and never felt it coming",
            "food poisoning from a takeaway, i didn't make it to the toilet twice today",
        ),
        (
            "since sunday i have to run to the loo and don't always make it",
            "a gastro bug since sunday, i have to run to the loo and don't always make it",
        ),
        (
            "had an accident at work last week and now my back is agony",
            "had norovirus last week and a couple of accidents, now my back is agony",
        ),
        # a leak when running or jumping after a birth
        (
            "i have started leaking and only notice afterwards",
            "six months postnatal and i still leak a little if i jump about with the kids",
        ),
        (
            "i have started wetting myself a little this week",
            "since the birth i have been wetting myself a little when i cough",
        ),
    ],
)
def test_a_named_cause_of_the_bladder_or_bowel_words(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a catheter after an operation, told by what was done
        (
            "the nurse had to put a catheter in yesterday",
            "had my shoulder replaced on friday and needed a catheter for the first night",
        ),
        # the numbness a spinal anaesthetic is given for, and expected
        (
            "since last night i can't feel anything from the waist down",
            "after the spinal anaesthetic i couldn't feel anything from the waist down for "
            "a few hours, as expected",
        ),
        (
            "since the op yesterday i can't feel my legs",
            "they gave me a spinal block for the op yesterday so i couldn't feel my legs "
            "until teatime",
        ),
    ],
)
def test_what_an_operation_brings(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # numb from cold water, or from a ride on a bike
        (
            "my groin has gone numb since sunday",
            "my groin went numb on the turbo trainer on sunday",
        ),
        (
            "my legs and bum have gone numb since this morning",
            "my legs and bum went numb in the freezing sea this morning",
        ),
    ],
)
def test_numb_from_the_cold_or_a_ride(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("crisis", "look_alike"),
    [
        # someone else who sleeps through is no wish not to wake
        (
            "some nights i just want to go to sleep and never wake up",
            "my daughter wets the bed and never wakes up, the doctor says she'll grow out of it",
        ),
        (
            "i want go to sleep and never wakes up, i am so tired of this pain",
            "he never wakes up when the alarm goes, i have to shake him",
        ),
        (
            "i keep hoping i don't wake up in the morning",
            "my husband snores all night and does not wake up when the baby cries",
        ),
    ],
)
def test_someone_sleeping_through(screen: SafetyScreen, crisis: str, look_alike: str) -> None:
    assert screen.assess(crisis).outcome == Outcome.CRISIS
    assert screen.assess(look_alike).outcome != Outcome.CRISIS

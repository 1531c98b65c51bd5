"""The limb reader (issue 21, round eight): foot drop and leg weakness told only through what
a foot, its toes or a leg would not do, with the look-alikes that use the same words.

Every sentence here was written for this file, before the reader it tests.
"""

from __future__ import annotations

import pytest
from screening import assert_both_ways

from bot.safety import SafetyScreen


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # the limb is the subject of a verb of failing to obey; a child, a car part or a dance
        # partner in that place is not
        (
            "my left foot won't do what i tell it since tuesday, sciatica on that side",
            "my toddler won't do what i tell him since tuesday, and the sciatica is bad",
        ),
        (
            "since friday the toes on my right foot ignore me when i try to pull them up",
            "since friday the kids ignore me when i try to get them up for school",
        ),
        (
            "my right foot doesn't go where i put it any more and i keep tripping, back pain",
            "my feet don't go where the tango teacher wants and i keep treading on my partner",
        ),
        (
            "when i stand on my heels the front of my left foot stays down on the floor",
            "when i take my foot off, the clutch pedal stays down on the floor, garage on friday",
        ),
        # "it" bridged to a limb named before
        (
            "my right foot has been numb for weeks. now it refuses to come up when i walk",
            "my car has been playing up for weeks. now it refuses to start when it's cold",
        ),
    ],
)
def test_a_limb_that_will_not_obey(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # an action the person cannot do with the limb any more, or does by hand instead
        (
            "i can't press the brake with my right foot since monday, it just won't push down",
            "the brake pedal won't push down properly, the garage says the fluid is low",
        ),
        (
            "since yesterday i have to lift my leg into the car with both hands",
            "since yesterday i have to lift my dog into the car with both hands",
        ),
        # a gait told as compensation
        (
            "he lifts his knee up really high to walk since sunday so the foot doesn't catch",
            "my husband is lifting his knees up really high in the marching band since sunday",
        ),
    ],
)
def test_an_action_the_limb_cannot_do(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # the reader keeps the screen's scopes: history, hypothetical, an animal, a foot asleep
        (
            "my left foot stopped listening to me on monday and it's still the same",
            "years ago my left foot stopped listening to me after a disc op, it recovered fully",
        ),
        (
            "my foot stopped obeying me this morning, sciatica for a month",
            "if my foot ever stops obeying me i'll go straight to a&e",
        ),
        (
            "my right leg won't do what it's told and drags behind me",
            "our dog's back leg won't do what it's told and drags behind him",
        ),
        (
            "my foot has not come up properly since sunday and i keep tripping",
            "my foot went to sleep on the loo and didn't come up properly for a minute, then fine",
        ),
    ],
)
def test_the_reader_keeps_the_scopes(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # legs spent by a long walk, or still after a birth's epidural, are not failing legs
        (
            "my legs have been like jelly since sunday and keep giving way under me",
            "after a 15 mile walk on the downs my legs were like jelly, back to normal today",
        ),
        (
            "since this morning my legs won't move properly and i'm scared",
            "after the epidural in labour my legs wouldn't move for a few hours",
        ),
        # a clutch slips and a near miss on the road is no accident of the writer's
        (
            "slipped on the ice on the way to work and fell hard on my back",
            "the clutch keeps slipping and the garage can't look at it until friday",
        ),
        (
            "i had an accident with my bladder on the bus this morning",
            "the pedal stuck and nearly caused an accident on the motorway",
        ),
        # strength tested and found the same on both sides
        (
            "both my feet are numb now, on both sides up to the ankle",
            "the gp said my strength is normal on both sides, so it's only pain",
        ),
        # a toddler learning to walk trips over her feet
        (
            "my foot keeps dragging and i'm tripping over it since friday",
            "our toddler has just started walking and keeps tripping over her own feet",
        ),
        # a leg that tires on a long walk, or a foot kept flat for a stretch, is no failing
        (
            "my right leg is doing less every day, today i can't get it into the car",
            "my leg gives up after ten minutes of walking and i have to sit down for a bit",
        ),
        (
            "my left foot stays down on the floor when i try to stand on my heel",
            "my foot stays flat on the floor when i do the stretch the physio showed me",
        ),
        # a foot asleep from sitting that wakes up again
        (
            "i can't lift my foot properly since monday and it slaps down",
            "my foot went dead on the loo and i couldn't lift it, then it tingled and came back",
        ),
    ],
)
def test_the_look_alikes_of_a_failing_limb(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a limb that will not carry or take the person any more
        (
            "my leg won't take me up the stairs any more, it gets weaker each day",
            "the lift won't take me up to the fifth floor any more, it's broken again",
        ),
        # "won't" read as "can't" after "it": the ankle bridged from before
        (
            "my ankle has no go in it, it won't bend up at all since sunday",
            "my ankle has no go in it after the sprain, it won't bend up until the swelling goes",
        ),
        # a heaviness or weakness that climbs the leg and a limb harder to move by the day
        (
            "the heaviness started in my foot and has crept up to my knee, whole leg is harder "
            "to move each day",
            "the damp started in the corner and has crept up to the ceiling, it's harder to "
            "heat each day",
        ),
        # a foot that cannot be got onto a pedal
        (
            "i can't get my foot onto the pedal of my bike since thursday, it just won't go",
            "i can't get my bike onto the rack of the car since thursday, it just won't go",
        ),
        # tripping over nothing, with no foot named
        (
            "i keep tripping over nothing since my back went last week",
            "i've always been clumsy, i trip over nothing, my mum says i was the same as a kid",
        ),
    ],
)
def test_more_ways_a_leg_fails(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)

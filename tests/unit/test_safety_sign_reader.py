"""The sign reader (round nine): bladder, bowel and saddle signs told only through what the
organ or the person would not do or feel, and both legs told without the word "both", with
the look-alikes that use the same words.

Every sentence here was written for this file, before the reader it tests.
"""

from __future__ import annotations

import pytest
from screening import assert_both_ways, is_urgent

from bot.safety import SafetyScreen


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # the bladder, the bowel or what they pass is the subject of a verb of failing; a bath,
        # a car, a phone or a live stream in that place is not
        (
            "my bladder just won't empty since sunday, i go and go and it still feels full",
            "the bath just won't empty since sunday, the plug hole is blocked again",
        ),
        (
            "my bowels have stopped telling me when they need to go since my back went",
            "my kids have stopped telling me when they need to go out since my back went",
        ),
        (
            "needed a poo on the bus this morning. it just came out and i never felt it",
            "had a splinter in my thumb for days. it just came out and i never felt it",
        ),
        (
            "my wee won't come out even when i'm bursting, and my back has been agony all week",
            "the cork won't come out even when i twist it hard, and my back has been agony "
            "all week",
        ),
        (
            "my stream gives up halfway and i still feel full, since the disc went",
            "the live stream gives up halfway through every match since the new router",
        ),
        (
            "my bladder doesn't seem to know when it's full any more, this week only",
            "my toddler doesn't seem to know when he's full any more, he eats and eats",
        ),
        (
            "my bladder has a life of its own since the weekend, it lets go with no warning",
            "my phone has a life of its own since the update, it shuts down with no warning",
        ),
        (
            "the wee dribbles out on its own now, i don't even feel it going",
            "the kitchen tap dribbles on its own now, the plumber is coming on thursday",
        ),
        (
            "my pee takes forever to get going and then just stops, started with this back pain",
            "my car takes forever to get going in the mornings and then just stops, started "
            "with the cold",
        ),
        (
            "the poo just slides out without me knowing, it has happened twice this week",
            "the cake just slides out of the tin without me greasing it, twice this week",
        ),
    ],
)
def test_the_organ_that_fails(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # the person cannot do or feel the function; the same verbs of a door, a run, a shop
        (
            "been sat on the toilet for twenty minutes. i just can't go, and i really need to",
            "been sat in the car for twenty minutes. i just can't go in, the dentist terrifies me",
        ),
        (
            "i know i need a wee but i couldn't start, stood there for ages",
            "i know i need a run but i couldn't start, stood at the front door for ages",
        ),
        (
            "i had to push on my tummy at the toilet to get anything to come out",
            "i had to push on the door at the office to get it to come open",
        ),
        (
            "i didn't know i'd gone until i stood up and saw the wet chair",
            "i didn't know she'd gone until i stood up and saw her empty chair",
        ),
        (
            "i honestly can't tell any more whether i need a wee or not",
            "i honestly can't tell any more whether i need a haircut or not",
        ),
        (
            "i went to the loo and had no idea if anything had come out",
            "i went to the cash machine and had no idea if anything had come out",
        ),
        (
            "since saturday i can't feel myself wee, i only hear it",
            "since saturday i can't hear myself think, the builders next door are drilling",
        ),
        (
            "i sit on the loo and nothing, it's like i've forgotten how to go",
            "i sit at the piano and nothing, it's like i've forgotten how to play",
        ),
        (
            "he keeps going to the toilet and can't do anything, since his back went on monday",
            "he keeps going to the gym and can't do anything, since his back went on monday",
        ),
        (
            "i don't feel when i'm weeing, i only know from the sound",
            "i don't feel when i'm speeding, i only know from the sound of the engine",
        ),
    ],
)
def test_the_person_who_cannot_go_or_feel_it(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # the reader keeps the screen's scopes: denial, history, someone else's past,
        # a hypothetical
        (
            "my bladder won't empty properly since the weekend and the sciatica is worse",
            "no problems with my bladder, it empties fine, it's only the leg pain",
        ),
        (
            "my bowels let me down on the bus yesterday, no warning at all",
            "my bowels let me down once after my op in 2015, no problems since",
        ),
        (
            "mum's bladder has stopped telling her when it's full since her fall on sunday",
            "my nan's bladder stopped telling her when it was full in her nineties, she had "
            "dementia for years",
        ),
        (
            "i can't go even though i'm desperate and nothing comes out",
            "what if one day i can't go even though i'm desperate and nothing comes out?",
        ),
        (
            "my pee won't come even when i'm bursting, since yesterday",
            "the leaflet says if your pee won't come even when you're bursting, go to a&e",
        ),
        (
            "our neighbour's dog can't hold its wee any more, poor thing. and i can't feel "
            "when i need to go since friday",
            "our neighbour's dog can't hold its wee any more and can't feel when he needs to "
            "go, poor thing",
        ),
    ],
)
def test_the_reader_keeps_the_scopes(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a water infection, a prostate of long standing, a leak in pregnancy or after the
        # children, constipation
        (
            "i keep trying but only a little comes out and my bladder still feels full, back "
            "gone since friday",
            "it burns when i wee and only a little comes out each time, the gp says it's a "
            "water infection and gave me antibiotics",
        ),
        (
            "my flow has got weaker and weaker this week since the back went",
            "my flow has been weak for years, the urologist says it's my prostate",
        ),
        (
            "i leak a bit whenever i stand up now and i don't feel it happen",
            "at 34 weeks pregnant i leak a bit when i sneeze, the midwife says it's normal",
        ),
        (
            "since tuesday i keep finding my knickers wet and never felt it happen",
            "i've leaked a little when i cough or jump for years, ever since the kids",
        ),
        (
            "haven't been able to go for a poo in four days and i can't feel whether i need to",
            "i'm all bunged up, haven't been able to go for a poo in four days, the pharmacist "
            "says it's common",
        ),
        (
            "i wet myself on the way to the kitchen today and didn't feel it coming",
            "after giving birth i wet myself a few times, the physio gave me pelvic floor "
            "exercises",
        ),
    ],
)
def test_the_look_alikes_of_a_failing_bladder(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    "urgent",
    [
        "i've been on codeine for my back all week and since last night i can't pee",
        "on tramadol for the sciatica and my bladder just won't empty since yesterday",
    ],
)
def test_a_painkiller_explains_no_bladder_sign(screen: SafetyScreen, urgent: str) -> None:
    # people with cauda equina take painkillers too: one named beside a sign spares nothing
    assert is_urgent(screen, urgent), screen.assess(urgent)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a numb or dead feeling placed in the saddle region in everyday words; not a bum
        # numb from a long drive or ride that passed
        (
            "my bum and the inside of my thighs feel like they're not there",
            "my bum and legs felt like they weren't there after the six hour drive, fine once "
            "i walked about",
        ),
        (
            "i can't feel the seat under me when i sit on the loo",
            "i couldn't feel the seat under me after four hours on the bike, it came back "
            "after a bit",
        ),
        (
            "the area i sit on feels completely dead since yesterday",
            "my bum felt completely dead after the long drive to cornwall, back to normal "
            "after a walk",
        ),
        (
            "when i wash down below i can't feel the flannel",
            "when i wash the car in winter i can't feel my fingers, it's that cold",
        ),
        (
            "no feeling in my undercarriage at all today",
            "no feeling in my fingers at all today after the ice bath",
        ),
        (
            "it's like i'm sitting on a pillow all the time, even on a hard kitchen chair",
            "it's like i'm sitting on a cloud, the new sofa is amazing",
        ),
        (
            "my bum and the tops of my inner legs have gone numb",
            "my bum went numb after the five hour coach trip, fine once i stood up",
        ),
        (
            "i can't feel the toilet paper when i wipe since this morning",
            "i can't find the toilet paper anywhere since the kids came to stay",
        ),
        (
            "everything between my legs feels like it's made of rubber",
            "everything in the fridge feels like it's made of rubber, that freezer is broken",
        ),
        (
            "my private parts feel numb and cold, like after the dentist",
            "my fingers feel numb and cold, like after the dentist's injection",
        ),
    ],
)
def test_the_saddle_told_in_everyday_words(
    screen: SafetyScreen, urgent: str, look_alike: str
) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # both legs without the word "both"
        (
            "each leg is getting weaker by the day",
            "each leg of the kitchen table is a different length",
        ),
        (
            "the pain now runs down the back of each leg and both feel weak",
            "the sciatic nerve is the one that runs down the back of each leg, my gp explained",
        ),
        (
            "the weakness started in my left leg and now the right one is going too",
            "the rot started in the left fence post and now the right one is going too",
        ),
        (
            "i've had no feeling from my waist down since i woke up",
            "the dress is fitted from the waist down and flares out",
        ),
        (
            "the numbness is in my left leg, and now my right leg has gone the same way",
            "the paint on my left door has peeled, and now my right door has gone the same way",
        ),
    ],
)
def test_both_legs_without_both(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a second set, written once the reader stood, to see whether it reached wordings it
        # was not built on (at first 11 of 20 signs, 4 look-alikes alarmed): the function's
        # verbs denied ("won't let go", "couldn't push", "couldn't get going"), the other leg
        # "just as weak"; legs asleep after kneeling, an injection at the dentist, a groin
        # pulled at football
        (
            "my bladder feels like it's stopped talking to me, i only go when i remember",
            "my sister feels like she's stopped talking to me, i only see her when i remember",
        ),
        (
            "on the toilet for half an hour last night and i still couldn't get going",
            "in the garage for half an hour last night and i still couldn't get the mower going",
        ),
        (
            "my bowels went without any warning in the supermarket today",
            "my wallet went without any warning in the supermarket today, pickpocket i think",
        ),
        (
            "sat there on the loo and i couldn't feel whether anything was happening",
            "sat there at the meeting and i couldn't tell whether anything was happening",
        ),
        (
            "the pee just stops halfway and won't start again, since my back went friday",
            "the washing machine just stops halfway and won't start again since friday",
        ),
        (
            "my wee comes out in a dribble and i have to lean forward to get it all out",
            "the ketchup comes out in a dribble and i have to shake the bottle to get it all out",
        ),
        (
            "i needed a poo but when i got there i just couldn't push",
            "i needed a push start but when i got there the car just wouldn't go",
        ),
        (
            "my bladder won't let go even when i'm desperate",
            "my dog won't let go of the ball even when i'm desperate to leave",
        ),
        (
            "there's a numb patch right where i sit, round my back passage, since tuesday",
            "there's a damp patch right where i sit on the sofa, since the dog got on it",
        ),
        (
            "i can't feel it when i wipe myself, like it's someone else's skin",
            "i can't feel it when i type, my fingers are so cold in this office",
        ),
        (
            "down below has gone all numb and tingly since i lifted that box",
            "the tv has gone all fuzzy since i lifted that box off it",
        ),
        (
            "my saddle area feels like it's been injected at the dentist",
            "my jaw feels like it's been injected at the dentist, it's still numb from the filling",
        ),
        (
            "my private area has no feeling at all when i touch it",
            "my phone screen has no feeling at all when i touch it, it's broken",
        ),
        (
            "now both sides of my groin and my bottom have gone numb",
            "both sides of my groin ache after the football match, pulled something i think",
        ),
        (
            "started in my right leg, this week the left one is just as weak",
            "started in my right knee, this week the left one is just as stiff after the run",
        ),
        (
            "my legs are both going numb from the knees down since this morning",
            "my legs went numb from the knees down kneeling in the garden, fine when i stood up",
        ),
        (
            "my left leg gave up yesterday and today it's the right one as well",
            "my left earbud gave up yesterday and today it's the right one as well",
        ),
    ],
)
def test_a_second_set_of_wordings(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a third set, written after the second was read (at first 10 of 16 signs, 1
        # look-alike alarmed): a hand pressed on the belly to pass urine, slow to get started,
        # numb from another landmark of the trunk down, the other leg that "joined it"; the
        # loo roll run out
        (
            "my bladder has just stopped working properly, i stand there and wait and wait",
            "my printer has just stopped working properly, i stand there and wait and wait",
        ),
        (
            "i went for a wee and had to press on my belly to make it come",
            "i went for a walk and had to press on my belly to ease the stitch",
        ),
        (
            "been on the toilet three times this morning and couldn't manage anything",
            "been to the shops three times this morning and couldn't find anything for tea",
        ),
        (
            "my bowels just emptied themselves in bed and i didn't wake",
            "the clouds just emptied themselves on us at the beach and we got soaked",
        ),
        (
            "my waterworks are taking ages to get started and then i'm not sure i've finished",
            "the builders are taking ages to get started and then i'm not sure they've finished",
        ),
        (
            "the poo comes without me feeling it coming",
            "the post comes without me hearing it coming",
        ),
        (
            "i can't tell when i'm full any more, i just realise i've wet myself",
            "i can't tell when i'm full any more, i just realise i've eaten the whole packet",
        ),
        (
            "my wee has gone really slow and i keep stopping and starting since the weekend",
            "my laptop has gone really slow and keeps stopping and starting since the update",
        ),
        (
            "i can't feel the loo seat or the paper when i wipe, started yesterday",
            "i can't find the loo roll or the paper towels, the shop had run out yesterday",
        ),
        (
            "the skin between my legs feels like rubber since monday",
            "the skin on my heels feels like rubber since i got new shoes",
        ),
        (
            "my backside and privates feel numb, like sitting on a bag of frozen peas",
            "my knee feels numb from the bag of frozen peas i put on it after the run",
        ),
        (
            "my right leg was weak last week and now the left has joined it",
            "my right hand was weak last week after the sprain and now it's fine",
        ),
        (
            "i'm numb from the belly button down since this morning",
            "i'm stuffed from the christmas dinner, numb from eating too much",
        ),
        (
            "neither of my legs will hold me up since lunch",
            "neither of my kids will hold my hand since they started school",
        ),
    ],
)
def test_a_third_set_of_wordings(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a fourth set, written for a writer the reader missed: someone else's accident on a
        # trip home told in the past, a hand pressed on the belly to get anything out, trying
        # to wee for hours with nothing, not knowing one has gone until one looks, the writer
        # who calls themself a man or a woman, water or a towel on the bottom not felt
        (
            "my wife wet herself on the way home from the shops and didn't notice till she "
            "stood up",
            "my wife wet herself on the way home from school once as a kid, we still laugh "
            "about it",
        ),
        (
            "my son soiled himself on the drive back from the physio and never felt it",
            "my son soiled himself on the drive back from nursery when he was three, years ago",
        ),
        (
            "my dad wet himself on the walk home and only knew when he saw his trousers",
            "my dad got soaked on the walk home and only knew when he saw his trousers",
        ),
        (
            "i have to push down on my lower belly with both hands to get anything out",
            "i have to push down on my lower belly to get the trapped wind out after dinner",
        ),
        (
            "unless i press hard on my tummy nothing comes out, and what does is a trickle",
            "unless i press hard on the tube nothing comes out, the toothpaste is nearly done",
        ),
        (
            "he has to press on his bladder to get a few drops out since his back went",
            "he has to press on the bottle to get a few drops out, the ketchup's nearly gone",
        ),
        (
            "been trying to pee for two hours now and nothing will come",
            "been trying to get the toddler to pee on the potty for two hours now and nothing",
        ),
        (
            "tried to wee three times since lunch, not a drop",
            "tried to get the wee one to sleep three times since lunch, not a chance",
        ),
        (
            "trying to go to the loo since six this morning. nothing.",
            "trying to go to the gym since six this morning. no chance with the kids.",
        ),
        (
            "sometimes i can't tell whether i've peed until i look in the bowl",
            "sometimes i can't tell whether i've locked the car until i look at the lights",
        ),
        (
            "i wasn't sure i'd gone at all until i looked down at the pan",
            "i wasn't sure she'd gone at all until i looked out at the drive",
        ),
        (
            "he has no idea whether he's weed until he checks his trousers",
            "he has no idea whether he's won until he checks his ticket",
        ),
        (
            "i'm a bloke in my fifties and my wee only comes in dribbles since monday",
            "a bloke at work told me his wee only came in dribbles after his op years ago",
        ),
        (
            "(i'm a woman, 42) i keep leaking wee without feeling it since tuesday",
            "my friend (a woman of 42) kept leaking wee after her third baby, years back",
        ),
        (
            "i am a man of seventy and i can't empty my bladder since yesterday",
            "i met a man of seventy who couldn't empty his bladder after his op years ago",
        ),
        (
            "i'm a woman of sixty and it only comes out in dribbles, stopping and starting",
            "a woman of sixty in my choir said it only came out in dribbles after her op in 2015",
        ),
        (
            "i'm a man, 45, and it just dribbles out, no proper stream at all",
            "a man, 45, in the waiting room said it just dribbled out after his op last year",
        ),
        (
            "when i shower i can't feel the water on my bum at all since the disc went",
            "when i shower i can't feel the water pressure at all since the pump went",
        ),
        (
            "the towel on my backside feels like nothing when i dry off, since the disc went",
            "the towel on my backside feels like sandpaper when i dry off, new washing powder",
        ),
        (
            "i can't feel the flannel on my bottom when i wash, it's like it isn't there",
            "i can't find the flannel for my bottom when i wash, the kids have hidden it again",
        ),
    ],
)
def test_a_fourth_set_of_wordings(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert_both_ways(screen, urgent, look_alike)

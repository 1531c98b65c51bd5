"""The safety screen: red flags found in every wording, and read in their context."""

from __future__ import annotations

import importlib
import random
from typing import Any

import pytest

from bot.safety import _REWRITE_WORDS, _REWRITES, Outcome, SafetyScreen, screen_term


def _outcome(screen: SafetyScreen, message: str) -> Outcome | None:
    return screen.assess(message).outcome


@pytest.mark.parametrize(
    "message",
    [
        "i have sciatica and now i cant hold my pee",
        "i keep wetting myself since my back went",
        "pooped my pants and didnt even notice, sciatica is bad",
        "numb down there when i wipe",
        "cant feel my privates",
        "sciatica in both legs",
        "both my legs are going weak",
        "my foot slaps the floor when i walk",
        "fell off a ladder and now my back is killing me",
        "back pain and a feaver",
        "had cancer 3 years ago and now bad back pain",
        "losing weight without trying and my back hurts",
        "i cant get an erection since the back pain started",
        "my bladder wont empty properly",
        "cauda equina??",
        "numb down below",
        "i have no feeling in my bits",
        "i keep leaking",
        "i couldnt go to the toilet all day",
        "I don't have any feeling down there",
        "is it normal that i cant feel when i wipe?",
        "pain and numbness down both legs and both feet",
        "temperature and chills for 3 days and my back is agony",
        "my bottom and the inside of my thighs have gone numb",
    ],
)
def test_red_flags_in_everyday_words_are_urgent(screen: SafetyScreen, message: str) -> None:
    assert _outcome(screen, message) == Outcome.URGENT, screen.assess(message)


@pytest.mark.parametrize(
    "message",
    [
        "my back hurts",
        "back pain",
        "i hurt my back",
        "pain down the back of my leg",
        "numbness and tingling in my left foot",
        "worst pain ever, cant sit for more than 10 minutes",
        "my leg fell asleep while sitting",
        "how do i lose weight fast",
        "should i use the cold gel stuff on my bum or deep heat",
        "i have mild osteoarthritis in both hips and sciatica on the right",
        "i've got a cold and a bit of a temperature, should i still come in for my massage",
        "I need a plumber for a leaking tap",
        "our roof is leaking again, typical",
    ],
)
def test_everyday_pain_is_not_screened(screen: SafetyScreen, message: str) -> None:
    assert _outcome(screen, message) is None, screen.assess(message)


@pytest.mark.parametrize(
    ("message", "outcome"),
    [
        ("no numbness down there, just my leg", Outcome.DENIED),
        # "and it's" starts a new clause: what it says next is neither denied nor affirmed
        # by the denial before it
        ("no numbness down there and it's only my leg that hurts", Outcome.DENIED),
        ("no trouble peeing and it's not numb down there", Outcome.DENIED),
        ("the scan showed nothing serious, no tumour", Outcome.DENIED),
        ("bladder and bowels are fine, no problems peeing", Outcome.DENIED),
        ("can sciatica make you lose bladder control?", Outcome.ASKING),
        ("is foot drop serious?", Outcome.ASKING),
        ("what if i lose control of my bladder", Outcome.ASKING),
        ("my aunt had cancer", Outcome.OTHER_HISTORY),
        ("my grandad had cauda equina surgery years ago", Outcome.OTHER_HISTORY),
        ("my husband says he can't feel his legs", Outcome.URGENT),
        ("i fell off my bike as a kid and hurt my back, fully recovered", Outcome.PAST),
        ("back in 2015 i was in a car crash and hurt my back", Outcome.PAST),
        ("no numbness down there but i can't pee properly since yesterday", Outcome.URGENT),
        ("i can't do this anymore, thinking of taking all my tramadol at once", Outcome.CRISIS),
        ("honestly i don't want to wake up tomorrow", Outcome.CRISIS),
        # an overdose misspelt is still one; "overdo it" is not
        ("i took an overdos of my pills last night", Outcome.CRISIS),
    ],
)
def test_context_decides_the_outcome(screen: SafetyScreen, message: str, outcome: Outcome) -> None:
    assert _outcome(screen, message) == outcome, screen.assess(message)


def test_the_whole_message_is_screened(screen: SafetyScreen) -> None:
    story = "My sciatica started after gardening and it has been a long few weeks. " * 30
    story += "Since yesterday evening I have not been able to pee properly."
    assert len(story) > 2000
    assert _outcome(screen, story) == Outcome.URGENT


@pytest.mark.parametrize("hidden", ["\u00ad", "\u200b", "\u200d", "\u2060", "\u200e"])
def test_invisible_characters_do_not_hide_a_red_flag(screen: SafetyScreen, hidden: str) -> None:
    assert _outcome(screen, f"i cant control my blad{hidden}der") == Outcome.URGENT


def test_an_assessment_names_its_rule_and_trigger(screen: SafetyScreen) -> None:
    denied = screen.assess("no numbness down there, just my leg")
    assert denied.rule == "numbness around the genitals or anus (saddle)"
    assert denied.deciding is not None and denied.deciding.trigger == "no"
    assert screen.assess("what is sciatica").findings == ()


def test_screen_terms_split_into_the_words_they_normalise_to() -> None:
    assert screen_term("wont come") == ("will", "not", "come")
    assert screen_term("=legs") == ("=legs",)


@pytest.mark.parametrize(
    "message",
    [
        "cant feel my bum when i wipe since last night. honestly i just want to end my life",
        "i cant feel down there when i wipe and honestly i want to kill myself",
        "both my legs went weak today (can hardly stand) and i've been thinking about suicide",
    ],
)
def test_thoughts_of_suicide_after_an_urgent_sign_still_come_first(
    screen: SafetyScreen, message: str
) -> None:
    """Past an urgent mention the screen looks for crisis alone, and still finds it, in the
    same sentence or a later one."""
    assessment = screen.assess(message)
    assert assessment.outcome == Outcome.CRISIS, assessment
    assert any(f.outcome == Outcome.URGENT for f in assessment.findings), assessment


def test_the_first_urgent_mention_decides(screen: SafetyScreen) -> None:
    """Once a mention is urgent the rest is not read for other signs, so the deciding finding
    is the first urgent one."""
    message = "I can't pee properly since yesterday. Also both legs are numb. And I lost 10kg."
    assessment = screen.assess(message)
    assert assessment.outcome == Outcome.URGENT
    assert [f.outcome for f in assessment.findings] == [Outcome.URGENT]
    assert assessment.deciding is not None and "pee" in " ".join(assessment.deciding.words)


@pytest.mark.parametrize(
    "message",
    [
        # a foot that drags, flops or won't lift
        "since yesterday my right foot drags when i walk and catches on every kerb",
        "my left foot just flops down when i try to take a step",
        "my foot won't lift properly anymore, i keep tripping over it",
        # control lost in a leg, spreading
        "it started with my calf and now i am losing control of my whole leg",
        "the loss of control is spreading up my leg from my ankle",
        # both feet without "both"
        "now it is in my feet, the two of them are numb",
        # someone who could not pass urine, or has not for hours
        "my dad couldn't pass urine all afternoon and his back is killing him",
        "my husband hasn't peed for hours and he has awful sciatica",
        "I couldn't pass water and my leg was numb",
        # can't move after a fall
        "i couldnt feel my legs after i landed on my back",
        "i slipped on the ice this morning and now i cant move",
        # a fever in any wording
        "running a slight temperature and the back pain is unbearable",
        "been waking up drenched in sweat every night and my back is worse",
        # "without warning" before a sign does not deny it
        "without warning i wet myself this morning, back pain is terrible",
    ],
)
def test_urgent_signs_told_as_a_story_are_urgent(screen: SafetyScreen, message: str) -> None:
    assert _outcome(screen, message) == Outcome.URGENT, screen.assess(message)


@pytest.mark.parametrize(
    "message",
    [
        # "chill" is relaxing, not the chills; car seats are not sweats, nor both legs
        "i just want to chill on the sofa all weekend, my sciatica is bad",
        "fitting both car seats in the back makes my back hurt",
        # a worried hypothetical after reading online
        "i read online that it could be cancer and now i am worried, can massage help sciatica",
        "after reading online i worry it might be a tumour, is that likely",
        # as much painkiller as allowed is no overdose
        "i take as much painkiller as i am allowed and it still hurts",
        # too much pressure in a massage is no overdose either
        "is that normal after a massage or did she overdo it",
        "the therapist may have overdone it on my glutes",
        # a fall that nearly happened
        "she dug her elbow in so hard i nearly came off the table",
        "i almost fell off the ladder yesterday and now my back is sore",
        # everyday words that are not typos of a sign: leaning is not leaking, shaking a numb
        # hand is not soaked sheets, keeping up a habit is not an erection
        "my arm goes tingly when ive been leaning on the desk",
        "i wake up at night shaking my hand to get the feeling back",
        "the massage helps so im thinking of keeping it up",
        "i was passing the clinic and wondered about prices",
        # the neck or face after an injection
        "since the steroid injection my face is flushed and my neck aches",
        # walking down the stairs is no fall; a second time is no second leg
        "i was walking down the stairs when the pain in my buttock started",
        "the second time my leg pain came back it was worse",
        # "as well" about the hip, both sides of the back
        "it is in my left buttock and around my hip as well",
        "my back pain spreads to both sides of my lower back and down my leg",
    ],
)
def test_red_flag_words_in_another_sense_are_no_alarm(screen: SafetyScreen, message: str) -> None:
    assert _outcome(screen, message) not in (Outcome.URGENT, Outcome.CRISIS), screen.assess(message)


@pytest.mark.parametrize(
    "message",
    [
        "i can't stand on my toes on the bad side anymore and it is getting weaker",
        "my dad hasn't had a wee since yesterday and his belly is swollen",
    ],
)
def test_more_urgent_signs_in_everyday_words(screen: SafetyScreen, message: str) -> None:
    assert _outcome(screen, message) == Outcome.URGENT, screen.assess(message)


@pytest.mark.parametrize(
    "message",
    [
        "i cant stand on my feet all day at work anymore with this sciatica",
        "i haven't had a wee problem, just the leg pain",
    ],
)
def test_standing_all_day_and_a_wee_problem_are_no_alarm(
    screen: SafetyScreen, message: str
) -> None:
    assert _outcome(screen, message) not in (Outcome.URGENT, Outcome.CRISIS), screen.assess(message)


@pytest.mark.parametrize(
    "message",
    [
        # having to push to pass urine
        "i have to push to pee and even then it's slow",
        "my husband keeps having to force his wee out since his back went",
        # feeling "barely" there is feeling lost
        "i can barely feel it when i wipe",
        "sitting on the toilet i hardly feel the seat under my bottom",
        # a saddle that feels like something else
        "down there it feels like i am sitting on a cushion all the time",
        # the other leg, told as "the right one" or "doing it too"
        "the left was bad enough and now it has spread into my right one too",
        "my right leg is now doing it too, it was only the left before",
        # a foot that will not move when tried
        "when i try to lift my foot nothing happens, the toes just hang",
        # fever in any wording: night sweats, burning up, a reading, hot and cold spells
        "i keep sweating buckets at night and my lower back is agony",
        "woke up with the sheets soaked in sweat again, back is killing me",
        "i'm burning up and my back is worse than ever",
        "my temp is 38.6 and my spine really hurts",
        "going hot and cold all evening and the back pain is getting worse",
        # someone else's sign, ongoing since a day of the week
        "my wife's been dragging her right foot since thursday",
        # a fall in any wording
        "my mum can't get up after falling in the garden, her back hurts",
        "my gran slipped in the kitchen and can't move",
        "a van hit me on my bike yesterday and my back is sore",
        # a foot that flaps or hangs, a high step so the toes clear the floor
        "my foot flaps down on the floor when i walk now",
        "my foot hangs down and i cant pull it up",
        "i have to lift my knee really high so my toes dont catch",
        # weakness told by what it stops, or a muscle that wastes
        "my leg has got so weak i cant climb the stairs",
        "my calf muscle has wasted away since this started",
        # not noticing an accident is the sign, not a denial of it
        "i didnt realise i had soiled myself until i got home",
        "i didn't feel the urge at all and then it just came out",
        # appetite gone and weight falling
        "i'm off my food and losing weight and my back hurts",
        # narrative ways of losing strength or control
        "over the next few days i lost the ability to walk on my heels",
        "i was slowly losing the strength in my right leg",
        "by the evening i couldn't control my leg at all",
        "it got to the point where i couldn't stand up without my legs giving out",
        # someone else's sign now, the "is" lost with the apostrophe
        "my husband's legs went numb on the way home and he's struggling to walk",
        # weakness or numbness reaching further, a leg with no feeling at all
        "the numbness went from my foot up into my calf and now my knee feels weak too",
        "suddenly i couldn't feel my left leg at all",
        "it's in my left leg and my right leg now",
        "my legs won't do what i tell them",
        # a seat that cannot be felt, an urge with nothing coming, less pee than usual
        "i can't feel the seat when i sit down",
        "i keep needing to go but nothing happens",
        "i'm peeing much less than usual and it takes ages to start",
        # weakness shown by what the foot cannot do, or that came on gradually
        "i can't push off with my left foot when i walk",
        "i can't do a calf raise on my left side anymore",
        "the weakness in my leg came on gradually over the last two weeks",
        "i couldn't walk more than a few steps without my leg collapsing",
        # sensation lost, a whole leg numb
        "i lost all sensation in my left foot",
        "my whole leg is numb from the hip down",
        # retention in other words: retaining, a catheter, a bladder that never empties
        "i've been retaining urine since tuesday",
        "i had to get catheterized at the er last night because i couldn't go",
        "i feel like my bladder never empties",
        "i go to pee and only a little comes out",
        # the bottom and the backs of both thighs
        "my butt and the backs of my thighs are numb",
        # someone else's sign after a colon, or told with a lost "has"
        "writing for my dad, who doesn't go online: his leg has gone weak and he keeps falling",
        "my partner's been peeing himself at night, he's 45 and has had sciatica for a month",
        # the bladder, the bowels and the genitals in everyday words
        "i have no idea when i need a wee anymore",
        "it's like my bladder has switched off",
        "i've lost all sensation when i go to the toilet",
        "my balls feel numb since my back went",
        "i couldn't get hard last night and my back has been bad",
        # a hedge about one's own sign neither asks nor denies
        "i could be wrong but i think i've been leaking a bit",
        "could it be nothing that i cant feel my bum on the toilet seat?",
        # a denial ends where a new subject starts
        "no bladder issues and my foot drags when i walk",
        "no fever and my legs are both numb",
        "no pain today and it's numb down there",
        "nothing comes out and it's numb down there",
        "no tingling at all and it is numb round my back passage",
        "nothing helps and there's no feeling when i wipe",
        # "and now" goes on with the same person's story
        "my mum had a fall last month and now she can't get out of bed",
        # feverish in other words, an infection of the water
        "i'm all clammy and shaky and my back is killing me",
        "i've got the shakes and my back is killing me",
        "my back is hot to the touch and red",
        "i had a uti last week and now my back is killing me",
        # "like i'm sitting on nothing" describes the numbness, it denies nothing
        "the toilet seat feels like i'm sitting on nothing, dead round my bottom",
        # "I needed to pee but I couldn't": the "but" does not part the urge from the failure
        "i needed to pee but i couldn't",
        "i had to go to the bathroom but couldn't",
        # "... but it takes ages to start": the "but" goes on telling the same sign
        "i can pee but it takes ages to start",
        "peeing but it takes forever to start since yesterday",
        "i can wee but it's slow to start now",
        # a cancer history in other words
        "they found a lesion on my spine and my back aches at night",
        "i finished radiation last year and now i have back pain",
        "i had a lumpectomy two years ago and my back hurts now",
        # a person the writer acted on is not the one who has the sign
        "i tripped over my son's bike and fell on my back",
        "i was carrying my daughter and slipped on the stairs",
        "i tripped over the dog and went down hard on my back",
        # a workout does not excuse legs that are numb and weakening
        "my legs are numb after the gym and getting weaker",
        "in march i got sciatica and now both legs are numb",
    ],
)
def test_urgent_signs_in_narrative_wording(screen: SafetyScreen, message: str) -> None:
    assert _outcome(screen, message) == Outcome.URGENT, screen.assess(message)


@pytest.mark.parametrize(
    "message",
    [
        # pushing a pram is not pushing to pass urine
        "pushing my wee boy's buggy up the hill sets my sciatica off",
        # hot and cold packs, the weather and hot flushes are no fever
        "should i use hot and cold packs on my back",
        "night sweats from the menopause and now sciatica too",
        "it was 39 degrees outside on holiday and my back still hurt",
        "the burning up my leg is the worst part",
        # legs that tire after walking a while and recover with rest
        "my legs go weak and numb after ten minutes of walking and come back when i sit",
        # pain that changed sides from time to time is not both legs at once
        "over the years it has alternated sides, this time it's the left",
        # falls, crashes and temperatures in another sense
        "i knocked over a glass of water and bent to clean it up and my back went",
        "i crashed on the sofa and woke up with leg pain",
        "i fell behind at work because of the pain",
        "my leg pain fell off a cliff after the massage, way better",
        "i have a temperature sensitivity in my foot",
        # a child's or a dog's accident is not the writer's
        "my wee one wet the bed so i was up all night",
        "the dog wet the bed so i was up all night washing sheets",
        # not noticing a numbness is still no numbness
        "i didn't notice any numbness down there",
        # a stop for the loo on a drive, a bottom numb after hours of sitting
        "i stop for a wee break every hour on long drives",
        "my bum goes numb on long flights",
        # legs that ache after a walk, feet dragged over a decision
        "my legs ache after a long walk",
        "i'm dragging my feet about booking",
        # cancer as a job, a charity, a pet's illness or a scare
        "i work in cancer research and sit all day",
        "my dog has cancer and i'm stressed",
        "i had a cancer scare but it was nothing",
        # leaks after childbirth that were treated; a joke
        "after my c-section i had some bladder leaks but pelvic floor physio fixed that",
        "the pain was so bad i nearly wet myself laughing when it stopped lol",
        # numbness from sitting too long, less pee from drinking less
        "my foot goes numb and it spreads up into my calf when i sit too long",
        "i drink less than usual so i pee less",
        "i can't feel my foot when it's cold",
        # "funny" and "getting hard" in other senses
        "my bladder is funny about coffee, always has been",
        "it's getting hard to kneel and get back up",
        # legs numb from sitting on the loo, jelly after leg day, one inner thigh, both
        # sides of the bottom
        "i sat on the loo for ages and my legs went numb lol",
        "my legs are like jelly after leg day at the gym",
        "i have a tingle in my inner thigh after cycling",
        "the pain shoots down both sides of my bum when i sit",
        # hot and sweaty at the gym, shaky from coffee
        "i get hot and sweaty at the gym and my back aches after",
        "coffee gives me the shakes",
        "coming off tramadol gives me the shakes and my back is sore",
        "i get clammy when the pain spikes",
        # look-alikes of the new readings: pain in the whole leg with a numb patch, feet apart
        # for a stretch, an exercise that pushes, toes numb in the cold, a lifelong trait
        "i have pain in my whole leg and it's numb at the outer calf",
        "i stand with my left foot and right foot apart for the stretch",
        "the pushing exercise hurt my bladder area a bit",
        "i lost feeling in my toes when it was freezing outside",
        "my knees give way when i'm tired after a long hike, always have",
        # pain with no warning, a painful try at moving a foot, comfort on the toilet, a duvet
        "the pain came out of nowhere with no warning",
        "when i try to move my foot it hurts so i cannot walk far",
        "i cannot feel comfortable on the toilet with this back",
        "i sweat at night because the duvet is too thick, and my back hurts",
        # no toilet to be found, too stiff to get up
        "i needed a wee but i couldn't find a toilet",
        "i wanted to go to the loo but couldn't get up because of my back",
        # pain that radiates is no radiotherapy
        "the radiation of the pain into my foot is the worst part",
        # a limp after a long run; miles without the legs giving way
        "i was dragging my left leg to the finish line after a long run",
        "i can walk for miles without my legs giving way",
        "my leg feels a bit weak over the past few days after the gym",
        # a catheter after an operation, water retained in the heat, a bladder never any trouble
        "after my knee op i had a catheter for a day",
        "i'm retaining water with the heat",
        "my bladder never gives me trouble",
        # a tumour read about online
        "i've been reading horror stories online about spinal tumours and now i'm scared",
        # a fever that is over
        "i had a fever in january but that went away",
    ],
)
def test_look_alikes_of_narrative_signs_are_no_alarm(screen: SafetyScreen, message: str) -> None:
    assert _outcome(screen, message) not in (Outcome.URGENT, Outcome.CRISIS), screen.assess(message)


@pytest.mark.parametrize(
    ("message", "outcome"),
    [
        # a question about a sign, then the writer saying they have it
        (
            "is it normal for sciatica to make you lose bladder control? because that's "
            "happening to me",
            Outcome.URGENT,
        ),
        (
            "can sciatica cause numbness in the groin? i've been having that all week",
            Outcome.URGENT,
        ),
        # a denial or a hypothetical after the question is no affirmation
        (
            "can sciatica make you wet yourself? thankfully that's not happening to me",
            Outcome.ASKING,
        ),
        ("is foot drop serious? i'd like to know in case that happened to me", Outcome.ASKING),
    ],
)
def test_a_question_then_i_have_that_is_urgent(
    screen: SafetyScreen, message: str, outcome: Outcome
) -> None:
    assert _outcome(screen, message) == outcome, screen.assess(message)


def test_the_affirmation_names_the_sign_asked_about(screen: SafetyScreen) -> None:
    found = screen.assess("can sciatica cause numbness in the groin? i have that since monday")
    assert found.outcome == Outcome.URGENT
    assert found.deciding is not None and found.deciding.trigger == "i have that"
    assert found.rule == "numbness around the genitals or anus (saddle)"


@pytest.mark.parametrize(
    "message",
    [
        # "it" or "they" opening a sentence stands for the body part named before
        "something's wrong with my left foot. it slaps the ground when i walk.",
        "my legs. they just won't hold me up today.",
        # a fragment is read on from the sentence before
        "down there. numb. since this morning.",
        "it's my foot. won't lift. keeps catching.",
    ],
)
def test_a_sign_told_over_two_sentences_is_urgent(screen: SafetyScreen, message: str) -> None:
    assert _outcome(screen, message) == Outcome.URGENT, screen.assess(message)


@pytest.mark.parametrize(
    "message",
    [
        # the "it" of "it was that bad" stands for nothing named
        "my right leg was on fire. it was that bad i collapsed on the couch.",
        "my leg hurts. it's killing me.",
        # a fragment without a red-flag word is not read on
        "my left bum cheek hurts. ok. thanks.",
    ],
)
def test_sentences_read_together_raise_no_false_alarm(screen: SafetyScreen, message: str) -> None:
    assert _outcome(screen, message) not in (Outcome.URGENT, Outcome.CRISIS), screen.assess(message)


@pytest.mark.parametrize(
    "message",
    [
        # one leg giving way at a jolt of pain is the pain, not a weakening leg
        "when the pain shoots down my leg it buckles for a second, then i'm fine",
        "some days a zap goes down my leg and my knee gives way",
        # a leak put down to the baby's weight or the pelvic floor
        "i leak a little when i sneeze but the midwife says it's the weight of the baby",
        "i wet myself a bit when i jump, pelvic floor is shot after three kids",
        # a numbness unchanged for years
        "my feet have been numb for years from diabetes, the sciatica is new",
        # what a condition can do, read or heard in general
        "my neighbour says sciatica can cause bladder problems and now i'm paranoid",
        "i read that back pain at night can be cancer and couldn't sleep",
        # a sign read about, then a fragment: the fragment does not read it again
        "i read up on saddle numbness last night. everything feels normal.",
        # the pain moved to the other leg years after the first
        "years ago it was my right leg. now my other leg aches after flights.",
        # a scraped foot, a temperature with the flu, the pain doing the same elsewhere
        "i scraped my foot on a rock on holiday and it's healing",
        "i had a temperature last week with flu and now my back aches",
        "my left leg hurts and now my right hip is doing the same",
        "i wake up shaking my hand to get the feeling back",
        # now after a sign long ago says it is over, not that it is back
        "when i was pregnant i lost bladder control, it's all fine now",
        "in 2016 i had surgery for cauda equina and now i'm back to normal",
        "as a teenager my legs went numb after a fall, it never came back",
        "years ago i had foot drop and now i'm fine",
        # both sides of a thing; legs sore from dancing; sweats from a medicine; feet numb
        # from the cold; weight lost by exercise; a child who fell and is fine; a normal PSA
        "i've been sitting on both sides of the sofa trying to get comfy",
        "my legs are killing me after the wedding, danced all night",
        "i sweat a lot at night since starting the new antidepressant",
        "my feet are numb from the cold after walking the dog in the snow",
        "i've lost loads of weight since i started swimming and the sciatica has eased",
        "my son fell off his bike last week but he's fine. my sciatica is playing up again.",
        "i had my psa checked and it was normal, the back pain is from the gym",
    ],
)
def test_look_alikes_told_in_stories_are_no_alarm(screen: SafetyScreen, message: str) -> None:
    assert _outcome(screen, message) not in (Outcome.URGENT, Outcome.CRISIS), screen.assess(message)


@pytest.mark.parametrize(
    "message",
    [
        # a leg that keeps giving way, or does out of nowhere, is weakening
        "my leg keeps giving way on the stairs",
        "out of nowhere my leg buckled in the kitchen",
        "my legs gave way twice today",
        # the other leg joining in
        "my right leg was bad and now my left leg has joined in",
        # years of sciatica do not make a new sign old
        "i've had sciatica for years but since yesterday my feet are numb",
        # a personal history of cancer is not made a worry by what was read
        "i had breast cancer and now my back aches at night",
        # a foot that drops, told by its sound or by toes scraping the floor
        "when i walk my foot just goes thud on the floor",
        "my toes scrape the floor when i walk now",
        # weakness reaching another part; a leg that is not one's own
        "the weakness started in my calf and now my thigh is going too",
        "my whole leg feels like it belongs to someone else",
        "the numbness is in my left foot and now the right foot is doing it as well",
        # feverish in other words; a bowel or bladder that does not empty
        "i'm burning hot and shaking and my lower back is agony",
        "i keep going back to the loo because it doesn't all come out",
        "i've got flu like symptoms, a fever and my back is agony",
        # told in the past of days ago: a fall, feet that stopped feeling, no need to wee
        "after the fall last week my back has been agony",
        "two days ago i stopped being able to feel my feet",
        "i'm not able to feel my feet",
        "a few days back i realised i hadn't needed a wee all day",
        # a time long ago, then now: the sign is now
        "back in march i hurt my back and since then i've been unable to feel my feet",
        "when i was younger i had a disc problem and now it's back, my left foot flops",
        "i've had back trouble since 2018 and last year it got bad, and this month my foot "
        "started dragging",
        "my dog pulled me over on the ice two days ago and my back's been awful since",
        # what is over before a "but" does not reach the sign after it
        "i fell and i'm not hurt but my legs are numb",
        "my husband fell yesterday and he's fine but can't feel his legs",
        "years ago i had foot drop, fully recovered, but now my foot drags again",
        "i'm fine now apart from the fact i haven't had a pee since yesterday",
        # nor before a "now"
        "the pain went away and now i can't pee",
        "the sciatica cleared up and now my feet are both numb",
        # weight lost without dieting
        "weight is falling off me and i'm not dieting, and my back aches at night",
    ],
)
def test_signs_next_to_look_alike_words_stay_urgent(screen: SafetyScreen, message: str) -> None:
    assert _outcome(screen, message) == Outcome.URGENT, screen.assess(message)


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        # "either" after a negation is both legs
        ("I can't feel either foot", True),
        ("no feeling in either leg since this morning", True),
        ("i can't move either leg properly", True),
        # not feeling the pain any more is the pain gone
        ("i cannot feel the pain in either leg anymore", False),
        ("i cant feel the pain in my leg anymore, the massage worked", False),
        # weakness that grows, told of the person rather than the leg
        ("my leg buckled under me and I'm getting weaker", True),
        ("im losing strength every day, my right leg is the worst", True),
        ("my pain is getting weaker since the massage", False),
        # a leak since childbirth years ago is no new sign; a new one still is
        ("leaking a bit when i sneeze since having my 3 kids", False),
        ("i leak when i cough since my back went", True),
        ("since having my kids i've been fine but today i wet myself without noticing", True),
    ],
)
def test_either_leg_a_person_getting_weaker_and_a_leak_since_childbirth(
    screen: SafetyScreen, message: str, urgent: bool
) -> None:
    assert (_outcome(screen, message) == Outcome.URGENT) is urgent, screen.assess(message)


@pytest.mark.parametrize(
    "message",
    [
        # a hedge, then "but" and the sign: the hedge does not reach past the "but"
        "it could be the codeine but i haven't had a wee since this morning",
        "might be the painkillers, but i can't feel when i need to pee anymore",
        "i'm worried it's just stress but i can't get an erection since my back went",
        "the physio said no red flags last week, but since yesterday i can't feel my saddle area",
        # what was read or warned about, then now
        "my physio warned me about this and now my foot is dragging",
        # an aside with "if" or "whether"
        "if i'm honest i haven't peed properly in two days",
        "not sure whether it matters, my foot drags",
    ],
)
def test_a_hedge_or_a_warning_does_not_reach_past_but_or_now(
    screen: SafetyScreen, message: str
) -> None:
    assert _outcome(screen, message) == Outcome.URGENT, screen.assess(message)


@pytest.mark.parametrize(
    "message",
    [
        # a list of what was read about runs on past its commas
        "i've been reading about the red flags, bladder problems, saddle numbness, and i'm scared",
        "the leaflet says to look out for: bladder problems, numbness around the bottom, weak legs",
        # a list going on with "but also"; "whether" and "suddenly" stay hypothetical
        "my physio said to watch for foot drop, but also for numbness when wiping",
        "i'm worried about cauda equina but mostly about whether my bladder would stop working",
        "what if i suddenly lose control of my bladder",
    ],
)
def test_a_hypothetical_reaches_over_commas_and_lists(screen: SafetyScreen, message: str) -> None:
    assert _outcome(screen, message) == Outcome.ASKING, screen.assess(message)


def test_someone_else_acting_is_still_someone_else(screen: SafetyScreen) -> None:
    found = screen.assess("my wife was carrying our son and slipped on the ice this morning")
    assert found.outcome == Outcome.URGENT
    assert found.deciding is not None and found.deciding.someone_else
    assert found.deciding.trigger == "wife"


@pytest.mark.parametrize("joiner", [". ", " "])  # sentences, or one run-on sentence
def test_a_sign_at_the_end_of_the_longest_message_is_caught(
    screen: SafetyScreen, joiner: str
) -> None:
    everyday = [
        "my left leg goes numb when i sit too long at my desk",
        "the pain shoots down the back of my thigh into my calf",
        "massage helped a bit last week but it came back",
        "i can't sleep on my right side because my hip aches",
        "my physio says it is my piriformis muscle",
        "bending over to tie my shoes hurts my lower back",
    ]
    sign = "since this morning i cant feel anything when i wipe and i wet myself"
    filler: list[str] = []
    while len(joiner.join([*filler, everyday[len(filler) % 6], sign])) <= 4096:
        filler.append(everyday[len(filler) % 6])
    story = joiner.join(filler)
    message = joiner.join([*filler, sign])
    assert 4000 < len(message) <= 4096
    assert _outcome(screen, story) not in (Outcome.URGENT, Outcome.CRISIS)
    assert _outcome(screen, message) == Outcome.URGENT


_SRE: Any = importlib.import_module("re._parser")  # the parser of the re module (no stubs)


def _matching(items: Any, rng: random.Random) -> str:
    """A random text the parsed regular expression ``items`` matches (the few kinds of node
    the rewrites use)."""
    out: list[str] = []
    for op, av in items:
        if op is _SRE.LITERAL:
            out.append(chr(av))
        elif op is _SRE.IN:
            out.append(next((chr(a) for o, a in av if o is _SRE.LITERAL), "a"))
        elif op is _SRE.BRANCH:
            out.append(_matching(rng.choice(av[1]), rng))
        elif op is _SRE.SUBPATTERN or op is _SRE.ASSERT:
            out.append(_matching(av[-1], rng))
        elif op is _SRE.MAX_REPEAT or op is _SRE.MIN_REPEAT:
            low, high, sub = av
            times = rng.randint(low, min(high, low + 2))
            out.extend(_matching(sub, rng) for _ in range(times))
        elif op is not _SRE.AT:
            raise AssertionError(f"a kind of node the test does not know: {op}")
    return "".join(out)


def test_every_rewrite_needs_one_of_the_rewrite_words() -> None:
    """A rewrite is tried only on a sentence holding one of its words: every way each rewrite
    can match holds one of them (texts drawn from each rewrite's own pattern)."""
    rng = random.Random(0)
    for words, _, pattern, _ in _REWRITES:
        tree = _SRE.parse(pattern.pattern)
        for _ in range(300):
            text = _matching(tree, rng) + " and more"
            assert pattern.search(text), (pattern.pattern, text)
            assert not words.isdisjoint(text.split()), (pattern.pattern, text)
            assert words <= _REWRITE_WORDS


@pytest.mark.parametrize(
    ("message", "outcome"),
    [
        ("my foot just locks when I walk and I can't lift it", Outcome.URGENT),
        ("my right foot gets stuck and I cannot raise it at all", Outcome.URGENT),
        ("my toes, I can't move them", Outcome.URGENT),
        # another thing named since the foot is what "it" is
        ("my foot hurts when I pick up my bag and I can't lift it", None),
        ("hurt my foot on a box in the hall and i can't lift it, it's full of books", None),
        # a joint that locks is not a foot that drops
        ("my knee locks when I squat and I can't straighten it", None),
        ("my foot doesn't drag, i can lift it fine", Outcome.DENIED),
    ],
)
def test_the_it_a_moving_verb_acts_on_is_the_body_part_named_before(
    screen: SafetyScreen, message: str, outcome: Outcome | None
) -> None:
    assert _outcome(screen, message) == outcome, screen.assess(message)


@pytest.mark.parametrize(
    "message",
    [
        # a leg going from under, or unable to hold the writer, and getting worse
        "my left leg went from under me again today",
        "my leg won't hold me anymore when i stand",
        # "neither" is itself the negation
        "neither foot wants to lift properly since friday",
        # squeezing a wee out; passing without knowing
        "i have to squeeze really hard to get the pee to come",
        "the poo came out without me even knowing",
        # wiping felt as through a glove, or as someone else's skin
        "when i wipe its like wiping through gloves",
        # the genitals not working, told as "downstairs"
        "since the disc went nothing works downstairs",
        # sliding down the stairs is a fall
        "i bumped down the stairs on my back last night and my leg is tingling",
        # the other foot going the same way
        "my left foot was numb and now the right one is going the same",
        # a non-native present tense: "he have fever"
        "my father he have fever and the back is very bad",
        # "is it normal to ..." asks about the writer's own sign
        "is it normal to not feel the need to pee at all since my back went",
        # someone else's cancer, and that person's pain now
        "my mum has cancer and now her back is in agony",
        # weight lost "but" eating as ever: the "but" tells the same sign
        "dropped nearly a stone but i am eating normally and my back aches",
    ],
)
def test_urgent_signs_as_people_text_them(screen: SafetyScreen, message: str) -> None:
    assert _outcome(screen, message) == Outcome.URGENT, screen.assess(message)


@pytest.mark.parametrize(
    "message",
    [
        # the loo work keeps one from; muscles tight from exercise on both sides
        "i cannot go to the toilet when i need to because there is no time on my shift",
        "both legs are stiff after the gym and my back aches",
        # a child learning the toilet; going often in pregnancy; weed that is smoked
        "my toddler is potty training and had two accidents today, and my back hurts",
        "since i got pregnant i cannot stop peeing and my sciatica is bad",
        "i smoke weed myself for the pain",
        # a UTI already treated with antibiotics
        "im on antibiotics for a uti and my sciatica is playing up",
        # a claim read or watched online
        "someone on reddit says numbness in the leg means a tumour",
        # an ex's history; someone else's cancer, and the writer's own back
        "my ex had cancer years back, i just have a sore back",
        "my dad has cancer and i have been caring for him, now my back hurts",
        # the lights downstairs
        "the lights downstairs are not working and i tripped on the stairs",
    ],
)
def test_look_alikes_as_people_text_them_are_no_alarm(screen: SafetyScreen, message: str) -> None:
    assert _outcome(screen, message) not in (Outcome.URGENT, Outcome.CRISIS), screen.assess(message)


@pytest.mark.parametrize(
    ("message", "rule"),
    [
        # the saddle region (one shared list) numb by a likeness, anywhere in the sentence
        (
            "down below feels like it has had a shot of lidocaine",
            "the saddle area numb by a likeness",
        ),
        (
            "my backside feels like cardboard since the weekend",
            "the saddle area numb by a likeness",
        ),
        (
            "it is like a local anaesthetic, but it is in my groin and my back is agony",
            "the saddle area numb by a likeness",
        ),
        # the same region not working
        ("everything between my legs has stopped working since the disc went", None),
        # retention told as time
        ("my last pee was at 7 this morning and it is 8 at night now", "no urine for hours"),
        ("twelve hours without peeing and my back is killing me", "no urine for hours"),
        # a leak told by what it takes
        ("wearing my wife's pads now because of my bladder, since my back went", None),
        # the other side the same, anywhere in the sentence, or by comparison
        (
            "the right leg went numb first, but since this morning the left is the same",
            "the other side the same",
        ),
        ("my left leg feels just like my right did a week ago, numb to the knee", None),
        # a leg that will not obey; a muscle smaller than the other side
        ("my foot just won't do what it's told since yesterday", "a leg that will not obey"),
        ("my right thigh looks smaller than the left now", "a muscle smaller than the other side"),
        # passing in one's sleep; trying and unable to go
        ("woke up and i had peed in my sleep, back has been bad all week", None),
        ("he can't go, he's been trying for hours and his back is agony", None),
        # cancer slang; a fall in other words; "no longer" with any moving verb
        ("had the big c in my lung 2 years ago and now my back aches at night", None),
        ("lost my footing on the ice and landed heavily on my back, now my leg tingles", None),
        ("i can no longer raise my toes on the left", "foot drop"),
        # a cat scan is no cat
        ("the cat scan after the car crash shows my spine is hurt", "after a fall or accident"),
        ("my cat scan showed a tumour", "history of cancer"),
        # tired legs' words do not hide pain from the sciatica or a numbness that stays
        ("both legs ache from the sciatica", None),
        ("i sat cross legged and now both feet are numb and i cant feel the floor", None),
        ("my feet are both numb and it doesnt go when i stand up", None),
        ("my mum has cancer and i have been nursing her, and now her back is agony", None),
        # one comma is no list: the negation does not reach past it
        ("haven't been sleeping well at all lately, both legs are numb", None),
    ],
)
def test_urgent_signs_by_class(screen: SafetyScreen, message: str, rule: str | None) -> None:
    found = screen.assess(message)
    assert found.outcome == Outcome.URGENT, found
    if rule is not None:
        assert found.rule == rule, found


@pytest.mark.parametrize(
    "message",
    [
        # a negation goes on over a list of denied signs (NegEx: to a terminator)
        "never had any weakness, fever, weight loss, falls or a history of cancer",
        "i have not had any of the toilet problems or numbness or the both legs thing",
        # "strong" denies weakness, unless it is the pain
        "waterworks normal, both legs strong, just pain on the right",
        # an animal's accident or fall is the animal's
        "the dog had an accident on the rug again and i hurt my back cleaning it",
        "our old labrador has lost the use of his back legs, and my sciatica is bad",
        # numbness that goes as it came; cancer as a workplace
        "my bum goes numb on long car rides, then it's fine once i get out",
        "i work on a cancer ward and lift patients all day",
        # legs or feet tired from a day on them, a walk or new shoes; feet asleep, then fine
        "both my legs ache after a long day on my feet at work, fine by morning",
        "new shoes and both feet are killing me",
        "both legs are tired after the hike",
        "both my feet hurt from standing all day",
        "pins and needles in both feet sitting cross legged, gone when i stand",
        # the one cared for is acted on, not who goes on: his or her illness, the writer's back
        "my aunt has bone cancer and i have been looking after her, my back is killing me",
        "my dad has cancer and i have been driving him to the hospital, my back hurts",
        # a pet's cancer is the pet's
        "my cat has cancer and my back hurts from lifting her",
        # "the same" pain as someone else had; a leg the same as ever
        "my dad had the same shooting pain down his left leg years ago",
        "my right leg is the same as yesterday, sore at the back",
        # hours without a wee at work; "can't go" somewhere
        "i can go hours without a wee at work because we are so busy",
        "can't go to work, been trying to rest my back",
        # a likeness of pain, not of numbness; wee that is small
        "it feels like a dentist's drill in my buttock",
        "my wee one was up all night and my back is sore from carrying her",
    ],
)
def test_look_alikes_by_class_are_no_alarm(screen: SafetyScreen, message: str) -> None:
    assert _outcome(screen, message) not in (Outcome.URGENT, Outcome.CRISIS), screen.assess(message)


@pytest.mark.parametrize(
    ("message", "rule"),
    [
        # foot drop told by what the walk does instead
        ("my toes won't clear the kerb any more", "a foot that will not clear the ground"),
        (
            "i have to hitch my hip to get my foot through now",
            "walking around a foot that will not lift",
        ),
        ("the left foot claps on the floor with every step", "foot drop"),
        ("i keep tripping on my toes since the weekend", "foot drop"),
        # the bladder or bowels told as an organ that has stopped doing its job
        ("my bladder has forgotten how to work since friday", "bladder or bowel control"),
        ("the plumbing has packed up since my back went", "the plumbing not working"),
        ("havent opened my vowels in days and nothing comes", None),
        (
            "i no longer get the warning before i need a poo",
            "the warning before the toilet gone",
        ),
        # incontinence found afterwards, or told by what it takes
        ("stuff escapes into my boxers without realising", "wet or soiled without knowing"),
        ("the bed was soaked this morning and i did not even know", "a wet bed not woken for"),
        ("i have started wearing tena pants this week", "continence products needed"),
        ("i have had to buy pads this week, at 50, as a man", "pads needed"),
        ("i passed wind and could not tell if it was only wind", "wind and stool not told apart"),
        # weakness that grows by the day, or told by what it now takes
        ("i can walk less far every day this week", "able to do less each day"),
        ("my legs went from stiff to not holding me up at all", None),
        ("i need a walking frame now just to get to the toilet", "a walking aid newly needed"),
        ("my legs just won't carry me upstairs any more", "legs (plural) weak or numb"),
        # a fever told as sweats with shakes; a belt taken in with no reason
        ("sweating and shaking all afternoon and my spine is sore", "sweating and shaking"),
        (
            "my belt is on a new notch and i'm eating the same as ever",
            "a belt taken in without trying",
        ),
        # slow to start told as a lazy bladder; a pad found soaked, not noticed
        ("my bladder has gone lazy since my back went, i wait forever", None),
        ("mum's pad was soaked this morning and she didn't notice", None),
        # "did his back in" is a back hurt, not a time ("back in 2019")
        ("my husband says he is numb down there since he did his back in", None),
        ("a bit leaky since my back went and i'm only 30", None),
        ("my mum can't get up, her legs won't take her since monday", None),
        ("no power in my left foot since friday, can't push the pedal", "foot drop"),
        # "number" for numb; the lower half; weak overnight is now
        ("my bum is number than usual since saturday", None),
        ("my lower half feels numb and tingly since this morning", "the lower half numb or weak"),
        ("he's gone all weak in the legs overnight and can barely stand", None),
        # the saddle region as men call it
        ("the old fella has gone numb since the disc went", None),
    ],
)
def test_urgent_signs_by_class_round_three(
    screen: SafetyScreen, message: str, rule: str | None
) -> None:
    found = screen.assess(message)
    assert found.outcome == Outcome.URGENT, found
    if rule is not None:
        assert found.rule == rule, found


@pytest.mark.parametrize(
    "message",
    [
        # a real ladder, real plumbing, a frame on a wall, pads for a machine
        "my ladder is too wobbly to climb with sciatica",
        "the plumbing in the kitchen is broken and the landlord won't come",
        "the pads from my tens machine have stopped sticking",
        "my grandma uses a frame, she's 94, it's just age",
        # walking further is getting better; an hour less at the desk is no leg
        "i can walk a bit further every day since the massage",
        "every day i manage fewer hours at my desk because of the pain",
        # a stretch, a workout's sweat, a fart with no doubt
        "i swing my leg out to the side as a stretch, is that good for piriformis?",
        "sweating and shaking after my spin class, but the piriformis is better",
        "i farted in yoga and everyone laughed, my sciatica is sore too",
        # a child's bedwetting; someone else's known condition in the present tense
        "my 5 year old wets the bed most nights and my back is sore from changing sheets",
        "my dad has diabetes and can't feel his feet, i'm booking for my own back",
        # "also" opening a sentence adds a topic, not the other leg
        "i drink a lot of tea so i go to the toilet often. also sciatica right leg.",
        # a weakness told as steady; a calf smaller since childhood
        "my left leg is weaker than the right on the leg press, not getting worse",
        "my right calf is smaller than the left, nothing new, since i broke the ankle",
        # feeling found on both sides at an examination; "chances" is no cancer
        "the doctor checked my inner thighs and i could feel it, both sides",
        "what are the chances it comes back like my uncle's did",
        # a van that will not clear a kerb; fewer pills each week; an accident on the road
        "the van couldn't clear the kerb so we parked on the road",
        "each week i take fewer painkillers and my legs are getting stronger",
        "i did not notice any accident on the road but my back hurts from the drive",
        # a time "back in" a year stays history; a leaky roof, a power cut
        "my dad had numbness down there back in 2019 after his op, fine now",
        "the roof is leaky and my back hurts from carrying the bucket",
        "there's no power in the house since the storm and my foot is freezing",
        # the lower half of the back; a neighbour downstairs
        "the lower half of my back is numb after the ice pack",
        "my downstairs neighbour is numb to my complaints and my back is sore",
        # legs heavy after a flight
        "my legs are tired and heavy after the flight, is that the sciatica?",
    ],
)
def test_look_alikes_by_class_round_three_are_no_alarm(screen: SafetyScreen, message: str) -> None:
    assert _outcome(screen, message) not in (Outcome.URGENT, Outcome.CRISIS), screen.assess(message)


@pytest.mark.parametrize(
    ("message", "rule"),
    [
        # retention told as drinking without a trip to the loo
        (
            "three mugs of coffee since 7 and not one trip to the toilet, back is awful",
            "drinking without needing to go",
        ),
        ("drank two litres of water today and not needed to go once", None),
        # the need to go not felt, told by its workaround
        (
            "i set alarms on my phone because i can't tell when i need to go any more",
            "the need to go not felt, told by its workaround",
        ),
        (
            "i keep missing the toilet signal since my back went",
            "the warning before the toilet gone",
        ),
        # nothing passed for hours
        ("tried to pee, nothing comes, not a drop for 10 hours", None),
        # numbness told where it has spread to
        (
            "the tingling in my leg has now spread into my groin and bum",
            "numbness spreading into the saddle area",
        ),
        # shivering though wrapped up
        (
            "shivering under two duvets with the heating on and my back is agony",
            "shivering with no cold to explain it",
        ),
        # someone unable to get up after a fall, now
        ("mum slipped in the kitchen and she can't get up", None),
        # a forum reply affirming a quoted or asked sign
        ("> anyone lost feeling when they wipe?\nsame here since friday", None),
        # a question told with how long the writer has had the sign
        ("what does it mean if i haven't peed since this morning?", None),
        # a number run into its unit
        ("lost 6kg in a month without trying and my back aches at night", None),
        # what men who will not name it call it, not working since the back went
        (
            "ever since the disc went the equipment just doesn't work",
            "the equipment not working since the back went",
        ),
    ],
)
def test_urgent_signs_by_class_round_four(
    screen: SafetyScreen, message: str, rule: str | None
) -> None:
    found = screen.assess(message)
    assert found.outcome == Outcome.URGENT, found
    if rule is not None:
        assert found.rule == rule, found


@pytest.mark.parametrize(
    "message",
    [
        # a trip to the gym, not the loo; a phone signal; going by the clock for medicine
        "not one trip to the gym in a month and i've drunk far too much coffee",
        "the signal doesn't arrive in our basement so texts come late",
        "i take my tablets by the clock every four hours",
        # numbness that spread along a leg, not into the saddle
        "the numbness spread to my ankle after sitting cross legged",
        # shivering in the cold, after a swim, with the flu
        "shivering at the bus stop in the snow and my back aches",
        "teeth chattering after a sea swim, then my back felt better",
        "shivering with the flu all week and my back aches",
        # a fall that nearly happened, someone cared for after a fall, a thing that fell
        "if i fell i couldn't get up on my own",
        "my grandad fell two years ago and now he's in a care home",
        "the mirror fell off the wall and i hurt my back picking it up",
        # a quoted line is someone else's
        "> couldn't feel my legs for a week after my fall\nso sorry, mine is just a stiff back",
        # the writer's own known condition; lifelong
        "i have ms and my legs get weak in the heat, my neurologist knows",
        "can't wee in public toilets, always been like that",
        # a screening kit; a nurse's patients; an accident's injury in general
        "my bowel cancer screening kit arrived, anyway my sciatica is flaring",
        "i catheterise patients all day on the ward and my back is sore",
        "can massage help with an accident injury from years ago",
        # nerves; something that comes and goes with a cycle; a night shift's tiredness
        "sweaty and shaky before my exam and my back is tight",
        "both legs ache before my period and it goes away after",
        "after night shifts my legs feel heavy and i sleep all day",
        # equipment in its everyday sense, a kettle downstairs
        "the equipment at the gym doesn't work and my back aches after the rowing machine",
        "the kettle downstairs doesn't work since the power cut",
        # weight lost on purpose in kilos
        "down 5kg on purpose since january and my back is better",
    ],
)
def test_look_alikes_by_class_round_four_are_no_alarm(screen: SafetyScreen, message: str) -> None:
    assert _outcome(screen, message) not in (Outcome.URGENT, Outcome.CRISIS), screen.assess(message)


@pytest.mark.parametrize(
    ("message", "rule"),
    [
        # a leg less reliable by the day, or that stopped doing what it was told
        ("my right leg is getting less reliable by the day", "severe or worsening leg weakness"),
        ("on the stairs my left leg just stopped doing what i told it", "a leg that will not obey"),
        # the other leg doing what the first does
        (
            "now the right leg does what the left one does, burning down to the heel",
            "the other side the same",
        ),
        # legs that fold under one
        ("my legs folded under me in the kitchen this morning", "legs (plural) weak or numb"),
        # the front of a foot that will not lift
        (
            "my right foot has gone lazy, i can't lift the front of it since sunday",
            "the front of the foot will not lift",
        ),
        # retention told by the drops that come
        (
            "stood in the loo six times today and only a few drops came out",
            "only a few drops",
        ),
        # a bowel urge not told from wind
        (
            "since my back went i can't tell whether i need to go or if it's only wind",
            "an urge to go not told from wind",
        ),
        # thinner, with nothing changed
        (
            "my face has gone thin and i've not changed a thing, back aches at night",
            "thinner without trying",
        ),
        # nothing coming since before breakfast, standing there
        ("i've stood there since before breakfast and nothing comes", "nothing coming for hours"),
        # rising onto the toes told with "couldn't"
        ("could not get up onto my toes on the left this morning", None),
        # numbness spreading from the foot into the saddle
        (
            "the tingling has spread from my calf up to my groin",
            "numbness spreading into the saddle area",
        ),
        # "she's burning hot": someone else's now, the "is" lost with the apostrophe
        ("she's burning hot and shaking and her back is agony", None),
        # an old "for years" does not outweigh a word of now after a "but"
        (
            "my prostate's been slow for years, but since the back went nothing comes, "
            "not a drop in 8 hours",
            "nothing coming for hours",
        ),
        # "it" after a temperature is the temperature
        ("the doctor said to ring if i got a temperature. it's 38.9 now", None),
        # someone acted on but named by "who" is the one with the sign
        ("i was helping my neighbour who can't feel her legs since this morning", None),
        # retention of urine named, soaked in sweat
        ("retention of urine since yesterday and my back is agony", "retention named"),
        ("woke up drenched in sweat again and my back is agony", None),
        # a person named between a pet and the sign is the one it happens to
        ("mum was walking the dog when she fell and now she can't get up", None),
    ],
)
def test_urgent_signs_by_class_round_five(
    screen: SafetyScreen, message: str, rule: str | None
) -> None:
    found = screen.assess(message)
    assert found.outcome == Outcome.URGENT, found
    if rule is not None:
        assert found.rule == rule, found


@pytest.mark.parametrize(
    "message",
    [
        # a hypothetical reaches through a list a leaflet gives
        "the leaflet says go to a&e if you have numbness in your bottom, trouble peeing, loss of "
        "control of your bowels or weakness in both legs",
        # "it's been" a time names no body part
        "i promised to ring 111 if my legs go numb. it's been a month of pain in my calf",
        # "she" after a pet is the pet
        "our spaniel has a bad back and she can't wee on her own, the vet is treating her",
        # a story on screen
        "we watched a documentary about a man who lost control of his bladder",
        "in the show the main character can't feel his legs after a crash",
        # words of a red flag in another sense
        "staff retention is my whole job and the stress is in my back",
        "had a cardiac catheter through my wrist last month, now my sciatica is back",
        "came out of hot yoga drenched in sweat and shaking, then my piriformis flared",
        "on trimethoprim for a uti and my sciatica is flaring",
        "cabin fever after a week stuck at home with sciatica",
        "i teach, so i can't go to the loo until break, and my back is killing me",
        # a foot held back by a sprain or by pain
        "sprained my ankle and can't push off on that foot, the sciatica is on the other side",
        # a test that found the two sides equal
        "the physio said the feeling in my legs is the same on both sides",
        # a sign named as a red flag or a risk, mentioned, listed on a form
        "my first aid course said losing bladder control is a red flag",
        "my physio mentioned foot drop as something to watch, so i check my heels daily",
        "the consent form lists bladder problems, numbness and weakness",
        # sure of the worst after reading, a post about someone else
        "i'm convinced i have cauda equina after reading forums, it's only leg pain",
        "after reading a facebook post about a woman whose back pain turned out to be cancer "
        "i can't sleep",
        # cases seen at work, a midwife's patients, residents in a home
        "i see cauda equina cases in my clinic every few months",
        "i'm a midwife and spend my days with women who have lost bladder control after birth",
        # a period's ache, a fear of where it ends, a "too" of a feeling
        "my period makes both my thighs ache",
        "i'm terrified this will end with me losing control of my bladder",
        "sciatica in my right leg lately and i'm panicking about that too",
        # a known bowel condition, panic attacks
        "crohn's means my bowels have urgency most days, my gastro team knows",
        "i get panic attacks and my legs turn to jelly during them",
        # a fall got up from at once, a crash weeks ago whose injury is on the mend
        "tripped on the step yesterday and landed on my hands, got up straight away and carried on",
        "i was in a car accident six weeks ago and my neck is getting better",
    ],
)
def test_look_alikes_by_class_round_five_are_no_alarm(screen: SafetyScreen, message: str) -> None:
    assert _outcome(screen, message) not in (Outcome.URGENT, Outcome.CRISIS), screen.assess(message)


@pytest.mark.parametrize(
    ("message", "outcome"),
    [
        # the items of a list a hypothetical opened are talked about
        (
            "The leaflet says go to A&E if you have any of these:\n- numbness around your bottom"
            "\n- can't pee\n- weakness in both legs\nI have none of them, just a sore hip.",
            Outcome.ASKING,
        ),
        # a list of one's own symptoms, and a sign told after the list ends, are told
        ("My symptoms:\n- temperature 38.9\n- back pain that wakes me", Outcome.URGENT),
        (
            "Red flags to watch for:\n1. numb bum\n2. can't pee\nBut since last night I can't pee.",
            Outcome.URGENT,
        ),
    ],
)
def test_a_list_opened_by_a_hypothetical_is_talked_about(
    screen: SafetyScreen, message: str, outcome: Outcome
) -> None:
    assert _outcome(screen, message) == outcome, screen.assess(message)


@pytest.mark.parametrize(
    ("message", "outcome"),
    [
        # feeling that came back in full, a crash a month ago: over
        (
            "After my second baby I had some numbness down there for a few weeks but it came "
            "back fully. Now I have sciatica.",
            Outcome.PAST,
        ),
        ("I crashed my bike in a race a month ago and got patched up, sciatica is back", None),
        # the numbness coming back is a sign again; nothing that will come is retention
        (
            "the numbness down there came back this morning and i can't feel the toilet paper",
            Outcome.URGENT,
        ),
        ("stood at the toilet since lunchtime and nothing will come", Outcome.URGENT),
    ],
)
def test_feeling_come_back_in_full_is_over_and_nothing_that_will_come_is_not(
    screen: SafetyScreen, message: str, outcome: Outcome | None
) -> None:
    assert _outcome(screen, message) == outcome, screen.assess(message)


@pytest.mark.parametrize(
    "message",
    [
        # getting better or carrying on before a new sign does not make it over
        "my back was getting better and now i can't pee",
        "i carried on and now my legs are weak",
        # an episode of a sign is the sign; watching the telly is no story on screen
        "i had an episode of incontinence yesterday and my back is agony",
        "i was watching something on the telly and my legs went numb",
        # a physio's mention of the writer's own sign
        "my physio mentioned my left foot is slapping when i walk and wants an mri",
    ],
)
def test_narrative_words_near_a_new_sign_leave_it_urgent(
    screen: SafetyScreen, message: str
) -> None:
    assert _outcome(screen, message) == Outcome.URGENT, screen.assess(message)


@pytest.mark.parametrize(
    "message",
    [
        # a leaflet read, and a question whether the writer's own sign is one to watch
        "i read the leaflet for my tablets and then noticed my bum is numb",
        "my foot is dragging, is that something to watch out for?",
    ],
)
def test_a_leaflet_read_or_a_sign_asked_about_is_still_told(
    screen: SafetyScreen, message: str
) -> None:
    assert _outcome(screen, message) == Outcome.URGENT, screen.assess(message)


@pytest.mark.parametrize(
    "message",
    [
        # drops of oil, hair gone thin, nothing that came of a wait, a car, the front of a sofa
        "i tried a few drops of cbd oil under my tongue for the sciatica",
        "my hair has gone thin, loads of stress this year, and my back hurts",
        "i stood there for hours at the bus stop and nothing came of it, my back is sore",
        "my car is unreliable and my leg is getting worse with all the walking",
        "i dragged the sofa and the front of it broke, now my foot hurts",
        # chills of feeling
        "i got chills watching the video of the surgery, anyway my question is about stretching",
    ],
)
def test_round_five_words_in_their_everyday_sense_are_no_alarm(
    screen: SafetyScreen, message: str
) -> None:
    assert _outcome(screen, message) not in (Outcome.URGENT, Outcome.CRISIS), screen.assess(message)


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        # not knowing whether one has finished is no feeling of the bladder
        ("since yesterday i've no idea whether i've finished weeing, i just stop and hope", True),
        # numbness spreading, told with "spread" and where it went
        ("now the numb patch has spread right round to my inner thigh and my bits", True),
        # a bottom numb from long drives is the drive's
        ("the pain has spread to my bum, and my bum goes numb on long drives", False),
    ],
)
def test_finishing_unknown_and_numbness_spread_round(
    screen: SafetyScreen, message: str, urgent: bool
) -> None:
    assert (_outcome(screen, message) == Outcome.URGENT) is urgent, screen.assess(message)


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        # a foot that will not pull up, a foot that cannot push down
        (
            "the clutch is a nightmare because my left foot won't pull up and catches the pedal",
            True,
        ),
        ("i can't push my foot down on the accelerator any more since the weekend", True),
        # a leg giving way again and again
        ("last night my left leg gave way three times going up to bed", True),
        # a person named before the pet: "she" is the person
        (
            "mum rang to say her back went when she bent to feed the cat and now her legs "
            "have gone to jelly",
            True,
        ),
        # the pet named first: "she" is the pet; the gym twice is no giving way
        ("our dog hurt her leg and now she can't walk, the vet is seeing her tomorrow", False),
        ("i've been to the gym twice this week and my leg feels weak after squats", False),
    ],
)
def test_a_foot_that_will_not_pull_up_a_leg_giving_way_again_and_who_she_is(
    screen: SafetyScreen, message: str, urgent: bool
) -> None:
    assert (_outcome(screen, message) == Outcome.URGENT) is urgent, screen.assess(message)


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        # a leg that was not there, a seat not there, weight lost while not trying
        ("went to stand up and my left leg just wasn't there, i went straight down", True),
        ("when i sit on the toilet it feels like the seat isn't there since tuesday", True),
        (
            "i've lost a stone and a half since christmas and i'm not trying, my appetite is fine",
            True,
        ),
        # a leg of lamb; keys lost while not trying to be dramatic
        ("i went to the shop but the leg of lamb just wasn't there", False),
        ("i lost my keys and i'm not trying to be dramatic but my sciatica is bad", False),
    ],
)
def test_a_leg_or_a_seat_not_there_and_weight_lost_untried(
    screen: SafetyScreen, message: str, urgent: bool
) -> None:
    assert (_outcome(screen, message) == Outcome.URGENT) is urgent, screen.assess(message)


@pytest.mark.parametrize(
    "message",
    [
        # a star sign; a child's temperature that tonsillitis explains
        "i'm a cancer so apparently i worry too much, lol. sciatica on my left side",
        "my son has tonsillitis with a high temperature and i've been up with him all night",
    ],
)
def test_a_star_sign_and_a_temperature_with_its_cause_are_no_alarm(
    screen: SafetyScreen, message: str
) -> None:
    assert _outcome(screen, message) not in (Outcome.URGENT, Outcome.CRISIS), screen.assess(message)


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        # "both of mine" after a question about legs or feet is both of the writer's
        (
            "anyone else's sciatica make their legs feel like treacle? Both of mine since "
            "sunday, getting worse each day",
            True,
        ),
        (
            "is it normal for your feet to go numb? both of mine have been numb since yesterday",
            True,
        ),
        # read with the sentence before, whose circumstances still count
        ("my legs ache after the gym. both of them, every time.", False),
        ("i have two kids. both of them have colds and my back aches.", False),
        # a foot not got off the ground
        ("this morning he couldn't get his left foot off the ground to get into the car", True),
        ("i can't get my foot off the floor because it hurts too much", False),
    ],
)
def test_both_of_mine_and_a_foot_not_got_off_the_ground(
    screen: SafetyScreen, message: str, urgent: bool
) -> None:
    assert (_outcome(screen, message) == Outcome.URGENT) is urgent, screen.assess(message)


# Crisis words in their everyday senses (issue 21, round six): each class with a real crisis
# statement beside its look-alike, so that sparing the everyday sense never loses the crisis.
@pytest.mark.parametrize(
    ("crisis", "everyday"),
    [
        # what is jumped off: a bridge, a roof, or jumping thought of; furniture, a lorry, a horse
        (
            "i stood on the footbridge tonight and wanted to jump off",
            "my son jumped off the sofa onto my back and now my leg burns",
        ),
        (
            "some days i think about jumping off the roof at work",
            "jumped off the tailgate of the van and landed badly, sciatica since",
        ),
        # who went into the wall: a car in a crash, a ball; steering into one wished for
        (
            "on the motorway i keep thinking about steering into a wall",
            "a taxi went into a wall outside our house and the noise made me jump, back aches",
        ),
        (
            "i'm going to drive my car into a tree tonight",
            "the kids kick a ball into a wall all afternoon and my sciatica hates the noise",
        ),
        (
            "some nights i think about walking into the sea and not coming back",
            "i love to walk into the sea every morning for a dip, does cold water help?",
        ),
        (
            "i keep thinking about driving off the road on the way home",
            "the lorry drove off the road in the snow and i hurt my back pushing it",
        ),
        # ending it: a life, not a contract, a relationship or a shift
        (
            "i've decided i'm going to end it this week",
            "my tenancy is up in may and honestly i can't wait to end it, the stairs are agony",
        ),
        (
            "i have been thinking about ending it",
            "i'm ending it with my physio, six sessions and no change",
        ),
        # cutting oneself: on purpose, not shaving or cooking
        (
            "i cut myself last night to feel something other than this",
            "cut myself chopping onions because i can't stand straight at the counter",
        ),
        # an overdose: of medicine, not of coffee or Netflix
        (
            "i'm thinking of taking an overdose of my tablets",
            "overdosed on caffeine today after another night awake with my leg",
        ),
        # no way out: of life, not of a car park
        (
            "i feel like there's no way out of this except dying",
            "there's no way out of the hospital car park without a queue and my leg seizes",
        ),
        # stockpiling: medicines, not groceries
        (
            "i've been stockpiling my pregabalin for when i've had enough",
            "been stockpiling tins for the winter and carrying them hurt my back",
        ),
        # killing oneself: wished, not nearly done on the stairs nor at the gym
        (
            "i want to kill myself, the pain never stops",
            "almost killed myself slipping on the ice years ago, this sciatica is new",
        ),
        (
            "i keep thinking about killing myself",
            "i'm killing myself at the gym to get my back strong",
        ),
        # how many it would take: pills, not sessions
        (
            "how many tramadol would it take to not wake up",
            "how many massages would it take to loosen my piriformis?",
        ),
        # all one's tablets at once: now, not the morning round
        (
            "i'm going to take all my tablets at once tonight",
            "i take all my tablets at once with breakfast, is that ok with ibuprofen?",
        ),
        # letters: goodbye letters, not a complaint to an MP
        (
            "i've written letters to my family and put them in a drawer",
            "i've written letters to my mp about the physio waiting list",
        ),
        # wanting it all to stop: all of it, not the pain named
        (
            "i just want to make it all stop for good",
            "i want the pain to stop for good, is massage worth it?",
        ),
        # pills saved up, not money saved up nor a prescription collected
        (
            "i've been collecting my tramadol for weeks",
            "collecting my naproxen from the pharmacy later, can i come in after?",
        ),
        (
            "i've saved up my pills for when i've had enough",
            "saving up for a course of massages, taking paracetamol till then",
        ),
        # too many taken: on purpose, not by mistake
        (
            "i took double my dose of gabapentin on purpose",
            "took double the dose of ibuprofen by mistake on the first day",
        ),
        # not being around: for good, not next week
        (
            "i won't be around much longer",
            "i'm not going to be around next week, can i move my appointment?",
        ),
        # disappearing: for good, not for a week at a spa
        (
            "i just want to disappear",
            "i want to disappear for a week to a spa and forget my sciatica",
        ),
        # a whole packet: of tablets, not of mints
        (
            "i swallowed a whole packet of paracetamol",
            "swallowed the whole packet of mints on the drive, sciatica screaming",
        ),
        # sleeping forever: wished for, not a deep sleep after a massage; waking up never again
        (
            "i wish i could sleep forever and not feel this",
            "after a massage i could sleep forever, best sleep all week",
        ),
        (
            "if i never woke up tomorrow that would be fine by me",
            "the pain never woke me up last night for once",
        ),
        # not existing: the writer, not a cure
        ("i wish i didn't exist", "a cure for sciatica doesn't exist, does it?"),
        # going on: with life, not on holiday
        ("i can't go on", "i cannot go on holiday with this leg, can i?"),
        # stopping: everything, not the tablets
        (
            "would anyone even notice if i just stopped",
            "what happens if i just stopped the tablets?",
        ),
        # noticed, missed: the writer gone, not a brace worn
        (
            "no one would notice if i was gone",
            "would anyone notice if i wore a back brace under my shirt?",
        ),
        (
            "if i was gone my family would be better off",
            "if i was gone for two weeks would my massage package expire?",
        ),
        # easier without the writer, not without a desk
        (
            "it would be easier for everyone if i wasn't here",
            "it would be easier if i wasn't sitting at a desk all day",
        ),
        # affairs, peace, things given away: before dying, not before surgery, with a
        # condition, or before a move
        (
            "getting my affairs in order, i've had enough",
            "getting my affairs in order before the surgery next week",
        ),
        (
            "i've made my peace. i'm ready.",
            "i've made my peace with the sciatica, any tips for long drives?",
        ),
        (
            "i've been giving my things away to friends",
            "giving my things away before we move abroad and the boxes hurt my back",
        ),
        # medicine and alcohol made ready together; asking whether they mix, or the week's
        # tablets set out beside a glass of wine with dinner, is no crisis
        (
            "pills counted out and the whisky is open, tonight's the night",
            "got my tramadol ready for tonight, can i have a glass of wine with it?",
        ),
        (
            "i've got all my painkillers laid out next to a bottle of gin",
            "i laid out my tablets for the week and had a glass of wine with dinner",
        ),
        # a fall high enough to kill, not a fall in the temperature
        (
            "i keep wondering if the fall would be enough from the top floor",
            "i wonder if the fall in temperature would be enough to set my sciatica off",
        ),
    ],
)
def test_crisis_words_in_everyday_senses(screen: SafetyScreen, crisis: str, everyday: str) -> None:
    assert _outcome(screen, crisis) == Outcome.CRISIS, screen.assess(crisis)
    assert _outcome(screen, everyday) not in (Outcome.CRISIS, Outcome.URGENT), screen.assess(
        everyday
    )


# Despair and passive wishes to die in everyday words (issue 21, round seven): each class with
# a statement that must get the crisis answer beside an everyday use of the same words.
@pytest.mark.parametrize(
    ("crisis", "everyday"),
    [
        # living on like this, not living in a house, out of a suitcase or with parents
        (
            "i cant keep living like this, the pain is 24/7",
            "my mum doesn't want to go on living in that house with the stairs",
        ),
        (
            "how am i meant to keep living with this pain",
            "i can't keep living with my parents, their sofa is wrecking my back",
        ),
        ("im sick of living in agony", "im sick of living in a damp flat, could it be my back"),
        (
            "i'm so tired of living like this",
            "tired of living out of a suitcase, hotel beds are killing my back",
        ),
        # not wanting to be here at all, not here all afternoon
        (
            "honestly i just don't want to be here",
            "i don't want to be here all afternoon waiting for a call back",
        ),
        # carrying on, going on, keeping going: with life, not with tablets, a job or a trip
        (
            "i dont want to carry on anymore. sorry",
            "i don't want to carry on with the tablets, they make me sick",
        ),
        ("i don't want to go on", "i don't want to go on holiday like this, should i cancel"),
        (
            "i can't keep going like this, every day is agony",
            "i cant keep going to the loo every hour, is that normal with sciatica",
        ),
        ("i cant carry on like this", "i can't carry on driving with this leg, any tips"),
        # the point of anything or of carrying on, not of icing it or of pilates
        (
            "honestly whats the point anymore, nothing works for this pain",
            "what's the point of icing it if it comes straight back",
        ),
        (
            "i just dont see the point of anything anymore",
            "there's no point booking if it comes back",
        ),
        (
            "what's the point in carrying on",
            "is there any point carrying on with the exercises",
        ),
        ("what's the point of it all", "at this point in my life i want to get fit again"),
        # others better off were the writer gone, not with a standing desk
        (
            "my family would be better off if i wasn't around",
            "i'd be better off with a standing desk",
        ),
        (
            "everyone would be happier if i wasn't here",
            "would i be better off if i was not sitting all day",
        ),
        # not waking, wished for; not waking stiff or at 4am
        (
            "every night i pray i dont wake up in the morning",
            "i hope i don't wake up with the pain again tomorrow",
        ),
        (
            "some nights i wish i wouldnt wake up",
            "i wish i didn't wake up at 4am every night with this leg",
        ),
        (
            "every night i hope i won't be here in the morning",
            "i hope i won't be here long, the waiting room is freezing",
        ),
        # no more of this borne, not no more tablets taken
        ("i can't take any more of this pain", "can't take any more painkillers today, what else"),
        ("i cant take much more", "i cant take much more time off work"),
        # plans for the end, not for a holiday
        (
            "been planning for when it all gets too much",
            "we're making plans for the summer holiday, will a long flight be ok",
        ),
        ("i know how i would do it", "i know how i would do it differently next time"),
        # no future for the writer, not in a trade
        (
            "i cant see a future with this pain",
            "there's no future for me as a plasterer with this back",
        ),
        # giving up on everything, not on what the physio said
        (
            "i've given up on everything",
            "i've given up on everything the physio told me, it made it worse",
        ),
        (
            "i've had enough of everything",
            "i've had enough of everything to do with the nhs, can i book privately",
        ),
        # giving up on going on, not on the exercises or smoking
        ("honestly i feel like giving up, nothing works", "i feel like giving up on the exercises"),
        ("i'm ready to give up", "i'm ready to give up smoking, will it help my back"),
        # counting the days to the writer's end, not to a scan
        ("counting the days until i'm gone", "counting the days till my mri on the 14th"),
        # no way out of the pain, not out of a chore
        (
            "i feel like there's no way out",
            "no way out of the school run, i drive 40 mins with this leg",
        ),
        # a goodbye to the people, not to a mattress or before a move
        (
            "this is goodbye, thank you for everything",
            "saying goodbye to my old mattress today, firm or medium for sciatica?",
        ),
        (
            "saying my goodbyes to everyone tonight",
            "goodbye to everyone at the clinic, i'm moving to leeds next month",
        ),
        # stopping for good is for ever, not "all good"
        (
            "i just want it all to stop now, for good",
            "i just want the pain to stop for good, what actually fixes it",
        ),
        # not existing, dead, death awaited
        (
            "sometimes it would be easier to just not exist",
            "a cure just does not exist, my gp says",
        ),
        ("my dad told me he's ready to die", "i'm ready to die of embarrassment after that"),
    ],
)
def test_despair_in_everyday_words(screen: SafetyScreen, crisis: str, everyday: str) -> None:
    assert _outcome(screen, crisis) == Outcome.CRISIS, screen.assess(crisis)
    assert _outcome(screen, everyday) not in (Outcome.CRISIS, Outcome.URGENT), screen.assess(
        everyday
    )


@pytest.mark.parametrize(
    "message",
    [
        "no point booking a massage now, since this morning my foot flops and i can't lift it",
        "my wife says she'd be better off in hospital, she hasn't peed since last night",
        "so tired of this, i've had a fever of 39 since sunday and my back is getting worse",
        "i can't keep sitting on the loo like this, i haven't peed since last night",
    ],
)
def test_urgent_signs_beside_everyday_despair_words_stay_urgent(
    screen: SafetyScreen, message: str
) -> None:
    assert _outcome(screen, message) == Outcome.URGENT, screen.assess(message)


@pytest.mark.parametrize(
    ("urgent", "look_alike"),
    [
        # a carer's or nurse's patients are her work; her own relative is not
        (
            "i'm a nurse myself but my mum can't feel her legs since this morning",
            "i work in a care home and most of my residents are incontinent, my back hurts",
        ),
        (
            "my husband has been wetting himself since yesterday and his back is agony",
            "on my ward the patients can't feel their legs, so i lift all day, sciatica now",
        ),
        # a fever with back pain is the writer's red flag; a baby's teething or jabs are not
        (
            "i've got a temperature of 39 and my lower back is agony",
            "the baby is teething with a temperature of 38.4 and carrying her hurts my back",
        ),
        (
            "fever and chills since yesterday and my back is in agony",
            "my toddler had a fever after his jabs and i've been up all night, back aching",
        ),
        # a list gone through and denied; a thread read "last night about"
        (
            "my bum has gone numb and i can't tell when i need to pee",
            "the doctor went through the list: numbness, bladder, bowels, both legs. no to all",
        ),
        (
            "since last night i can't feel the saddle area at all",
            "read a thread last night about people losing bladder control and got scared",
        ),
    ],
)
def test_look_alikes_of_urgent_signs(screen: SafetyScreen, urgent: str, look_alike: str) -> None:
    assert _outcome(screen, urgent) == Outcome.URGENT, screen.assess(urgent)
    assert _outcome(screen, look_alike) not in (Outcome.CRISIS, Outcome.URGENT), screen.assess(
        look_alike
    )

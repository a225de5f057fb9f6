"""The offline Filmmaker cuts each scene into shots: a wide opening, its lines covered by their speakers, an insert of
the prop it names and a listener's reaction when there is time; ids that survive a revision; prompts and the Base
Description that name colours and kinds in words. And palette.colour_name, which names a #rrggbb code."""

from __future__ import annotations

import re

import pytest

from dreamfactory.contracts.screenplay import Design, ScenePlan, SceneShots, Storyboard
from dreamfactory.palette import colour_name, colour_names
from dreamfactory.contracts.screenplay import Character, DialogueLine, Scene, StyleGuide
from dreamfactory.writers.base import PhaseRequest
from dreamfactory.writers.draft import DraftWriter
from dreamfactory.writers.draft.storyboard import MAX_SHOTS, MIN_SHOT_SECONDS, cut_scene, keep_ids, transition_of

HEX = re.compile(r"#[0-9a-fA-F]{6}")

DESIGN = Design(
    style=StyleGuide(look="storybook watercolour", palette=["#1f4e5f", "#f2c94c", "#c0392b"], lens="28mm wide"),
    characters=[
        Character(id="mira", name="Mira", appearance="girl of ten, short red hair", wardrobe="yellow raincoat"),
        Character(id="tomas", name="Tomas", appearance="old keeper, white beard", wardrobe="blue wool sweater",
                  props=["brass lantern"]),
        Character(id="pip", name="Pip", kind="hedgehog", appearance="small brown hedgehog", wardrobe="red scarf"),
    ],
)
PEOPLE = {c.id: c for c in DESIGN.characters}


def plan(id="s01", setting="lighthouse, lamp room", time="evening", action="Mira climbs the stairs.", characters=(),
         lines=(), duration=10.0, camera="tilt_up") -> ScenePlan:
    return ScenePlan(id=id, setting=setting, time_of_day=time, environment="storm, thunder, dark sea",
                     action=action, characters=list(characters), camera=camera, duration=duration,
                     dialogue=[DialogueLine(speaker=who, text=text) for who, text in lines])


EXCHANGE = plan(action="Tomas climbs the spiral stairs with his brass lantern.", characters=["mira", "tomas"], lines=[
    ("mira", "Grandfather, the light is out!"), ("tomas", "The lens has cracked."),
    ("tomas", "Without it, the ships will not find the harbour."), ("mira", "Then we must mend it."),
], duration=14.0)


def storyboard(*plans: ScenePlan, **inputs) -> Storyboard:
    context = [{**p.model_dump(mode="json"), "context_previous": ""} for p in plans]
    request = PhaseRequest(phase="storyboard", role="filmmaker", system="", prompt="", output_type=Storyboard,
                           inputs={"story": "", "design": DESIGN, "scenes_with_context": context, **inputs})
    return DraftWriter().write(request).output


def as_scene(p: ScenePlan, shots) -> Scene:
    """The scene the studio assembles: Scene's own validators check every line is claimed at most once."""
    return Scene(index=1, shots=shots, **p.model_dump())


# -- cutting a scene ---------------------------------------------------------------------------------------------


def test_an_exchange_opens_wide_and_covers_every_line_with_its_speaker():
    shots = cut_scene(EXCHANGE, PEOPLE)
    scene = as_scene(EXCHANGE, shots)
    assert 2 <= len(shots) <= MAX_SHOTS
    assert shots[0].framing == "wide" and shots[0].id == "a" and set(shots[0].characters) == {"mira", "tomas"}
    assert shots[0].camera == EXCHANGE.camera  # the scene's own camera move opens it
    claimed = [i for s in shots for i in s.lines]
    assert sorted(claimed) == claimed == list(range(len(EXCHANGE.dialogue)))  # each once, in the order spoken
    for shot in shots:
        for i in shot.lines:
            assert shot.characters[0] == EXCHANGE.dialogue[i].speaker, f"line {i} is said off its speaker"
    assert scene.shot_lines() == {s.id: s.lines for s in shots}
    framings = [s.framing for s in shots]
    assert "over_the_shoulder" in framings  # two people trading lines
    ots = shots[framings.index("over_the_shoulder")]
    assert ots.characters == ["mira", "tomas"] and ots.description == "Over Tomas's shoulder, Mira speaks"
    assert sum(s.duration for s in shots) == pytest.approx(EXCHANGE.duration, abs=0.05)
    assert min(s.duration for s in shots) >= MIN_SHOT_SECONDS
    assert len(set(s.id for s in shots)) == len(shots)


def test_the_prop_the_scene_names_gets_an_insert_and_a_listener_a_reaction():
    shots = cut_scene(EXCHANGE, PEOPLE)
    insert = next(s for s in shots if s.framing == "insert")
    assert insert.prop == "brass lantern" and insert.characters == [] and insert.lines == []
    assert insert.keyframe_prompt.startswith("The brass lantern") and insert.camera == "zoom_in"
    lines_alone = plan(action="Pip sits on the hill.", characters=["pip", "mira"], lines=[("pip", "The moon is gone!")],
                       duration=8.0)
    reaction = [s for s in cut_scene(lines_alone, PEOPLE) if s.framing == "reaction"]
    assert [r.characters for r in reaction] == [["mira"]] and reaction[0].description == "Mira listens to Pip"
    assert reaction[0].lines == [] and reaction[0].keyframe_prompt.startswith("Mira (yellow raincoat) in close-up")


def test_close_ups_push_in_and_a_scene_does_not_repeat_one_move():
    shots = cut_scene(EXCHANGE, PEOPLE)
    close = [s for s in shots if s.framing == "close_up"]
    assert close and close[0].camera == "push_in"
    assert len({s.camera for s in shots}) >= 3


def test_a_silent_scene_has_a_wide_and_a_closer_look():
    alone = plan(action="Mira rows home through the waves. She sees the lighthouse far away.", characters=["mira"],
                 duration=5.0, camera="pan_left")
    shots = cut_scene(alone, PEOPLE)
    assert [s.framing for s in shots] == ["wide", "medium"]
    assert shots[1].characters == ["mira"] and shots[1].description == "Mira sees the lighthouse far away"
    empty = plan(action="Thunder rolls over the black waves.", duration=4.0, camera="hold")
    shots = cut_scene(empty, PEOPLE)
    assert len(shots) == 2 and all(s.characters == [] for s in shots)
    assert shots[1].camera.startswith("pan")  # a look along the empty place


def test_narration_before_anyone_speaks_plays_over_the_wide_shot():
    told = plan(characters=["mira"], lines=[("narrator", "The storm had come."), ("mira", "I am not afraid.")])
    shots = cut_scene(told, PEOPLE)
    assert shots[0].lines == [0]
    assert next(s for s in shots if 1 in s.lines).characters[0] == "mira"


def test_a_short_scene_drops_what_it_has_no_time_for_but_loses_no_line():
    chatter = plan(action="Mira and Tomas argue.", characters=["mira", "tomas"], duration=5.0, lines=[
        ("mira", "Yes."), ("tomas", "No."), ("mira", "Yes!"), ("tomas", "No!"), ("mira", "Fine."), ("tomas", "Good.")])
    shots = cut_scene(chatter, PEOPLE)
    assert 2 <= len(shots) <= 5
    assert sorted(i for s in shots for i in s.lines) == list(range(6))
    assert min(s.duration for s in shots) >= MIN_SHOT_SECONDS
    as_scene(chatter, shots)


def test_the_cut_is_the_same_every_time():
    assert cut_scene(EXCHANGE, PEOPLE) == cut_scene(EXCHANGE, PEOPLE)


# -- ids --------------------------------------------------------------------------------------------------------


def test_optional_shots_have_their_own_ids_so_dropping_one_renames_nothing():
    with_prop = cut_scene(EXCHANGE, PEOPLE)
    no_prop = cut_scene(EXCHANGE.model_copy(update={"action": "Tomas climbs the spiral stairs."}), PEOPLE)
    assert "p" in [s.id for s in with_prop] and "p" not in [s.id for s in no_prop]
    assert {s.id: s.lines for s in with_prop if s.framing != "insert"} == {s.id: s.lines for s in no_prop
                                                                          if s.id in {x.id for x in with_prop}}


def test_a_revision_keeps_the_drafts_ids_and_gives_a_new_shot_a_fresh_one():
    fresh = cut_scene(EXCHANGE, PEOPLE)
    drafted = [s.model_copy(update={"id": f"x{n}"}) for n, s in enumerate(fresh) if s.framing != "insert"]
    kept = keep_ids(fresh, drafted)
    assert [s.id for s in kept if s.framing != "insert"] == [s.id for s in drafted]
    new = next(s for s in kept if s.framing == "insert")
    assert new.id not in {s.id for s in drafted}
    board = storyboard(EXCHANGE, draft=Storyboard(base_description={"text": "x"},
                                                  scenes=[SceneShots(scene_id="s01", shots=drafted)]), notes=[])
    assert [s.id for s in board.scenes[0].shots if s.framing != "insert"] == [s.id for s in drafted]


# -- the whole storyboard -----------------------------------------------------------------------------------------


def test_storyboard_prompts_and_base_description_carry_no_hex_and_name_kinds():
    board = storyboard(EXCHANGE, plan(id="s02", characters=["pip"], action="Pip waits on the hill.",
                                      lines=[("pip", "Where has the moon gone?")], setting="hill", time="night"))
    text = board.base_description.text
    assert not HEX.search(text)
    assert "palette of deep teal, yellow and red" in text
    assert "Pip (a hedgehog): small brown hedgehog; wears red scarf" in text
    shots = [s for scene in board.scenes for s in scene.shots]
    assert not any(HEX.search(s.keyframe_prompt + s.description) for s in shots)
    pip = next(s for s in board.scenes[1].shots if s.lines)
    assert pip.keyframe_prompt.startswith("Pip, a hedgehog (red scarf) in close-up")
    assert all(len(s.description.split()) <= 14 for s in shots)


def test_transitions_cut_within_a_moment_dissolve_over_time_and_fade_between_places():
    room = plan(setting="lighthouse, lamp room", time="evening")
    stairs = plan(id="s02", setting="lighthouse on the island, stairs", time="evening")
    later = plan(id="s03", setting="lighthouse", time="night")
    sea = plan(id="s04", setting="grey sea", time="night")
    assert transition_of(room, stairs) == "cut"
    assert transition_of(stairs, later) == "dissolve"
    assert transition_of(later, sea) == "fade"
    assert transition_of(sea, None) == "fade"
    if "transition" in SceneShots.model_fields:
        board = storyboard(room, stairs, later, sea)
        assert [s.transition for s in board.scenes] == ["cut", "dissolve", "fade", "fade"]


# -- colours in words -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code, name", [
    ("#000000", "black"), ("#ffffff", "white"), ("#808080", "grey"), ("#ff0000", "red"), ("#00ff00", "green"),
    ("#0000ff", "blue"), ("#ffa500", "orange"), ("#ffff00", "yellow"), ("#8b4513", "brown"), ("#800080", "deep purple"),
    ("#1f4e5f", "deep teal"), ("#f3e9d2", "cream"), ("#d9c7a7", "beige"), ("#e8a0b4", "light pink"),
    ("#006400", "dark green"), ("#40B5AD", "turquoise"),
])
def test_colour_name(code, name):
    assert colour_name(code) == name


def test_colour_names_of_a_palette_are_words_each_once():
    assert colour_names(["#f4f4f0", "#f6f6f2", "#1c1c1e"]) == ["white", "black"]
    with pytest.raises(ValueError, match="not a #rrggbb colour"):
        colour_name("teal")


def test_a_long_silent_beat_goes_closer_still():
    long = plan(action="Mira rows home through the waves. She sees the lighthouse far away.", characters=["mira"],
                duration=12.0, camera="pan_left")
    shots = cut_scene(long, PEOPLE)
    assert [s.framing for s in shots] == ["wide", "medium", "close_up"]
    assert shots[2].characters == ["mira"] and shots[2].description == "Close on Mira" and shots[2].camera == "push_in"


def test_a_shot_of_lines_is_named_after_its_first_line_so_recutting_others_renames_it_not():
    long = cut_scene(EXCHANGE.model_copy(update={"duration": 30.0}), PEOPLE)
    short = cut_scene(EXCHANGE.model_copy(update={"duration": 9.0}), PEOPLE)
    for shots in (long, short):
        for shot in shots:
            if shot.lines:
                assert shot.id == "bcdefghijklmno"[shot.lines[0]]
    assert {s.id for s in short} < {s.id for s in long}  # fewer shots, the same names for those that stay
    last = next(s for s in long if 3 in s.lines)
    assert last.id == next(s for s in short if 3 in s.lines).id == "e"


def test_a_crowded_wide_shot_dresses_three_and_names_the_rest():
    many = {f"c{i}": Character(id=f"c{i}", name=f"Kid{i}", appearance="child", wardrobe=f"coat {i}") for i in range(5)}
    party = plan(action="Kid0 cuts the cake.", characters=list(many), duration=5.0)
    wide = cut_scene(party, many)[0]
    assert "Kid2 (coat 2), with Kid3 and Kid4." in wide.keyframe_prompt and "coat 3" not in wide.keyframe_prompt
    assert wide.characters == list(many)  # all of them are still in frame


def test_the_insert_may_show_a_thing_the_environment_lists():
    quiet = plan(action="Nina waits by the counter.", characters=["mira"], duration=8.0)
    quiet = quiet.model_copy(update={"environment": "soft evening light, old brass clock, rain"})
    assert [s.prop for s in cut_scene(quiet, PEOPLE) if s.framing == "insert"] == ["old brass clock"]


@pytest.mark.parametrize("action, characters, expected", [
    ("So they waited together on the hilltop.", ["pip", "mira"], "Pip and Mira wait together on the hilltop"),
    ("She ran home.", ["mira"], "Mira runs home"),
    ("She ran home.", ["mira", "pip"], "She runs home"),  # two on screen: the pronoun is not ours to guess
    ("Tapping the microphone.", ["tomas"], "Tomas, tapping the microphone"),
    ("Wednesday, 6 January. Snow fell on the cabin all day.", [], "Snow falls on the cabin all day"),
])
def test_captions_name_who_the_scene_leaves_no_doubt_about(action, characters, expected):
    from dreamfactory.writers.draft.storyboard import caption

    assert caption(plan(action=action, characters=characters), PEOPLE) == expected


def test_an_insert_shows_a_thing_not_a_being_or_a_pointing_word():
    from dreamfactory.writers.draft.storyboard import scene_prop

    assert scene_prop(plan(action="I opened it and found a thin fox shivering on the step."), PEOPLE) == ""
    assert scene_prop(plan(action="Lena sets the first one on the step."), PEOPLE) == ""
    assert scene_prop(plan(action="Marco carries his bellows and a bucket of coals."), PEOPLE) == "bellows"
    assert scene_prop(plan(action="Zoë fetched a crowbar from the café."), PEOPLE) == "crowbar"
    assert scene_prop(plan(action="Tomas sets down his lantern.", characters=["tomas"]), PEOPLE) == "brass lantern"


def test_captions_and_prompts_are_one_line_whatever_the_story_breaks():
    broken = plan(action="Mira climbs\nthe stairs.\n\nShe sees the lamp.", characters=["mira"], duration=12.0,
                  setting="lighthouse,\nlamp room")
    for shot in cut_scene(broken.model_copy(update={"environment": "storm,\nthunder"}), PEOPLE):
        assert "\n" not in shot.description + shot.keyframe_prompt and "  " not in shot.keyframe_prompt

"""Prompts composed to what each text encoder reads, measured with the real CLIP vocabulary (built offline from
open-clip-torch's BPE file) and a T5 tokenizer; a tiny SD 1.5 with the real CLIP tokenizer shows no run truncates."""

from __future__ import annotations

import diffusers
import pytest
import torch
from transformers import CLIPTokenizer

from dreamfactory.contracts import CharacterLook, KeyframeRequest
from dreamfactory.renderers import devices
from dreamfactory.renderers import prompt_budget as budget
from dreamfactory.renderers.diffusers_keyframes import DiffusersKeyframes
from dreamfactory.settings import RenderSettings
from tests.tiny_clip import build_real_clip_tokenizer
from tests.tiny_models import build_tiny_sd, t5_tokenizer

CAST = (
    CharacterLook(id="mira", name="Mira", appearance="a girl of ten with curly copper hair, green eyes, freckles across "
                  "her nose and a gap in her front teeth", wardrobe="a #f2c94c raincoat over a striped jumper, red wellington boots"),
    CharacterLook(id="tom", name="Old Tom", appearance="the lighthouse keeper, tall and stooped, a white beard and bushy "
                  "eyebrows, weathered hands", wardrobe="a navy #1f4e5f pea coat with brass buttons and a knitted cap"),
    CharacterLook(id="gull", name="Pip", kind="bird", appearance="a one-legged herring gull with a notched wing",
                  wardrobe="a tiny red ribbon round one leg"),
)
BD = ("The Base Description: a storm-beaten lighthouse on a granite headland, whitewashed tower with a red lantern room, "
      "a keeper's cottage with a slate roof, a harbour town below with painted boats, the sea always moving. Mira is a "
      "girl of ten with curly copper hair and a yellow raincoat; Old Tom is the tall stooped keeper with a white beard; "
      "Pip is a one-legged gull. Everything is painted in soft watercolour washes with ink outlines.")


def long_request(**kw) -> KeyframeRequest:
    """A shot's request as the planner makes it: the shot first, then scene, C(t-1), look and the Base Description."""
    prompt = ("Mira hands Old Tom the brass key while Pip watches from the rail. Wind howls round the gallery as the "
              "storm closes in. Scene: the lighthouse gallery, night; rain and spray. Continuing from the previous scene: "
              "the lamp has gone out and the boats are still at sea. storybook watercolour. " + BD)
    base = dict(scene_id="s03", shot_id="b", framing="close_up", prompt=prompt, negative_prompt="photo, 3d render, text",
                setting="the lighthouse gallery", time_of_day="night", look="storybook watercolour",
                palette=("#1f4e5f", "#f2c94c", "#c0392b"), characters=CAST, seed=1, width=1280, height=720,
                base_frame_sha="b" * 64)
    return KeyframeRequest(**{**base, **kw})


@pytest.fixture(scope="module")
def clip_dir(tmp_path_factory):
    return build_real_clip_tokenizer(tmp_path_factory.mktemp("clip-tokenizer"))


@pytest.fixture(scope="module")
def clip(clip_dir) -> CLIPTokenizer:
    return CLIPTokenizer.from_pretrained(clip_dir)


def test_the_tokenizer_is_clips_own(clip):
    # OpenAI CLIP's ids for this text (the same in SD 1.5's, SDXL's and FLUX.1's tokenizer folders).
    assert clip("a photo of a cat")["input_ids"] == [49406, 320, 1125, 539, 320, 2368, 49407]
    assert len(clip) == 49408 and clip.model_max_length == 77


def test_a_long_shot_prompt_fits_clip_with_what_matters_most(clip):
    request = long_request()
    assert len(clip(request.prompt, verbose=False)["input_ids"]) > 150  # what the planner hands over is far too long
    clip77 = budget.EncoderBudget("text_encoder", clip, 77)
    composed = budget.keyframe_prompt(request, [clip77])
    tokens = len(clip(composed.text)["input_ids"])
    assert tokens <= 77 and composed.prompt_read[0]["tokens"] == tokens and composed.prompt_read[0]["text"] == composed.text
    text = composed.text
    assert text.startswith("close-up of Mira: Mira hands Old Tom the brass key")  # the shot and its framing lead
    for name in ("Mira", "Old Tom", "Pip the bird"):  # every character in frame, by name and kind
        assert name in text
    assert "storybook watercolour" in text
    assert "#" not in text
    # The Base Description and C(t-1) are what gives way, and the record says so.
    assert any("Base Description" in left for left in composed.left_out)
    assert "Base Description" not in text


def test_a_generous_encoder_reads_looks_wardrobe_and_colours_by_name(clip):
    t5 = budget.EncoderBudget("text_encoder_2", t5_tokenizer(), 4096)  # this tiny T5 spells by letters: 4096 ~ 512 real
    clip77 = budget.EncoderBudget("text_encoder", clip, 77)
    request = long_request()
    wide = budget.keyframe_prompt(request, [t5])
    assert "curly copper hair" in wide.text and "yellow raincoat" in wide.text and "deep teal pea coat" in wide.text
    assert "colours of deep teal, yellow, red" in wide.text and "#" not in wide.text
    assert "Base Description" in wide.text and not wide.left_out
    # With CLIP beside T5 (FLUX.1, SD 3.5) the one prompt fits both: the tighter encoder decides.
    both = budget.keyframe_prompt(request, [clip77, t5])
    assert len(clip(both.text)["input_ids"]) <= 77
    assert [r["encoder"] for r in both.prompt_read] == ["text_encoder", "text_encoder_2"]
    assert all(r["text"] == both.text for r in both.prompt_read)


def test_the_base_frame_prompt_keeps_every_character(clip):
    clip77 = budget.EncoderBudget("text_encoder", clip, 77)
    base = long_request(scene_id="base", shot_id="", framing="wide", base_frame_sha=None,
                        prompt="storybook watercolour. " + BD + " Character sheet, full figures, the headland.")
    composed = budget.keyframe_prompt(base, [clip77])
    assert composed.text.startswith("character sheet, full figures")
    assert all(c.name in composed.text for c in CAST) and "storybook watercolour" in composed.text
    assert len(clip(composed.text)["input_ids"]) <= 77


def test_characters_shorten_before_they_drop(clip):
    clip77 = budget.EncoderBudget("text_encoder", clip, 77)
    composed = budget.keyframe_prompt(long_request(framing="wide"), [clip77])
    assert composed.shortened  # long looks gave way to shorter forms
    # A character's shortest form is name and kind: three names fit in any budget that fits the shot.
    assert all(c.name in composed.text for c in CAST)


def test_a_shot_longer_than_the_budget_keeps_its_first_words(clip):
    clip77 = budget.EncoderBudget("text_encoder", clip, 77)
    huge = "Mira " + "runs and runs " * 60 + "to the sea."
    composed = budget.keyframe_prompt(long_request(prompt=huge, characters=()), [clip77])
    assert composed.text.startswith("close-up") or composed.text.startswith("wide shot")
    assert len(clip(composed.text)["input_ids"]) <= 77
    assert composed.prompt_read[0]["text"] == composed.text


def test_negative_prompt_items_kept_in_order_while_they_fit(clip):
    clip77 = budget.EncoderBudget("text_encoder", clip, 12)
    items = budget.negative_items("blurry, deformed, extra limbs", "text, watermark, blurry")
    assert items == ["blurry", "deformed", "extra limbs", "text", "watermark"]
    composed = budget.compose_list(items, [clip77])
    assert len(clip(composed.text)["input_ids"]) <= 12
    assert composed.text.startswith("blurry, deformed") and composed.left_out


@pytest.fixture(scope="module")
def real_sd(tmp_path_factory, clip_dir):
    """A tiny SD 1.5 whose tokenizer is the real CLIP one (its text encoder embeds all 49408 tokens)."""
    return build_tiny_sd(tmp_path_factory.mktemp("sd"), clip_tokenizer=clip_dir)


def test_budgets_come_from_the_pipeline(real_sd):
    pipe = diffusers.StableDiffusionPipeline.from_pretrained(real_sd)
    budgets = budget.encoder_budgets(pipe)
    assert [(b.encoder, b.max_tokens) for b in budgets] == [("text_encoder", 77)]
    assert budget.call_default(pipe, "guidance_scale") == 7.5 and budget.call_default(pipe, "max_sequence_length") is None


def test_no_run_prints_clips_truncation_warning(real_sd, capfd, caplog):
    torch.set_num_threads(1)
    devices.release_pipelines()
    settings = RenderSettings(keyframe_backend="diffusers", image_model=str(real_sd), steps=1, keyframe_size=32,
                              device="cpu", dtype="float32")
    renderer = DiffusersKeyframes(settings)
    base = renderer.render(long_request(scene_id="base", shot_id="", base_frame_sha=None), None)
    renderer.render(long_request(), base)
    notes = renderer.last_notes
    assert notes["prompt_read"][0]["tokens"] <= 77 and notes["prompt_left_out"]
    assert notes["negative_prompt_read"][0]["text"].startswith("photo, 3d render, text")
    ours = capfd.readouterr().err + caplog.text  # diffusers and transformers log through `logging` (and stderr)
    assert "truncated" not in ours
    assert "longer than the specified maximum" not in ours

    # The control: the same pipeline given the planner's raw prompt does warn, so the check above can fail.
    caplog.clear()
    pipe = devices.load_pipeline(renderer.spec()).pipe
    pipe(prompt=long_request().prompt, num_inference_steps=1, width=32, height=32, output_type="np")
    assert "truncated because CLIP can only handle sequences up to 77 tokens" in capfd.readouterr().err + caplog.text
    devices.release_pipelines()


def img2img_calls(monkeypatch) -> list[dict]:
    """The keyword arguments of every SD img2img call from here on (the real call still runs)."""
    calls, real = [], diffusers.StableDiffusionImg2ImgPipeline.__call__

    def spy(self, *args, **kwargs):
        calls.append(kwargs)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(diffusers.StableDiffusionImg2ImgPipeline, "__call__", spy)
    return calls


def test_compel_lets_a_long_prompt_through_in_chunks(real_sd, monkeypatch, capfd, caplog):
    torch.set_num_threads(1)
    devices.release_pipelines()
    calls = img2img_calls(monkeypatch)
    settings = RenderSettings(keyframe_backend="diffusers", image_model=str(real_sd), steps=1, keyframe_size=32,
                              device="cpu", dtype="float32", long_prompts="compel", prompt_chunks=3)
    renderer = DiffusersKeyframes(settings)
    base = renderer.render(long_request(scene_id="base", shot_id="", base_frame_sha=None), None)
    renderer.render(long_request(), base)
    notes = renderer.last_notes
    read = notes["prompt_read"][0]
    assert notes["prompt_chunks"] >= 3 and 77 < read["tokens"] <= 3 * 75 + 2
    assert "Mira hands Old Tom the brass key" in read["text"] and "red wellington boots" in read["text"]
    assert calls[-1]["prompt_embeds"].shape[1] == notes["prompt_chunks"] * 77  # CLIP windows side by side
    assert "prompt" not in calls[-1]
    assert "truncated" not in capfd.readouterr().err + caplog.text
    assert renderer.identity()["long_prompts"] == "compel"
    compose = DiffusersKeyframes(settings.model_copy(update={"long_prompts": "compose"}))
    assert compose.identity() != renderer.identity()
    devices.release_pipelines()


CROWD = CAST + (
    CharacterLook(id="elena", name="Elena", appearance="a tall woman with black braids and brown eyes",
                  wardrobe="a leather apron over a green dress"),
    CharacterLook(id="gus", name="Gus", kind="creature", appearance="a grey goose with a proud neck",
                  wardrobe="a blue scarf"),
    CharacterLook(id="bolt", name="Bolt", kind="robot", appearance="a dented robot with copper plating",
                  wardrobe="a purple bow tie"),
)


def test_a_character_shortens_to_the_looks_it_is_drawn_in(clip):
    """Between its whole looks and its bare name, a character keeps the colours the animatic draws it in."""
    forms = budget.character_forms(CROWD[4])
    assert forms[0].startswith("Gus the goose: a grey goose")
    assert forms[1:] == ["Gus the goose: a grey goose with a proud neck; blue scarf", "Gus the goose: grey goose, blue scarf",
                         "Gus the goose"]
    clip77 = budget.EncoderBudget("text_encoder", clip, 77)
    composed = budget.keyframe_prompt(long_request(characters=CAST, framing="wide"), [clip77])
    assert "yellow raincoat" in composed.text and "white beard" in composed.text, composed.text


def test_a_crowded_shot_on_clip_keeps_every_name_and_look_in_chunks(real_sd, monkeypatch):
    """Six in frame on SD 1.5 with long_prompts left at 'compose': 77 tokens would shorten them to bare names, so the
    prompt goes through CLIP in chunks (prompt_embeds) with every name and coloured look; two in frame stay plain."""
    torch.set_num_threads(1)
    devices.release_pipelines()
    clip77 = budget.EncoderBudget("text_encoder", budget.encoder_budgets(
        diffusers.StableDiffusionPipeline.from_pretrained(real_sd))[0].tokenizer, 77)
    squeezed = budget.keyframe_prompt(long_request(characters=CROWD, framing="wide"), [clip77])
    looks = (("Mira", "yellow raincoat"), ("Old Tom", "white beard"), ("Pip the bird", "red ribbon"),
             ("Elena", "green dress"), ("Gus the goose", "blue scarf"), ("Bolt the robot", "copper plating"))
    assert [look for _, look in looks if look not in squeezed.text], "the control: 77 tokens cannot hold six looks"
    calls = img2img_calls(monkeypatch)
    settings = RenderSettings(keyframe_backend="diffusers", image_model=str(real_sd), steps=1, keyframe_size=32,
                              device="cpu", dtype="float32")
    assert settings.long_prompts == "compose"
    renderer = DiffusersKeyframes(settings)
    base = renderer.render(long_request(scene_id="base", shot_id="", base_frame_sha=None, characters=CROWD[:2]), None)
    renderer.render(long_request(characters=CROWD, framing="wide"), base)
    notes, crowded = renderer.last_notes, calls[-1]
    read = notes["prompt_read"][0]["text"]
    assert "prompt" not in crowded and crowded["prompt_embeds"].shape[1] == notes["prompt_chunks"] * 77 > 77
    assert "6 characters in frame" in notes["long_prompt"]
    for name, look in looks:
        assert name in read and look in read, (name, look, read)
    whole = [budget.Part("character", budget.character_forms(c)).forms[0] for c in CROWD]
    assert not set(whole) & set(notes.get("prompt_left_out", [])), "no character is left out"
    renderer.render(long_request(characters=CROWD[:2], framing="wide"), base)
    assert "prompt" in calls[-1] and "prompt_embeds" not in calls[-1] and "long_prompt" not in renderer.last_notes
    devices.release_pipelines()

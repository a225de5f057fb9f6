"""Qwen-Image-Edit and Qwen-Image-Edit-Plus (2509) as keyframe renderers, and a whole film with the Plus model.

The tiny pipelines (tests/tiny_qwen_edit.py) are saved with save_pretrained and loaded by the product's own code from
their model_index.json, as a hub checkpoint would be: the Base frame is drawn by the text-to-image sibling
(QwenImagePipeline on the same weights), and every shot's keyframe is an edit of it, with true CFG.
"""

from __future__ import annotations

import functools
import json
import logging

import diffusers
import pytest
import transformers

from dreamfactory.cli import main
from dreamfactory.contracts import CharacterLook, RenderRecord
from dreamfactory.renderers import devices
from dreamfactory.renderers.diffusers_keyframes import EDIT_KEEP, DiffusersKeyframes
from tests.conftest import SAMPLE
from tests.renderers.test_diffusers_families import MIRA, base_shot, keyframe_settings, shot, spy
from tests.tiny_qwen_edit import build_tiny_qwen_image_edit

EDIT = {False: diffusers.QwenImageEditPipeline, True: diffusers.QwenImageEditPlusPipeline}
FAMILY = {False: "qwen-image-edit", True: "qwen-image-edit-plus"}
TRUNCATION = ("truncat", "longer than the specified maximum")  # what transformers and diffusers say when they cut


pytestmark = pytest.mark.usefixtures("one_torch_thread", "fresh_pipelines")


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("qwen-edit")
    built = {}

    def model(plus: bool):
        if plus not in built:
            built[plus] = build_tiny_qwen_image_edit(root / FAMILY[plus], plus=plus)
        return built[plus]

    return model


@pytest.fixture
def library_warnings(caplog, recwarn, monkeypatch):
    """Every warning transformers and diffusers log or raise during the test (their loggers do not propagate)."""
    for name in ("transformers", "diffusers"):
        monkeypatch.setattr(logging.getLogger(name), "propagate", True)
    caplog.set_level(logging.WARNING)
    return lambda: [r.getMessage() for r in caplog.records] + [str(w.message) for w in recwarn]


def encoder_inputs(monkeypatch) -> list[list[int]]:
    """The token ids the edit pipelines' processor hands the text encoder (template, image tokens and prompt)."""
    seen, real = [], transformers.Qwen2VLProcessor.__call__

    @functools.wraps(real)
    def recording(self, *args, **kwargs):
        inputs = real(self, *args, **kwargs)
        seen.extend(inputs["input_ids"].tolist())
        return inputs

    monkeypatch.setattr(transformers.Qwen2VLProcessor, "__call__", recording)
    return seen


def crowded_shot():
    """A shot whose full prompt is far over 512 tokens: six characters described at length."""
    cast = tuple(CharacterLook(id=f"c{i}", name=f"Sailor {i}", appearance="weathered face, " * 12 + "grey beard",
                               wardrobe="an oilskin coat with brass buttons, " * 6 + "a wool cap") for i in range(6))
    return shot(characters=(MIRA, *cast), prompt="Mira climbs the stairs. " + "The lamp room glows. " * 40)


@pytest.mark.parametrize("plus", [False, True], ids=list(FAMILY.values()))
def test_base_frame_from_text_then_each_shot_an_edit_of_it(models, monkeypatch, plus):
    renderer = DiffusersKeyframes(keyframe_settings(models(plus)).model_copy(update={"guidance": 3.0}))
    text_calls, edit_calls = spy(monkeypatch, diffusers.QwenImagePipeline), spy(monkeypatch, EDIT[plus])
    base = renderer.render(base_shot(), None)
    assert len(text_calls) == 1 and edit_calls == []  # the Base frame from text, the same weights through from_pipe
    assert text_calls[0]["true_cfg_scale"] == 3.0 and text_calls[0]["negative_prompt"].startswith("crowds")
    assert "tie" not in renderer.last_notes
    keyframe = renderer.render(shot(), base)
    assert keyframe.size == base.size == (64, 32)  # short side 32, sides a multiple of 32 (16x VAE, 2x2 patches)
    edit = edit_calls[-1]
    images = edit["image"] if plus else [edit["image"]]
    assert isinstance(edit["image"], list) == plus  # Plus takes a list of images, Edit one
    assert [i.tobytes() for i in images] == [base.tobytes()]
    assert (edit["width"], edit["height"]) == base.size
    assert edit["true_cfg_scale"] == 3.0 and edit["negative_prompt"].startswith("crowds")
    assert edit["prompt"].startswith(EDIT_KEEP) and "close-up of Mira" in edit["prompt"]
    assert renderer.last_notes["tie"] == {"by": "edit", "pipeline": EDIT[plus].__name__}
    assert renderer.identity()["family"] == FAMILY[plus] and renderer.identity()["pipeline"] == EDIT[plus].__name__
    assert renderer.render(shot(seed=4), base).tobytes() != keyframe.tobytes()
    assert len(devices.loaded_pipelines()) == 1  # one load for the Base frame and every edit


@pytest.mark.parametrize("plus", [False, True], ids=list(FAMILY.values()))
def test_a_long_instruction_is_composed_to_the_budget_and_read_whole(models, monkeypatch, library_warnings, plus):
    renderer = DiffusersKeyframes(keyframe_settings(models(plus)))
    base = renderer.render(base_shot(), None)
    calls, read_ids = spy(monkeypatch, EDIT[plus]), encoder_inputs(monkeypatch)
    renderer.render(crowded_shot(), base)
    prompt, notes = calls[-1]["prompt"], renderer.last_notes
    pipe = devices.load_pipeline(renderer.spec()).pipe
    tokenizer = pipe.tokenizer
    # The budget leaves room for the template's close after the prompt (what Qwen-Image's text-to-image pipeline,
    # which draws the Base frame on these weights, keeps within max_sequence_length).
    close = len(tokenizer(pipe.prompt_template_encode.split("{}")[1], add_special_tokens=False)["input_ids"])
    read = notes["prompt_read"][0]
    assert (read["encoder"], read["tokenizer"], read["max_tokens"]) == ("text_encoder", "Qwen2Tokenizer", 512 - close)
    assert read["text"] == prompt and read["tokens"] == len(tokenizer(prompt)["input_ids"]) <= 512 - close
    assert read["tokens"] > 400 and notes["prompt_left_out"]  # the budget was what bound it, not the prompt's length
    assert all(name in prompt for name in ("Mira", "Sailor 0", "Sailor 5"))  # every character by name before any looks
    # The encoder reads the pipeline's template with the image's tokens, then the whole instruction: nothing cut.
    assert len(read_ids) == 2  # the prompt and the negative prompt, each with the Base frame
    ids = read_ids[0]
    text = tokenizer.decode(ids)
    assert text.endswith(f"{prompt}<|im_end|>\n<|im_start|>assistant\n")
    image_tokens = ids.count(tokenizer.convert_tokens_to_ids("<|image_pad|>"))
    assert image_tokens > 0 and len(ids) > read["tokens"] + image_tokens
    assert not [m for m in library_warnings() if any(t in m.lower() for t in TRUNCATION)]


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_film_with_qwen_image_edit_plus_keyframes(tmp_path, capsys, models, monkeypatch):
    """The CLI makes a film whose keyframes are Qwen-Image-Edit-Plus edits of its Base frame (animatic clips)."""
    for name, value in {"KEYFRAME_SIZE": "32", "STEPS": "2"}.items():
        monkeypatch.setenv(f"DREAMFACTORY_RENDER__{name}", value)
    store = tmp_path / "store"
    argv = ["make", str(SAMPLE), "--store", str(store), "--json", "--image-model", str(models(True)),
            "--width", "128", "--height", "64", "--fps", "4", "--no-sound", "--scenes", "2"]
    text_calls = spy(monkeypatch, diffusers.QwenImagePipeline)
    edit_calls = spy(monkeypatch, diffusers.QwenImageEditPlusPipeline)
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["keyframes"]["rendered"] >= 2 and result["keyframes"]["cached"] == 0
    base = [RenderRecord.model_validate_json(p.read_text()) for p in store.rglob("base/*.json")
            if not p.name.startswith("bd-")]  # not the Base Description
    keyframes = [RenderRecord.model_validate_json(p.read_text()) for p in store.rglob("keyframes/**/*.json")]
    assert len(base) == 1 and len(keyframes) == result["keyframes"]["rendered"]
    assert {r.renderer for r in base + keyframes} == {"diffusers"}
    assert {r.identity["family"] for r in base + keyframes} == {"qwen-image-edit-plus"}
    assert "tie" not in base[0].notes and len(text_calls) == 1  # drawn from text by the QwenImagePipeline sibling
    for record in keyframes:
        assert record.notes["tie"] == {"by": "edit", "pipeline": "QwenImageEditPlusPipeline"}
        assert record.inputs["base_frame_sha"] == base[0].sha256
    assert len(edit_calls) == len(keyframes)
    assert all(len(c["image"]) == 1 and c["negative_prompt"].strip() for c in edit_calls)  # a list; true CFG
    for record in base + keyframes:
        read = record.notes["prompt_read"][0]
        assert read["encoder"] == "text_encoder" and 0 < read["tokens"] <= read["max_tokens"] < 512 and read["text"]
    # The second run loads nothing and renders nothing.
    devices.release_pipelines()
    assert main(argv) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["keyframes"]["rendered"] == 0 and again["keyframes"]["cached"] == result["keyframes"]["rendered"]
    assert again["base_frame"] == {"rendered": 0, "cached": 1}
    assert devices.loaded_pipelines() == [] and len(text_calls) == 1 and len(edit_calls) == len(keyframes)

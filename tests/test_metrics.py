"""The consistency metrics: their math on constructed inputs, and the real models at the smallest size.

Real: MTCNN (weights in the wheel), dlib's face model, scikit-image's face photographs, a tiny random CLIP
saved with save_pretrained. Fakes, named as such: constructed embeddings, and random facenet weights
(the VGGFace2 file cannot be had offline) that only exercise the loader.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PIL import Image, ImageEnhance, ImageOps

pytest.importorskip("facenet_pytorch")
pytest.importorskip("dlib")
skimage_data = pytest.importorskip("skimage.data")

from dreamfactory.metrics import (  # noqa: E402
    EvaluationReport,
    GateThresholds,
    MetricOptions,
    MetricUnavailable,
    SceneFrames,
    clip_scores,
    compare,
    cross_scene_face_distance,
    cross_scene_style_consistency,
    describe_missing,
    evaluate_frames,
    face_distance,
    failures,
    find_faces,
    missing_weights,
    passes,
    score_keyframe,
    style_embeddings,
)
from dreamfactory.metrics.cache import load_once  # noqa: E402
from dreamfactory.metrics.faces import Face, SceneFaces, detect_faces, embedder_name, load_face_embedder  # noqa: E402
from dreamfactory.metrics.gate import GRAM_STYLE_THRESHOLD  # noqa: E402
from dreamfactory.metrics.weights import FACENET_FILE  # noqa: E402

GRAM_DLIB = MetricOptions(clip_model=None, face_embedder="dlib")


def _rgb(array) -> Image.Image:
    return Image.fromarray(array).convert("RGB")


def _shift_brighten(image: Image.Image) -> Image.Image:
    shifted = Image.fromarray(np.roll(np.asarray(image), (12, 20), axis=(0, 1)))
    return ImageEnhance.Brightness(shifted).enhance(1.1)


@pytest.fixture(scope="module")
def frames(tmp_path_factory):
    """Keyframe files: the astronaut, a shifted and brightened copy, the cameraman, the coffee cup."""
    folder = tmp_path_factory.mktemp("frames")
    astronaut = _rgb(skimage_data.astronaut())
    images = {
        "astronaut": astronaut,
        "astronaut_moved": _shift_brighten(astronaut),
        "camera": _rgb(skimage_data.camera()),
        "coffee": _rgb(skimage_data.coffee()),
    }
    paths = {}
    for name, image in images.items():
        paths[name] = folder / f"{name}.png"
        image.save(paths[name])
    return paths


@pytest.fixture(scope="module")
def same_report(frames):
    scenes = [SceneFrames(scene_id=f"s{k}", keyframe=frames["astronaut"], prompt="an astronaut", characters=["hero"]) for k in range(3)]
    return evaluate_frames(frames["astronaut"], scenes, options=GRAM_DLIB)


@pytest.fixture(scope="module")
def mixed_report(frames):
    scenes = [
        SceneFrames(scene_id="s0", keyframe=frames["astronaut_moved"], characters=["hero"]),
        SceneFrames(scene_id="s1", keyframe=frames["camera"], characters=["hero"]),
        SceneFrames(scene_id="s2", keyframe=frames["coffee"], characters=[]),
    ]
    return evaluate_frames(frames["astronaut"], scenes, options=GRAM_DLIB)


@pytest.fixture(scope="module")
def tiny_clip_dir(tmp_path_factory):
    pytest.importorskip("transformers")
    try:  # tests/ is a package in this repo; the plain name covers a checkout where it is not
        from tests.tiny_clip import build_tiny_clip
    except ImportError:
        from tiny_clip import build_tiny_clip

    return build_tiny_clip(tmp_path_factory.mktemp("tiny-clip"))


# --- metric math on constructed inputs -------------------------------------------------------------------------


def _face(*embedding: float, x: float = 0.0, p: float = 0.99) -> Face:
    return Face(box=(x, 0.0, x + 10.0, 10.0), probability=p, embedding=np.array(embedding, dtype=float))


def test_csfd_attributes_faces_to_characters_then_to_base_faces():
    hero, villain = _face(0, 0), _face(10, 0)
    scenes = [
        SceneFaces("s1", [hero], ["hero"]),
        SceneFaces("s2", [villain], ["villain"]),
        SceneFaces("s3", [_face(10, 1), _face(0, 1)], ["hero", "villain"]),  # matched to the references
        SceneFaces("s4", [_face(0, 3)], []),  # nobody on screen: ignored
    ]
    result = cross_scene_face_distance([], scenes)
    by_id = {r.identity: r for r in result.identities}
    assert by_id["hero"].scenes == ["s1", "s3"] and by_id["hero"].mean_distance == pytest.approx(1.0)
    assert by_id["villain"].scenes == ["s2", "s3"] and by_id["villain"].mean_distance == pytest.approx(1.0)
    assert result.csfd == pytest.approx(1.0)

    base = [_face(10, 0, x=50), _face(0, 0, x=0)]  # base-face-1 is the leftmost
    unknown = [SceneFaces("a", [_face(0, 2), _face(10, 2)], None), SceneFaces("b", [_face(0, 4), _face(10, 0)], None)]
    result = cross_scene_face_distance(base, unknown)
    by_id = {r.identity: r for r in result.identities}
    assert {r.attributed_by for r in result.identities} == {"base_frame"}
    assert by_id["base-face-1"].mean_distance == pytest.approx(2.0)
    assert by_id["base-face-2"].mean_distance == pytest.approx(2.0)
    assert result.to_base == {"a": pytest.approx(2.0), "b": pytest.approx(2.0)}


def test_csfd_is_undefined_without_faces_and_says_why():
    result = cross_scene_face_distance([], [SceneFaces("a", [], ["hero"]), SceneFaces("b", [], ["hero"])])
    assert result.csfd is None and "no faces" in result.note


def test_cssc_math():
    e = np.eye(3)
    same = cross_scene_style_consistency(e[0], np.stack([e[0], e[0], e[0]]))
    assert same.cssc == pytest.approx(1.0) and same.to_base == pytest.approx([1, 1, 1])
    mixed = cross_scene_style_consistency(e[0], np.stack([e[0], e[1]]))
    assert mixed.cssc == pytest.approx(0.0) and mixed.to_base == pytest.approx([1.0, 0.0])
    assert cross_scene_style_consistency(e[0], e[:1]).cssc is None


# --- the same frame in every scene, and different frames --------------------------------------------------------


def test_same_frame_in_every_scene_gives_csfd_0_and_cssc_1(same_report):
    r = same_report
    assert r.face_embedder == "dlib-resnet-v1" and r.style_embedding == "gram-v1" and r.clip_model is None
    assert r.csfd == pytest.approx(0.0, abs=1e-9)
    assert r.cssc == pytest.approx(1.0)
    assert r.base_faces == 1 and [s.faces_found for s in r.scenes] == [1, 1, 1]
    assert all(s.face_distance_to_base == pytest.approx(0.0, abs=1e-9) for s in r.scenes)
    assert all(s.style_similarity_to_base == pytest.approx(1.0) for s in r.scenes)
    assert r.clip_score is None and any("CLIP score not computed" in n for n in r.notes)


def test_different_frames_are_less_consistent(mixed_report):
    r = mixed_report
    hero = next(i for i in r.identities if i.identity == "hero")
    assert hero.attributed_by == "character" and hero.scenes == ["s0", "s1"]
    assert r.csfd == pytest.approx(hero.mean_distance) and r.csfd > 0.6  # a different person
    assert r.cssc < 0.95
    moved, camera, coffee = r.scenes
    assert moved.face_distance_to_base < 0.6 < camera.face_distance_to_base
    assert coffee.face_distance_to_base is None  # nobody on screen
    assert moved.style_similarity_to_base > max(camera.style_similarity_to_base, coffee.style_similarity_to_base)


def test_unrelated_images_score_lower_style_similarity_than_a_moved_copy(frames):
    names = ["astronaut", "astronaut_moved", "camera", "coffee"]
    embeddings, name = style_embeddings([Image.open(frames[n]) for n in names], GRAM_DLIB)
    assert name == "gram-v1"
    similarity = embeddings @ embeddings[0]
    assert similarity[0] == pytest.approx(1.0)
    assert similarity[1] >= 0.965 > 0.93 >= max(similarity[2], similarity[3])


# --- faces: real MTCNN and dlib -----------------------------------------------------------------------------------


def test_mtcnn_finds_the_astronauts_face():
    found = detect_faces(_rgb(skimage_data.astronaut()), GRAM_DLIB)
    assert len(found) == 1
    (x1, y1, x2, y2), probability = found[0]
    assert probability > 0.99
    assert 150 < x1 < 210 and 30 < y1 < 100 and 240 < x2 < 300 and 140 < y2 < 210  # around her face, not the suit


def test_dlib_same_face_is_close_and_different_faces_are_far():
    astronaut = _rgb(skimage_data.astronaut())
    lfw = skimage_data.lfw_subset()[0]  # 25x25 grey face of another person
    other = Image.fromarray((lfw * 255).astype(np.uint8)).convert("RGB").resize((200, 200), Image.BICUBIC)
    [face] = find_faces(astronaut, GRAM_DLIB)
    assert face.embedding.shape == (128,)
    same = face_distance(face, find_faces(ImageOps.mirror(astronaut).resize((384, 384)), GRAM_DLIB)[0])
    cameraman = face_distance(face, find_faces(_rgb(skimage_data.camera()), GRAM_DLIB)[0])
    stranger = face_distance(face, find_faces(other, GRAM_DLIB)[0])
    assert same < 0.6 < min(cameraman, stranger)


def test_models_load_once_per_process_across_threads():
    calls, results = [], []

    def factory():
        calls.append(1)
        return object()

    threads = [threading.Thread(target=lambda: results.append(load_once(("test-once",), factory))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len({id(r) for r in results}) == 1
    assert load_face_embedder(GRAM_DLIB) is load_face_embedder(GRAM_DLIB)


def test_facenet_loader_reads_a_local_weight_file_with_random_fake_weights(tmp_path, monkeypatch):
    """The real VGGFace2 file is not to be had offline: random weights in its place check the loading path only."""
    import torch
    from facenet_pytorch import InceptionResnetV1

    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    assert embedder_name(MetricOptions()) == "dlib-resnet-v1"  # auto, no file yet
    fake = InceptionResnetV1(pretrained=None).state_dict()
    fake["logits.weight"], fake["logits.bias"] = torch.zeros(8631, 512), torch.zeros(8631)  # as in the released file
    (tmp_path / "checkpoints").mkdir()
    torch.save(fake, tmp_path / "checkpoints" / FACENET_FILE)
    options = MetricOptions(clip_model=None)
    assert embedder_name(options) == "facenet-vggface2"
    assert not [m for m in missing_weights(options) if m.name == "facenet-vggface2"]
    [face] = find_faces(_rgb(skimage_data.astronaut()), options)
    assert face.embedding.shape == (512,) and np.linalg.norm(face.embedding) == pytest.approx(1.0)


# --- CLIP: a tiny random model from a local folder ------------------------------------------------------------------


def test_tiny_clip_gives_clip_scores_and_style_embeddings(tiny_clip_dir, frames):
    options = MetricOptions(clip_model=str(tiny_clip_dir), face_embedder="dlib")
    images = [Image.open(frames["astronaut"]), Image.open(frames["coffee"])]
    scores = clip_scores(images, ["an astronaut in a white suit", "a cup of coffee"], options)
    assert len(scores) == 2 and all(0.0 <= s <= 100.0 for s in scores)
    embeddings, name = style_embeddings(images, options)
    assert name == f"clip:{tiny_clip_dir}" and embeddings.shape == (2, 16)

    scenes = [SceneFrames(scene_id=f"s{k}", keyframe=frames["astronaut"]) for k in range(2)]
    report = evaluate_frames(frames["astronaut"], scenes, prompts={"s0": "an astronaut"}, options=options)
    assert report.style_embedding == f"clip:{tiny_clip_dir}" and report.clip_model == str(tiny_clip_dir)
    assert report.cssc == pytest.approx(1.0) and 0.0 <= report.clip_score <= 100.0
    assert report.scenes[0].clip_score == report.clip_score and report.scenes[1].clip_score is None
    assert any("without a prompt" in n for n in report.notes)
    assert not [m for m in report.missing if m.name.startswith("clip")]


def test_clip_score_without_clip_says_what_to_download_and_where(tmp_path):
    folder = tmp_path / "no-clip-here"
    with pytest.raises(MetricUnavailable) as err:
        clip_scores([Image.new("RGB", (32, 32))], ["a frame"], MetricOptions(clip_model=str(folder)))
    assert "hf download openai/clip-vit-base-patch32" in str(err.value) and f"--local-dir {folder}" in str(err.value)
    with pytest.raises(MetricUnavailable, match="dreamfactory-tests/no-such-clip"):
        clip_scores([Image.new("RGB", (32, 32))], ["a frame"], MetricOptions(clip_model="dreamfactory-tests/no-such-clip"))


def test_missing_weights_names_the_file_and_the_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    missing = {m.name: m for m in missing_weights(MetricOptions(clip_model=None))}
    facenet = missing["facenet-vggface2"]
    assert facenet.file == FACENET_FILE and facenet.put_in == str(tmp_path / "torch" / "checkpoints")
    assert facenet.instead == "faces use dlib-resnet-v1"
    text = describe_missing(list(missing.values()))
    assert FACENET_FILE in text and str(tmp_path / "torch" / "checkpoints") in text
    assert "hf download openai/clip-vit-base-patch32" in text and "DREAMFACTORY_METRICS__CLIP_MODEL" in text


# --- the report: Parquet, PNG, compare --------------------------------------------------------------------------------


def test_report_round_trips_through_parquet(mixed_report, tmp_path):
    mixed_report.to_parquet(tmp_path / "report.parquet")
    assert EvaluationReport.from_parquet(tmp_path / "report.parquet") == mixed_report


def test_report_chart_is_written_and_shows_bars(mixed_report, tmp_path):
    from dreamfactory.metrics.chart import FACE_BAR, STYLE_BAR

    path = mixed_report.plot_png(tmp_path / "report.png")
    with Image.open(path) as chart:
        assert chart.format == "PNG" and chart.size == (1200, 760)
        pixels = np.asarray(chart.convert("RGB")).reshape(-1, 3)
    counts = {c: int(np.all(pixels == c, axis=1).sum()) for c in (STYLE_BAR, FACE_BAR)}
    assert counts[STYLE_BAR] > 5000 and counts[FACE_BAR] > 500
    assert len(np.unique(pixels, axis=0)) > 20  # text and lines, not a flat image


def test_compare_puts_two_reports_side_by_side(same_report, mixed_report):
    table = compare(same_report, mixed_report)
    rows = {r.metric: r for r in table.rows}
    csfd = rows["CSFD (lower is better)"]
    assert csfd.a == pytest.approx(0.0, abs=1e-9) and csfd.delta == pytest.approx(mixed_report.csfd) and csfd.better == "a"
    assert rows["CSSC"].better == "a" and rows["CLIP score"].delta is None
    assert "s0: style to Base" in rows and "CSFD" in table.to_text()
    other = same_report.model_copy(update={"style_embedding": "clip:x"})
    assert "not comparable" in {r.metric: r for r in compare(other, mixed_report).rows}["CSSC"].note


# --- the Reviewer's gate ----------------------------------------------------------------------------------------------


def test_gate_passes_a_moved_copy_and_fails_another_person(frames):
    with_gram = GateThresholds(style_min_similarity={"clip": 0.75, "gram-v1": GRAM_STYLE_THRESHOLD})
    kept = score_keyframe(frames["astronaut"], frames["astronaut_moved"], ["hero"], GRAM_DLIB)
    assert kept.face_distance < 0.6 and kept.style_similarity >= GRAM_STYLE_THRESHOLD
    assert passes(kept) and passes(kept, with_gram)
    assert kept.style_distance == pytest.approx(1 - kept.style_similarity)
    drifted = score_keyframe(frames["astronaut"], frames["camera"], ["hero"], GRAM_DLIB)
    assert not passes(drifted) and len(failures(drifted)) == 1 and "face" in failures(drifted)[0]
    reasons = failures(drifted, with_gram)  # the opt-in Gram style gate also catches the grey photograph
    assert len(reasons) == 2 and "style" in reasons[1]
    assert passes(drifted, GateThresholds(face_max_distance={}, style_min_similarity={}))
    nobody = score_keyframe(frames["astronaut"], frames["camera"], [], GRAM_DLIB)
    assert nobody.face_distance is None and nobody.faces_keyframe == 1 and passes(nobody)

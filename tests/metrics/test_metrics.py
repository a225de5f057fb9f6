"""The consistency metrics: their math on constructed inputs, and the real models at the smallest size.

Real: MTCNN (weights in the wheel), dlib's face model, scikit-image's face photographs (used as keyframes of films
put in a real store by the test), a tiny random CLIP saved with save_pretrained. Fakes, named as such: constructed
embeddings, and random facenet weights (the VGGFace2 file cannot be had offline) that only exercise the loader.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageEnhance, ImageOps



def need(*modules: str):
    """scikit-image's sample photographs, skipping this test (only) when they or the metrics extra's models named are
    not installed; the tests of the metric math need none of them and run anyway."""
    for module in ("skimage", *modules):
        pytest.importorskip(module, reason=f"the metrics extra is not installed: no {module}")
    from skimage import data

    return data



from dreamfactory.metrics import (  # noqa: E402
    EvaluationReport,
    GateThresholds,
    MetricOptions,
    MetricUnavailable,
    ShotFrames,
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
from dreamfactory.metrics.faces import Face, ShotFaces, detect_faces, embedder_name, load_face_embedder  # noqa: E402
from dreamfactory.metrics.gate import GRAM_STYLE_THRESHOLD  # noqa: E402
from dreamfactory.metrics.weights import FACENET_FILE  # noqa: E402

GRAM_DLIB = MetricOptions(clip_model=None, face_embedder="dlib")
pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _rgb(array) -> Image.Image:
    return Image.fromarray(array).convert("RGB")


def _shift_brighten(image: Image.Image) -> Image.Image:
    shifted = Image.fromarray(np.roll(np.asarray(image), (12, 20), axis=(0, 1)))
    return ImageEnhance.Brightness(shifted).enhance(1.1)


@pytest.fixture(scope="module")
def frames(tmp_path_factory):
    """Keyframe files: the astronaut, a shifted and brightened copy, the cameraman, the coffee cup."""
    skimage_data = need("facenet_pytorch", "dlib")
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
    shots = [ShotFrames(scene_id=f"s{k}", shot_id="a", keyframe=frames["astronaut"], prompt="an astronaut",
                        characters=["hero"]) for k in range(3)]
    return evaluate_frames(frames["astronaut"], shots, options=GRAM_DLIB)


@pytest.fixture(scope="module")
def mixed_report(frames):
    shots = [
        ShotFrames(scene_id="s0", shot_id="a", keyframe=frames["astronaut_moved"], characters=["hero"]),
        ShotFrames(scene_id="s1", shot_id="a", keyframe=frames["camera"], characters=["hero"]),
        ShotFrames(scene_id="s2", shot_id="a", keyframe=frames["coffee"], characters=[]),
    ]
    return evaluate_frames(frames["astronaut"], shots, options=GRAM_DLIB)


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
    shots = [
        ShotFaces("s1", "a", [hero], ["hero"]),
        ShotFaces("s2", "a", [villain], ["villain"]),
        ShotFaces("s3", "a", [_face(10, 1), _face(0, 1)], ["hero", "villain"]),  # matched to the references
        ShotFaces("s4", "a", [_face(0, 3)], []),  # nobody in frame: ignored
    ]
    result = cross_scene_face_distance([], shots)
    by_id = {r.identity: r for r in result.identities}
    assert by_id["hero"].shots == ["s1/a", "s3/a"] and by_id["hero"].mean_distance == pytest.approx(1.0)
    assert by_id["villain"].shots == ["s2/a", "s3/a"] and by_id["villain"].mean_distance == pytest.approx(1.0)
    assert result.csfd == pytest.approx(1.0)

    base = [_face(10, 0, x=50), _face(0, 0, x=0)]  # base-face-1 is the leftmost
    unknown = [ShotFaces("a", "a", [_face(0, 2), _face(10, 2)], None), ShotFaces("b", "a", [_face(0, 4), _face(10, 0)], None)]
    result = cross_scene_face_distance(base, unknown)
    by_id = {r.identity: r for r in result.identities}
    assert {r.attributed_by for r in result.identities} == {"base_frame"}
    assert by_id["base-face-1"].mean_distance == pytest.approx(2.0)
    assert by_id["base-face-2"].mean_distance == pytest.approx(2.0)


def test_csfd_groups_shots_by_scene_and_each_shot_has_its_own_distances():
    """Scene s1 has three shots of the hero, s2 one: every pair of scenes weighs the same, shots of one scene
    are not paired for CSFD, and each shot's row compares it with the hero's other shots."""
    shots = [ShotFaces("s1", "a", [_face(0, 0)], ["hero"]), ShotFaces("s1", "b", [_face(0, 1)], ["hero"]),
             ShotFaces("s1", "c", [_face(0, 2)], ["hero"]), ShotFaces("s2", "a", [_face(0, 4)], ["hero"])]
    result = cross_scene_face_distance([], shots)
    [hero] = result.identities
    assert hero.shots == ["s1/a", "s1/b", "s1/c", "s2/a"]
    assert hero.mean_distance == pytest.approx((4 + 3 + 2) / 3)  # s1's three shots against s2's one
    assert hero.within_scenes == pytest.approx((1 + 2 + 1) / 3)
    assert result.csfd == pytest.approx(3.0)
    assert result.in_scene == {"s1/a": pytest.approx(1.5), "s1/b": pytest.approx(1.0), "s1/c": pytest.approx(1.5),
                               "s2/a": None}
    assert result.other_scenes == {"s1/a": pytest.approx(4), "s1/b": pytest.approx(3), "s1/c": pytest.approx(2),
                                   "s2/a": pytest.approx(3)}
    assert result.odd_one_out["s2/a"] == pytest.approx(3) and result.odd_one_out["s1/b"] == pytest.approx(1)
    one_scene = cross_scene_face_distance([], shots[:3])
    assert one_scene.csfd is None and "two scenes" in one_scene.note


def test_csfd_is_undefined_without_faces_and_says_why():
    result = cross_scene_face_distance([], [ShotFaces("a", "a", [], ["hero"]), ShotFaces("b", "a", [], ["hero"])])
    assert result.csfd is None and "no faces" in result.note


def test_cssc_math_groups_shots_by_scene():
    e = np.eye(3)
    assert cross_scene_style_consistency(["a", "b", "c"], [e[0], e[0], e[0]]) == (pytest.approx(1.0), None)
    assert cross_scene_style_consistency(["a", "b"], [e[0], e[1]])[0] == pytest.approx(0.0)
    # Scene a: three shots like e0, scene b: one like e1, scene c: one like e0. Pairs of scenes: a-b 0, a-c 1, b-c 0.
    grouped, _ = cross_scene_style_consistency(["a", "a", "a", "b", "c"], [e[0], e[0], e[0], e[1], e[0]])
    assert grouped == pytest.approx(1 / 3)
    cssc, why = cross_scene_style_consistency(["a", "a"], [e[0], e[1]])
    assert cssc is None and "two scenes" in why


# --- the same frame in every scene, and different frames --------------------------------------------------------


def test_same_frame_in_every_scene_gives_csfd_0_and_cssc_1(same_report):
    r = same_report
    assert r.face_embedder == "dlib-resnet-v1" and r.style_embedding == "gram-v1" and r.clip_model is None
    assert r.csfd == pytest.approx(0.0, abs=1e-9)
    assert r.cssc == pytest.approx(1.0)
    assert r.base_faces == 1 and [s.faces_found for s in r.shots] == [1, 1, 1]
    assert all(s.face_distance_to_base == pytest.approx(0.0, abs=1e-9) for s in r.shots)
    assert all(s.style_similarity_to_base == pytest.approx(1.0) for s in r.shots)
    assert r.clip_score is None and r.unavailable["clip_score"].startswith("turned off")


def test_different_frames_are_less_consistent(mixed_report):
    r = mixed_report
    hero = next(i for i in r.identities if i.identity == "hero")
    assert hero.attributed_by == "character" and hero.shots == ["s0/a", "s1/a"]
    assert r.csfd == pytest.approx(hero.mean_distance) and r.csfd > 0.6  # a different person
    assert r.cssc < 0.95
    moved, camera, coffee = r.shots
    assert moved.face_distance_to_base < 0.6 < camera.face_distance_to_base
    assert coffee.face_distance_to_base is None and not coffee.flags  # nobody in frame
    assert any("drifted from the Base frame" in f for f in camera.flags)
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
    skimage_data = need("facenet_pytorch")
    found = detect_faces(_rgb(skimage_data.astronaut()), GRAM_DLIB)
    assert len(found) == 1
    (x1, y1, x2, y2), probability = found[0]
    assert probability > 0.99
    assert 150 < x1 < 210 and 30 < y1 < 100 and 240 < x2 < 300 and 140 < y2 < 210  # around her face, not the suit


def test_dlib_same_face_is_close_and_different_faces_are_far():
    skimage_data = need("dlib")
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
    pytest.importorskip("dlib", reason="the metrics extra is not installed: no dlib")
    assert load_face_embedder(GRAM_DLIB) is load_face_embedder(GRAM_DLIB)


def test_facenet_loader_reads_a_local_weight_file_with_random_fake_weights(tmp_path, monkeypatch):
    """The real VGGFace2 file is not to be had offline: random weights in its place check the loading path only."""
    skimage_data = need("facenet_pytorch")
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

    shots = [ShotFrames(scene_id=f"s{k}", shot_id="a", keyframe=frames["astronaut"]) for k in range(2)]
    report = evaluate_frames(frames["astronaut"], shots, prompts={"s0/a": "an astronaut"}, options=options)
    assert report.style_embedding == f"clip:{tiny_clip_dir}" and report.clip_model == str(tiny_clip_dir)
    assert report.cssc == pytest.approx(1.0) and 0.0 <= report.clip_score <= 100.0
    assert report.shots[0].clip_score == report.clip_score and report.shots[1].clip_score is None
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
    pytest.importorskip("facenet_pytorch", reason="the metrics extra is not installed: no facenet_pytorch")
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    missing = {m.name: m for m in missing_weights(MetricOptions())}
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

    from dreamfactory.metrics.chart import LIMIT, draw_report

    def red(report) -> int:
        return int(np.all(np.asarray(draw_report(report)).reshape(-1, 3) == LIMIT, axis=1).sum())

    unflagged = mixed_report.model_copy(update={"shots": [s.model_copy(update={"flags": []}) for s in mixed_report.shots]})
    assert any(s.flags for s in mixed_report.shots) and red(mixed_report) > red(unflagged)  # flagged labels in red


def test_compare_puts_two_reports_side_by_side(same_report, mixed_report):
    table = compare(same_report, mixed_report)
    rows = {r.metric: r for r in table.rows}
    csfd = rows["CSFD (lower is better)"]
    assert csfd.a == pytest.approx(0.0, abs=1e-9) and csfd.delta == pytest.approx(mixed_report.csfd) and csfd.better == "a"
    assert rows["CSSC"].better == "a" and rows["CLIP score"].delta is None
    assert "s0/a: style to Base" in rows and "CSFD" in table.to_text()
    assert "both films have the same shots" in table.to_text()
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


def test_messages_never_ask_for_what_the_settings_turned_off(frames, monkeypatch, tmp_path):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))  # no facenet weights here
    assert not [m for m in missing_weights(MetricOptions(clip_model=None)) if m.name.startswith("clip")]
    assert [m.name for m in missing_weights(MetricOptions(clip_model=None, face_embedder="dlib"))] == []
    off = MetricOptions(clip_model="", face_embedder="off")
    assert missing_weights(off) == []
    shots = [ShotFrames(scene_id=f"s{k}", shot_id="a", keyframe=frames["astronaut"], prompt="an astronaut") for k in range(2)]
    report = evaluate_frames(frames["astronaut"], shots, options=off)
    assert report.csfd is None and report.unavailable["csfd"] == "turned off (metrics.face_embedder is 'off')"
    assert report.clip_score is None and report.unavailable["clip_score"].startswith("turned off")
    assert report.missing == [] and report.face_embedder is None and report.shots[0].faces_found is None
    assert "csfd" not in report.models and report.models == {"style": "gram-v1"}
    nobody = evaluate_frames(frames["coffee"], [s.model_copy(update={"keyframe": frames["coffee"]}) for s in shots],
                             options=GRAM_DLIB)
    assert nobody.unavailable["csfd"] == "CSFD undefined: no faces found in the keyframes"
    absent = evaluate_frames(frames["coffee"], shots[:1], options=MetricOptions(clip_model=str(tmp_path / "clip"),
                                                                               face_embedder="dlib"))
    assert absent.unavailable["clip_score"].startswith("no CLIP weights") and "two scenes" in absent.unavailable["cssc"]
    assert [m.name for m in absent.missing] == [f"clip ({tmp_path / 'clip'})"]


# --- films in a store: one shot of one scene shows another person ---------------------------------------------------


def stored_film(store, project: str, base: Path, shots: list[tuple[str, str, Path]]) -> None:
    """A film in the store as `make` leaves it for evaluation, its keyframes being the given photographs: objects,
    render records, the manifest and the film history (no MP4 is written: evaluation never reads it)."""
    from dreamfactory import layout
    from dreamfactory.film import add_to_history
    from dreamfactory.manifest import manifest_rows, write_manifest
    from dreamfactory.contracts import Made, RenderRecord
    from dreamfactory.store import digest, sha256_bytes

    made = []
    for kind, scene, shot, path in [("base_frame", "base", "", base), *(("keyframe", *s) for s in shots)]:
        data = Path(path).read_bytes()
        sha = sha256_bytes(data)
        key = layout.base_frame(project, sha) if kind == "base_frame" else layout.keyframe(project, scene, shot, sha)
        store.put_bytes(key, data)
        inputs = {"prompt": f"the hero in {scene}/{shot}", "characters": [{"id": "hero"}]}
        store.put_json(layout.record(key), RenderRecord(
            kind=kind, project=project, scene_id=scene, shot_id=shot, object_key=key, render_key=sha, sha256=sha,
            bytes=len(data), renderer="photograph", identity={}, inputs=inputs))
        made.append(Made(kind=kind, scene_id=scene, shot_id=shot, key=key, sha256=sha, made=True))
    film_key = digest([m.key for m in made])
    film = RenderRecord(kind="film", project=project, scene_id="", object_key=layout.film(project, film_key),
                        render_key=film_key, sha256=film_key, bytes=0, renderer="test",
                        identity={}, inputs={"screenplay_sha": "0" * 64, "scenes": 2, "duration": 4.0})
    write_manifest(store, layout.manifest(project, film_key),
                   manifest_rows(store, made, {}, film=film, screenplay_sha="0" * 64))
    add_to_history(store, project, film)


@pytest.fixture(scope="module")
def shot_films(frames, tmp_path_factory):
    """Two films of two scenes of two shots, the astronaut in every shot; in "drift", shot s02/a shows the cameraman."""
    from dreamfactory.store import open_store

    folder = tmp_path_factory.mktemp("shot-frames")
    astronaut = Image.open(frames["astronaut"])
    views = {"mirrored": ImageOps.mirror(astronaut), "larger": astronaut.resize((640, 640)),
             "cropped": astronaut.crop((40, 0, 512, 472))}
    for name, image in views.items():
        image.save(folder / f"{name}.png")
    right = [("s01", "a", folder / "mirrored.png"), ("s01", "b", frames["astronaut_moved"]),
             ("s02", "a", folder / "cropped.png"), ("s02", "b", folder / "larger.png")]
    drift = [*right[:2], ("s02", "a", frames["camera"]), right[3]]
    store = open_store(str(tmp_path_factory.mktemp("store")))
    stored_film(store, "right", frames["astronaut"], right)
    stored_film(store, "drift", frames["astronaut"], drift)
    return store


def _evaluate(store, project: str, metrics: MetricOptions = GRAM_DLIB):
    from dreamfactory.evaluation import evaluate_project
    from dreamfactory.settings import FilmOptions

    return evaluate_project(store, project, FilmOptions(metrics=metrics))


def test_the_right_person_in_every_shot_stays_under_dlibs_threshold_in_every_row(shot_films):
    report, _, _ = _evaluate(shot_films, "right")
    assert [s.label for s in report.shots] == ["s01/a", "s01/b", "s02/a", "s02/b"]
    assert all(s.characters == ["hero"] and s.faces_found == 1 for s in report.shots)
    for s in report.shots:
        assert max(s.face_distance_to_base, s.face_distance_in_scene, s.face_distance_other_scenes) < 0.6, s
        assert s.flags == []
    assert report.csfd < 0.6 and report.identities[0].shots == [s.label for s in report.shots]


def test_a_shot_showing_another_person_is_flagged_in_its_row_and_raises_csfd(shot_films):
    right, _, _ = _evaluate(shot_films, "right")
    drift, _, _ = _evaluate(shot_films, "drift")
    rows = {s.label: s for s in drift.shots}
    wrong = rows["s02/a"]
    assert wrong.face_distance_to_base > 0.6 and wrong.face_distance_other_scenes > 0.6
    assert any("drifted from the Base frame" in f for f in wrong.flags)
    assert any("most of its other shots" in f for f in wrong.flags)
    # The other shots keep their own numbers (not the last shot's) and are not flagged for their neighbour.
    for label in ("s01/a", "s01/b", "s02/b"):
        assert rows[label].face_distance_to_base < 0.6 and rows[label].flags == [], rows[label]
        assert rows[label].face_distance_to_base == pytest.approx({s.label: s for s in right.shots}[label].face_distance_to_base)
    assert drift.csfd > right.csfd + 0.2

    table = compare(right, drift)
    by_metric = {r.metric: r for r in table.rows}
    assert by_metric["s02/a: face distance to Base"].better == "a"
    assert by_metric["s01/a: face distance to Base"].delta == pytest.approx(0.0, abs=1e-9)
    assert by_metric["CSFD (lower is better)"].better == "a"


def test_the_gate_and_the_report_give_a_shot_the_same_numbers(shot_films):
    from dreamfactory import layout
    from dreamfactory.film import film_history
    from dreamfactory.manifest import read_manifest

    report, _, _ = _evaluate(shot_films, "drift")
    rows = read_manifest(shot_films, film_history(shot_films, "drift")[-1].manifest).to_pylist()
    base = shot_films.local_file(next(r["object_key"] for r in rows if r["kind"] == "base_frame"))
    for row in report.shots:
        gate = score_keyframe(base, Path(row.keyframe), row.characters, GRAM_DLIB)
        assert (gate.face_distance, gate.style_similarity) == (row.face_distance_to_base, row.style_similarity_to_base)
        assert [f for f in row.flags if "Base frame" in f] == failures(gate)
    assert layout.evaluation("p", "p/films/abc.mp4", "f" * 64, "png") == f"p/evaluations/abc-{'f' * 20}.png"


def test_compare_matches_shots_by_scene_and_shot_and_names_those_in_one_film(mixed_report):
    extra = mixed_report.model_copy(update={"shots": [*mixed_report.shots[:2], mixed_report.shots[2].model_copy(
        update={"shot_id": "b"})]})
    table = compare(mixed_report, extra)
    assert table.only_in_a == ["s2/a"] and table.only_in_b == ["s2/b"]
    assert "s2/a: style to Base" not in {r.metric for r in table.rows}
    assert "only in A (1 shots, not compared): s2/a" in table.to_text()


def test_a_report_is_reused_for_the_same_inputs_and_made_anew_when_one_changes(shot_films, tiny_clip_dir, tmp_path):
    import shutil

    try:
        from tests.tiny_clip import build_tiny_clip
    except ImportError:
        from tiny_clip import build_tiny_clip

    def stored() -> set[str]:
        return {k for k in shot_films.list("right/evaluations") if k.endswith(".parquet")}

    first, key, _ = _evaluate(shot_films, "right")
    again, same_key, _ = _evaluate(shot_films, "right")
    assert same_key == key and again == first and len(stored()) == 1

    stricter, stricter_key, _ = _evaluate(shot_films, "right", GRAM_DLIB.model_copy(update={"face_min_probability": 1.0}))
    assert stricter_key != key and stored() == {key, stricter_key}
    assert stricter.csfd is None and "no faces" in stricter.unavailable["csfd"]  # MTCNN's probabilities are < 1

    clip_dir = tmp_path / "clip"
    shutil.copytree(tiny_clip_dir, clip_dir)
    with_clip = GRAM_DLIB.model_copy(update={"clip_model": str(clip_dir)})
    clip_report, clip_key, _ = _evaluate(shot_films, "right", with_clip)
    assert clip_key not in (key, stricter_key) and clip_report.style_embedding == f"clip:{clip_dir}"
    assert clip_report.models["style_weights"] and not clip_report.unavailable.get("clip_score")
    shutil.rmtree(clip_dir)
    build_tiny_clip(clip_dir, seed=1)  # other weights in the same folder: a new report
    _, new_weights_key, _ = _evaluate(shot_films, "right", with_clip)
    assert new_weights_key not in (key, stricter_key, clip_key) and len(stored()) == 4

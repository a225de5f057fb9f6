"""Faces: MTCNN detection, a face embedder chosen by what is on disk, and the Cross-Scene Face Distance (CSFD).

Detection: facenet-pytorch's MTCNN; faces below `face_min_probability` or `face_min_size` pixels are ignored.
Embedding (`face_embedder="auto"`, named in every report): "facenet-vggface2" (512-d, L2-normalised; same person
below 1.04, DeepFace's threshold) when its weights are on disk, never downloaded; else "dlib-resnet-v1" (128-d,
aligned by dlib's 5-point predictor inside the MTCNN box; same person below 0.6). Distances of different embedders
are not comparable.

CSFD (docs/metrics.md), lower is better: per shot, the most confident faces, at most one per character in frame.
A character alone in frame owns its shot's face (its first is its reference); faces of shots with several listed
characters match those references one-to-one, nearest pair first, and the rest match the Base frame's faces
("base-face-1", ... from the left). For each identity seen in two scenes, the mean distance over pairs of scenes
(grouping.scene_pair_mean); CSFD is the mean over identities, None with the reason when there is none. Per shot: the
worst identity's mean distance in its scene and to other scenes, and its median to all other shots (the odd one out).
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Sequence

import numpy as np
from PIL import Image
from pydantic import BaseModel, ConfigDict, Field

from ..settings import MetricOptions
from .cache import load_once, torch_device
from .grouping import scene_pair_mean
from .weights import (DLIB_FACE_MODEL, DLIB_SHAPE_MODEL, MetricUnavailable, describe_missing, dlib_available,
                      dlib_models_dir, facenet_available, facenet_weights_path, missing_weights)

FACENET_CROP, FACENET_MARGIN = 160, 20


@dataclass(frozen=True)
class Face:
    """A detected face: its box (x1, y1, x2, y2) in pixels, MTCNN's probability and its embedding."""

    box: tuple[float, float, float, float]
    probability: float
    embedding: np.ndarray


class DlibEmbedder:
    """dlib's 128-d ResNet face model, aligned with the 5-point shape predictor inside each box."""

    name = "dlib-resnet-v1"

    def __init__(self, models_dir: Path):
        import dlib

        self._dlib = dlib
        self._shapes = dlib.shape_predictor(str(models_dir / DLIB_SHAPE_MODEL))
        self._model = dlib.face_recognition_model_v1(str(models_dir / DLIB_FACE_MODEL))
        self._lock = threading.Lock()

    def embed(self, image: Image.Image, boxes: Sequence[Sequence[float]]) -> np.ndarray:
        """One embedding row per box."""
        pixels = np.ascontiguousarray(np.asarray(image.convert("RGB")))
        rows = []
        with self._lock:
            for x1, y1, x2, y2 in boxes:
                rect = self._dlib.rectangle(int(round(x1)), int(round(y1)), int(round(x2)), int(round(y2)))
                rows.append(np.asarray(self._model.compute_face_descriptor(pixels, self._shapes(pixels, rect))))
        return np.stack(rows) if rows else np.zeros((0, 128))


class FacenetEmbedder:
    """facenet-pytorch's InceptionResnetV1 with VGGFace2 weights read from a local file (never downloaded)."""

    name = "facenet-vggface2"

    def __init__(self, weights: Path, device: str):
        import torch
        from facenet_pytorch import InceptionResnetV1

        state = torch.load(weights, map_location="cpu", weights_only=True)
        # The released file carries the 8631-way VGGFace2 classifier; embeddings do not use it.
        state = {k: v for k, v in state.items() if not k.startswith("logits.")}
        model = InceptionResnetV1(pretrained=None, classify=False)
        model.load_state_dict(state)
        self._model = model.eval().to(device)
        self._device = device
        self._lock = threading.Lock()

    def embed(self, image: Image.Image, boxes: Sequence[Sequence[float]]) -> np.ndarray:
        import torch
        from facenet_pytorch import fixed_image_standardization
        from facenet_pytorch.models.utils.detect_face import extract_face

        if not boxes:
            return np.zeros((0, 512))
        image = image.convert("RGB")
        crops = torch.stack([extract_face(image, list(box), FACENET_CROP, FACENET_MARGIN) for box in boxes])
        with self._lock, torch.inference_mode():
            out = self._model(fixed_image_standardization(crops).to(self._device))
        out = torch.nn.functional.normalize(out, dim=1)
        return out.cpu().numpy().astype(np.float64)


def _detector(options: MetricOptions):
    device = torch_device(options.device)

    def build():
        from facenet_pytorch import MTCNN

        return MTCNN(keep_all=True, min_face_size=options.face_min_size, device=device), threading.Lock()

    return load_once(("mtcnn", device, options.face_min_size), build)


def embedder_name(options: MetricOptions) -> str | None:
    """The embedder these options would use here, or None when neither is available."""
    if options.face_embedder in ("auto", "facenet") and facenet_available(options):
        return "facenet-vggface2"
    if options.face_embedder in ("auto", "dlib") and dlib_available():
        return "dlib-resnet-v1"
    return None


def load_face_embedder(options: MetricOptions) -> DlibEmbedder | FacenetEmbedder:
    """The embedder chosen by the options and what is on disk, loaded once per process."""
    name = embedder_name(options)
    if name == "facenet-vggface2":
        path = facenet_weights_path(options).resolve()
        device = torch_device(options.device)
        return load_once(("facenet", str(path), device), lambda: FacenetEmbedder(path, device))
    if name == "dlib-resnet-v1":
        folder = dlib_models_dir()
        return load_once(("dlib", str(folder)), lambda: DlibEmbedder(folder))
    if options.face_embedder == "off":
        raise MetricUnavailable("Faces are turned off (metrics.face_embedder is 'off').")
    missing = [m for m in missing_weights(options) if "faces (CSFD)" in m.needed_for]
    raise MetricUnavailable("No face embedder here. " + describe_missing(missing))


def faces_available(options: MetricOptions) -> bool:
    import importlib.util

    return importlib.util.find_spec("facenet_pytorch") is not None and embedder_name(options) is not None


def detect_faces(image: Image.Image, options: MetricOptions) -> list[tuple[tuple[float, float, float, float], float]]:
    """MTCNN's boxes and probabilities at or above the threshold, most confident first."""
    mtcnn, lock = _detector(options)
    with lock:
        boxes, probs = mtcnn.detect(image.convert("RGB"))
    if boxes is None:
        return []
    found = [(tuple(float(v) for v in box), float(p)) for box, p in zip(boxes, probs)
             if p is not None and p >= options.face_min_probability and box[2] > box[0] and box[3] > box[1]]
    return sorted(found, key=lambda f: -f[1])


def find_faces(image: Image.Image | Path, options: MetricOptions | None = None) -> list[Face]:
    """Detect and embed every face in an image, most confident first."""
    options = options or MetricOptions()
    image = Image.open(image) if isinstance(image, (str, Path)) else image
    embedder = load_face_embedder(options)
    found = detect_faces(image, options)
    if not found:
        return []
    embeddings = embedder.embed(image, [box for box, _ in found])
    return [Face(box=box, probability=p, embedding=e) for (box, p), e in zip(found, embeddings)]


def face_distance(a: Face | np.ndarray, b: Face | np.ndarray) -> float:
    """Euclidean distance between two faces' embeddings (same embedder only)."""
    ea = a.embedding if isinstance(a, Face) else a
    eb = b.embedding if isinstance(b, Face) else b
    return float(np.linalg.norm(np.asarray(ea, dtype=np.float64) - np.asarray(eb, dtype=np.float64)))


def match_faces(reference: Sequence[Face], faces: Sequence[Face]) -> list[tuple[int, int, float]]:
    """One-to-one matching, nearest pair first: (reference index, face index, distance) per matched pair."""
    pairs = sorted(((face_distance(r, f), i, j) for i, r in enumerate(reference) for j, f in enumerate(faces)),
                   key=lambda p: p[0])
    used_r, used_f, matched = set(), set(), []
    for d, i, j in pairs:
        if i not in used_r and j not in used_f:
            used_r.add(i)
            used_f.add(j)
            matched.append((i, j, d))
    return matched


def faces_on_screen(faces: Sequence[Face], characters: Sequence[str] | None) -> list[Face]:
    """The most confident faces, at most one per listed character (all when the list is unknown)."""
    ranked = sorted(faces, key=lambda f: -f.probability)
    return ranked if characters is None else ranked[: len(characters)]


def distance_to_base(base_faces: Sequence[Face], faces: Sequence[Face], worst: bool = False) -> float | None:
    """Mean (or worst) distance of the faces matched one-to-one to the Base frame's faces; None without a match."""
    matched = match_faces(base_faces, faces)
    if not matched:
        return None
    distances = [d for _, _, d in matched]
    return max(distances) if worst else float(np.mean(distances))


class IdentityScores(BaseModel):
    """One identity's faces across shots and scenes."""

    model_config = ConfigDict(extra="forbid")

    identity: str = Field(description="A character id, or 'base-face-N' for the Base frame's N-th face from the left.")
    attributed_by: Literal["character", "base_frame"] = Field(description="How faces were attributed to it (CSFD step 2).")
    shots: list[str] = Field(description="Shots where it was found, as 'scene/shot', in film order.")
    mean_distance: float | None = Field(description="Its distance across scenes (CSFD step 3); None when seen in fewer than two scenes.")
    within_scenes: float | None = Field(default=None, description="Mean distance over pairs of its shots in the same scene; None without such a pair.")


@dataclass
class ShotFaces:
    """A shot's faces and its characters in frame (None: not known)."""

    scene_id: str
    shot_id: str
    faces: list[Face]
    characters: list[str] | None

    @property
    def label(self) -> str:
        return f"{self.scene_id}/{self.shot_id}"


@dataclass
class FaceConsistency:
    csfd: float | None
    identities: list[IdentityScores]
    in_scene: dict[str, float | None]  # shot label -> worst identity's mean distance to its other shots in the scene
    other_scenes: dict[str, float | None]  # shot label -> the same, to its shots in other scenes
    odd_one_out: dict[str, float | None]  # shot label -> worst identity's median distance to all its other shots
    note: str | None


def _attribute(base_faces: Sequence[Face], shots: Sequence[ShotFaces]) -> dict[str, tuple[str, dict[str, Face]]]:
    """identity -> (how, {shot label: face}) following CSFD step 2."""
    identities: dict[str, tuple[str, dict[str, Face]]] = {}
    references: dict[str, Face] = {}
    for shot in shots:
        if shot.characters is not None and len(shot.characters) == 1 and shot.faces:
            references.setdefault(shot.characters[0], faces_on_screen(shot.faces, shot.characters)[0])
    base_order = sorted(range(len(base_faces)), key=lambda i: base_faces[i].box[0] + base_faces[i].box[2])
    base_names = {i: f"base-face-{rank + 1}" for rank, i in enumerate(base_order)}

    def give(identity: str, how: str, shot: ShotFaces, face: Face) -> None:
        identities.setdefault(identity, (how, {}))[1][shot.label] = face

    for shot in shots:
        left = faces_on_screen(shot.faces, shot.characters)
        named = [c for c in shot.characters or [] if c in references]
        if shot.characters is not None and len(shot.characters) == 1 and left:
            give(shot.characters[0], "character", shot, left.pop(0))
        elif named and left:
            matched = match_faces([references[c] for c in named], left)
            for i, j, _ in matched:
                give(named[i], "character", shot, left[j])
            taken = {j for _, j, _ in matched}
            left = [f for j, f in enumerate(left) if j not in taken]
        for i, j, _ in match_faces(base_faces, left):
            give(base_names[i], "base_frame", shot, left[j])
    return identities


def _mean(values: list[float]) -> float | None:
    return float(np.mean(values)) if values else None


def _worst(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return max(known) if known else None


def cross_scene_face_distance(base_faces: Sequence[Face], shots: Sequence[ShotFaces]) -> FaceConsistency:
    """CSFD and its parts (see the module docstring); shots in film order, all embedded by one embedder."""
    order = {s.label: k for k, s in enumerate(shots)}
    scene_of = {s.label: s.scene_id for s in shots}
    rows: list[IdentityScores] = []
    in_scene: dict[str, list[float | None]] = {s.label: [] for s in shots}
    other_scenes: dict[str, list[float | None]] = {s.label: [] for s in shots}
    odd: dict[str, list[float | None]] = {s.label: [] for s in shots}
    for identity, (how, seen) in _attribute(base_faces, shots).items():
        labels = sorted(seen, key=order.__getitem__)
        for x in labels:
            to = {y: face_distance(seen[x], seen[y]) for y in labels if y != x}
            in_scene[x].append(_mean([d for y, d in to.items() if scene_of[y] == scene_of[x]]))
            other_scenes[x].append(_mean([d for y, d in to.items() if scene_of[y] != scene_of[x]]))
            odd[x].append(float(np.median(list(to.values()))) if to else None)
        same_scene = [face_distance(seen[a], seen[b]) for a, b in itertools.combinations(labels, 2)
                      if scene_of[a] == scene_of[b]]
        rows.append(IdentityScores(
            identity=identity, attributed_by=how, shots=labels, within_scenes=_mean(same_scene),
            mean_distance=scene_pair_mean([(scene_of[x], seen[x]) for x in labels], face_distance)))
    rows.sort(key=lambda r: (r.attributed_by != "character", r.identity))
    scored = [r.mean_distance for r in rows if r.mean_distance is not None]
    note = None
    if not scored:
        found = sum(len(s.faces) for s in shots)
        if found == 0:
            note = "CSFD undefined: no faces found in the keyframes"
        elif len(set(scene_of.values())) < 2:
            note = "CSFD undefined: it needs at least two scenes"
        else:
            note = "CSFD undefined: no character's face was found in two scenes"
    return FaceConsistency(csfd=_mean(scored), identities=rows, note=note,
                           in_scene={k: _worst(v) for k, v in in_scene.items()},
                           other_scenes={k: _worst(v) for k, v in other_scenes.items()},
                           odd_one_out={k: _worst(v) for k, v in odd.items()})

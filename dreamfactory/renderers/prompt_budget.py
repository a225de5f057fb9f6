"""Prompts that fit what each text encoder reads: composed to a token budget measured with the pipeline's own tokenizers.

CLIP reads 77 tokens, T5/UMT5 and the LLM encoders up to the pipeline's `max_sequence_length`. A keyframe's prompt
is built in order of what matters most: the shot, each character in frame, the film's look, then setting, C(t-1) and
the Base Description as room allows. A part that does not fit every encoder is shortened or left out, never cut
mid-word by the encoder; the record says what each encoder read.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from typing import Any

from ..palette import colour_name, colour_names
from .animatic.designs import body_of, design_of
from ..contracts import CharacterLook, KeyframeRequest

HEX = re.compile(r"#[0-9a-fA-F]{6}\b")
FRAMING = {"wide": "wide shot", "medium": "medium shot", "close_up": "close-up",
           "over_the_shoulder": "over-the-shoulder shot", "insert": "insert shot", "reaction": "reaction shot"}
UNBOUNDED = 100_000  # tokenizers without a limit report model_max_length as a huge number


@dataclass(frozen=True)
class EncoderBudget:
    """One text encoder of a pipeline: its tokenizer and how many tokens (special tokens included) it reads."""

    encoder: str  # the pipeline component it feeds, e.g. "text_encoder_2"
    tokenizer: Any
    max_tokens: int  # the prompt's own tokens it reads
    window: int = 0  # the whole text the call lets it read (a template's tokens included); 0: max_tokens

    @property
    def sequence(self) -> int:
        """What the call's max_sequence_length must be for the encoder to read `max_tokens` of prompt."""
        return self.window or self.max_tokens

    def ids(self, text: str) -> list[int]:
        # verbose=False: counting a text longer than the encoder reads is the point here, not a mistake to warn of.
        return self.tokenizer(text, truncation=False, add_special_tokens=True, verbose=False)["input_ids"]

    def count(self, text: str) -> int:
        return len(self.ids(text))

    def fits(self, text: str) -> bool:
        return self.count(text) <= self.max_tokens

    def read(self, text: str) -> dict[str, Any]:
        """What this encoder reads of `text`: the text itself when it fits, else the decoded tokens it keeps."""
        ids = self.ids(text)
        kept = text if len(ids) <= self.max_tokens else self.tokenizer.decode(ids[: self.max_tokens], skip_special_tokens=True)
        return {"encoder": self.encoder, "tokenizer": type(self.tokenizer).__name__, "max_tokens": self.max_tokens,
                "tokens": min(len(ids), self.max_tokens), "text": kept}


def is_clip(tokenizer: Any) -> bool:
    return "CLIP" in type(tokenizer).__name__


def encoder_budgets(pipe: Any, max_sequence_length: int | None = None, chat_template: bool = False) -> list[EncoderBudget]:
    """A budget per tokenizer: CLIP's own limit, the others max_sequence_length less the tokens of the template the
    pipeline wraps the prompt in (FLUX.2's chat template, the close of Qwen-Image's)."""
    budgets = []
    sequence = max_sequence_length or call_default(pipe, "max_sequence_length")
    trained = getattr(getattr(getattr(pipe, "transformer", None), "config", None), "max_text_seq_length", None)
    if sequence and isinstance(trained, int):  # CogVideoX's positional embeddings cover exactly this many text tokens
        sequence = min(sequence, trained)
    template = getattr(pipe, "prompt_template_encode", None)
    qwen = isinstance(template, str) and "{}" in template and hasattr(pipe, "prompt_template_encode_start_idx")
    if sequence and qwen and getattr(pipe, "tokenizer_max_length", None):
        sequence = min(sequence, pipe.tokenizer_max_length)  # Qwen-Image's pipelines refuse more (1024)
    for name, component in sorted(getattr(pipe, "components", {}).items()):
        if not name.startswith("tokenizer") or component is None:
            continue
        encoder = "text_encoder" + name.removeprefix("tokenizer")
        if is_clip(component):
            limit = component.model_max_length
        elif sequence:
            limit = sequence
        elif getattr(pipe, "tokenizer_max_length", None):
            limit = pipe.tokenizer_max_length
        else:
            limit = component.model_max_length if component.model_max_length < UNBOUNDED else 512
        window, wrapper = int(limit), 0
        if chat_template and getattr(component, "chat_template", None):
            text = component.apply_chat_template([{"role": "user", "content": ""}], tokenize=False,
                                                 add_generation_prompt=True, enable_thinking=False)
            wrapper = len(component(text, add_special_tokens=False, verbose=False)["input_ids"])
        elif qwen and not is_clip(component):
            close = template.split("{}", 1)[1]
            wrapper = len(component(close, add_special_tokens=False, verbose=False)["input_ids"])
        budgets.append(EncoderBudget(encoder, component, window - wrapper, window=window if wrapper else 0))
    return budgets


def call_default(pipe: Any, parameter: str) -> Any:
    """The default of a `__call__` parameter of the pipeline (None when it takes no such parameter)."""
    found = inspect.signature(type(pipe).__call__).parameters.get(parameter)
    return None if found is None or found.default is inspect.Parameter.empty else found.default


# -- the parts of a prompt, most important first ----------------------------------------------------------------
@dataclass
class Part:
    """One part of a prompt and its shorter forms, tried in order when the full one does not fit."""

    kind: str  # shot, character, look, scene
    forms: list[str]

    def __post_init__(self):
        self.forms = [f for f in dict.fromkeys(_clean(f) for f in self.forms) if f]


@dataclass
class Composed:
    """A prompt composed to a budget: the text, what was shortened or left out, what each encoder reads."""

    text: str
    left_out: list[str] = field(default_factory=list)
    shortened: list[str] = field(default_factory=list)
    prompt_read: list[dict[str, Any]] = field(default_factory=list)

    def notes(self, prefix: str = "") -> dict[str, Any]:
        notes: dict[str, Any] = {f"{prefix}prompt_read": self.prompt_read}
        if self.left_out:
            notes[f"{prefix}prompt_left_out"] = self.left_out
        if self.shortened:
            notes[f"{prefix}prompt_shortened"] = self.shortened
        return notes


def names_colours(text: str) -> str:
    """Every #rrggbb code in the text replaced by its name: encoders read words, not hex."""
    return HEX.sub(lambda m: colour_name(m.group(0)), text)


def _clean(text: str) -> str:
    return names_colours(" ".join(text.split())).strip().rstrip(".;,").strip()


def character_forms(c: CharacterLook) -> list[str]:
    """A character from its whole looks down to name and kind; in between, the first clause and the colours the
    animatic draws, then those colours alone, so a tight budget still paints everyone in the story's colours."""
    species, _ = body_of(c)  # 'a creature' whose looks say it is a goose is 'the goose'
    kind = "" if species == "human" else f" the {species}"
    looks, wardrobe = c.appearance.strip().rstrip("."), c.wardrobe.strip().rstrip(".")
    coloured = list(dict.fromkeys(words for _, _, words in design_of(c).colours if words))
    first = _first_clause(looks)
    rest = [w for w in coloured if w not in first]
    return [
        f"{c.name}{kind}: {looks}; wearing {wardrobe}" if wardrobe else f"{c.name}{kind}: {looks}",
        f"{c.name}{kind}: {first}; {', '.join(rest)}" if rest else f"{c.name}{kind}: {first}",
        f"{c.name}{kind}: {', '.join(coloured)}" if coloured else "",
        f"{c.name}{kind}",
    ]


def _first_clause(text: str) -> str:
    return re.split(r"[,;.]", text, maxsplit=1)[0].strip()


def sentences(text: str) -> list[str]:
    return [s for s in (p.strip() for p in re.split(r"(?<=[.!?])\s+", text.strip())) if s]


def shot_line(request: KeyframeRequest) -> str:
    """Framing and subject: 'close-up of Mira', 'insert shot of the brass key', 'wide shot'."""
    if request.scene_id == "base":
        return "character sheet, full figures of the whole cast side by side"
    subject = request.characters[0].name if request.characters else ""
    if request.framing in ("close_up", "reaction") and subject:
        return f"{FRAMING[request.framing]} of {subject}"
    if request.framing == "insert" and request.prop:
        return f"insert shot of {request.prop}"
    return FRAMING[request.framing]


def keyframe_parts(request: KeyframeRequest) -> list[Part]:
    """The parts of a keyframe prompt in order of importance; `request.prompt`'s first sentence is the shot's action."""
    told = sentences(names_colours(request.prompt))
    look = request.look.strip().rstrip(".")
    if look:
        told = [s for s in told if s.strip().rstrip(".").lower() != look.lower()]  # the look is a part of its own
    action = told.pop(0) if told and request.scene_id != "base" else ""
    # One form only: a shot without its action is no shot (if even it is too long, its first words are kept).
    parts = [Part("shot", [f"{shot_line(request)}: {action}" if action else shot_line(request)])]
    parts += [Part("character", character_forms(c)) for c in request.characters]
    colours = ", ".join(colour_names(list(request.palette[:4]))) if request.palette else ""
    parts.append(Part("look", [f"{look}, colours of {colours}" if colours else look, look]))
    parts.append(Part("scene", [f"{request.setting}, {request.time_of_day}"]))
    parts += [Part("scene", [s]) for s in told]
    return parts


ESSENTIAL = ("keep", "shot", "character", "look")  # what every encoder must read, if only in its shortest form


def compose(parts: list[Part], budgets: list[EncoderBudget], separator: str = ". ") -> Composed:
    """The parts, in order, each in the longest form that still lets the whole prompt fit every encoder: essential
    parts first at their shortest, then grown a form at a time round and round, then the rest as room allows."""
    chosen: dict[int, int] = {}  # part index -> index of the form used

    def fits(trial: dict[int, int]) -> bool:
        text = separator.join(parts[i].forms[f] for i, f in sorted(trial.items()))
        return all(b.fits(text) for b in budgets)

    def cut_to_fit(i: int) -> int:  # the most important part alone is too long: keep as many words as fit
        parts[i].forms.append(_words_that_fit(parts[i].forms[-1], budgets))
        return len(parts[i].forms) - 1

    essential = [i for i, p in enumerate(parts) if p.kind in ESSENTIAL and p.forms]
    for i in essential:  # 1. shortest forms
        if fits({**chosen, i: len(parts[i].forms) - 1}):
            chosen[i] = len(parts[i].forms) - 1
        elif not chosen:
            chosen[i] = cut_to_fit(i)
    growing = True
    while growing:  # 2. grow a form at a time, most important first: every character's colours before anyone's coat
        growing = False
        for i in essential:
            if chosen.get(i, 0) > 0 and fits({**chosen, i: chosen[i] - 1}):
                chosen[i] -= 1
                growing = True
    for i, part in enumerate(parts):  # 3. the rest, as room allows
        if i not in chosen and part.kind not in ESSENTIAL:
            form = next((f for f in range(len(part.forms)) if fits({**chosen, i: f})), None)
            if form is None and not chosen:
                form = cut_to_fit(i)
            if form is not None:
                chosen[i] = form
    text = separator.join(parts[i].forms[f] for i, f in sorted(chosen.items()))
    shortened = [parts[i].forms[0] for i, f in sorted(chosen.items()) if f]
    left_out = [p.forms[0] for i, p in enumerate(parts) if i not in chosen and p.forms]
    return Composed(text=text, left_out=left_out, shortened=shortened, prompt_read=[b.read(text) for b in budgets])


def _words_that_fit(text: str, budgets: list[EncoderBudget]) -> str:
    words = text.split()
    low, high = 0, len(words)  # the longest prefix of words that fits, by bisection
    while low < high:
        mid = (low + high + 1) // 2
        if all(b.fits(" ".join(words[:mid])) for b in budgets):
            low = mid
        else:
            high = mid - 1
    return " ".join(words[:low])


def compose_list(items: list[str], budgets: list[EncoderBudget]) -> Composed:
    """A comma list (a negative prompt) kept to the budget: items in order while they fit."""
    return compose([Part("item", [i]) for i in items if i.strip()], budgets, separator=", ")


def compose_text(text: str, budgets: list[EncoderBudget]) -> Composed:
    """Free text (a clip's motion prompt) kept to the budget sentence by sentence, the first always (cut at a word)."""
    return compose([Part("sentence", [s]) for s in sentences(names_colours(text))], budgets)


def keyframe_prompt(request: KeyframeRequest, budgets: list[EncoderBudget]) -> Composed:
    return compose(keyframe_parts(request), budgets)


def negative_items(*texts: str) -> list[str]:
    """The items of one or more comma-separated negative prompts, each once, in order."""
    items = [i.strip() for t in texts for i in re.split(r"[,;]", t) if i.strip()]
    return list(dict.fromkeys(items))

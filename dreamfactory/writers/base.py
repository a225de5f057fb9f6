"""The writer interface: what every agent backend (offline draft writer, real chat model) must fill.

A phase asks a role for one pydantic model. The request carries both forms of the same inputs: the
rendered prompts (system = the role's Job/Task/Requirements, user = the phase template) that a chat model
reads, and the structured `inputs` that the offline draft writer reads. Both must return `output_type`.
"""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field


class Message(BaseModel):
    """One turn of a conversation between roles, kept in the transcript."""

    model_config = ConfigDict(extra="forbid")

    phase: str = Field(description="The phase this message belongs to.")
    role: str = Field(description="Who speaks: a studio role, or 'system'.")
    content: str = Field(description="The message text (prompts, or the JSON answer).")


class Usage(BaseModel):
    """What a phase cost."""

    model_config = ConfigDict(extra="forbid")

    calls: int = Field(default=0, description="Model calls made, retries included.")
    prompt_tokens: int = Field(default=0, description="Tokens sent.")
    completion_tokens: int = Field(default=0, description="Tokens received.")

    def __add__(self, other: Usage) -> Usage:
        return Usage(**{name: getattr(self, name) + getattr(other, name) for name in Usage.model_fields})

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class PhaseRequest(BaseModel):
    """One role asked for one typed answer."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    phase: str = Field(description="Phase name, e.g. 'brief', 'screenplay', 'review'.")
    role: str = Field(description="The role that answers: ceo, director, screenwriter, filmmaker, reviewer.")
    system: str = Field(description="The role's prompt (Job, Task, Requirements), rendered.")
    prompt: str = Field(description="The phase's instruction with its inputs, rendered.")
    output_type: type[BaseModel] = Field(description="The pydantic model the answer must validate as.")
    answer_type: type[BaseModel] | None = Field(
        default=None,
        description="What a chat model fills: output_type narrowed by what is already decided (its JSON schema is "
        "sent); its `settle()` gives output_type. None: output_type itself. Writers that build answers in code ignore it.")
    inputs: dict[str, Any] = Field(description="The same inputs as typed objects, for writers that read structure.")
    history: list[Message] = Field(default_factory=list, description="Earlier turns of this conversation.")


class PhaseReply(BaseModel):
    """A role's validated answer and what it cost."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    output: BaseModel
    usage: Usage = Field(default_factory=Usage)


class Writer(Protocol):
    """A backend that answers phase requests. A writer whose model reads the prompts says so with a class attribute
    `reads_prompts = True`: the studio then leaves out of the story the passages that speak to a model."""

    name: str

    def identity(self, role: str) -> dict[str, Any]:
        """What decides this writer's answers for a role (backend, model, settings): it enters the cache key."""
        ...

    def write(self, request: PhaseRequest) -> PhaseReply:
        """Answer the request with a validated `request.output_type`, or raise WritingError."""
        ...

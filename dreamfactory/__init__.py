"""DreamFactory: a studio of LLM agents that turns a story into a multi-scene film (arXiv 2408.11788)."""

__version__ = "0.1.0"

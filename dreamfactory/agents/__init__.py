"""The studio's roles, their prompts and the writing phases."""

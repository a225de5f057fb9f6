"""Voices, timing and the sound mix."""

"""Keyframe and clip renderers behind one interface each."""

"""What the metrics take (which models, where their weights are, and the gate's thresholds): defined with the other
settings in `dreamfactory.settings`, which imports nothing of the metrics."""

from ..settings import DEFAULT_CLIP_MODEL, GateThresholds, MetricOptions

__all__ = ["DEFAULT_CLIP_MODEL", "GateThresholds", "MetricOptions"]

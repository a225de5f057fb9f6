"""The paper's consistency metrics."""

"""The analysis's own error: one line, saying what is wrong with the input."""

__all__ = ["MetricsError"]


class MetricsError(ValueError):
    """The input cannot be analysed (e.g. frames of the wrong shape)."""

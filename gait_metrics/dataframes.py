"""pandas DataFrames of the result tables; pandas is the optional extra ``pandas``."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

__all__ = ["PANDAS_MISSING", "to_dataframe"]

#: The one-line error when pandas is not installed.
PANDAS_MISSING = "DataFrames need pandas: pip install 'pressure-mat[pandas]'"


def to_dataframe(columns: Mapping[str, np.ndarray]) -> Any:
    """A ``pandas.DataFrame`` of equal-length columns, in their order.

    Raises
    ------
    ImportError
        Naming the extra to install when pandas is missing.
    """
    try:
        import pandas
    except ImportError:
        raise ImportError(PANDAS_MISSING) from None
    return pandas.DataFrame(dict(columns))

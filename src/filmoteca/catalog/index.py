"""PLACEHOLDER (being replaced by the API work): the serving index."""

from __future__ import annotations

from typing import Any

import pandas as pd

from filmoteca.etl.clean import Tables


def build_index(
    tables: Tables, neighbours: pd.DataFrame, manifest: dict[str, Any]
) -> dict[str, Any]:
    return {"manifest": manifest}

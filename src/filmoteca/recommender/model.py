"""PLACEHOLDER (being replaced by the recommender work): no neighbours yet."""

from __future__ import annotations

import pandas as pd

from filmoteca.etl.clean import Tables
from filmoteca.progress import Progress


def compute_neighbours(tables: Tables, progress: Progress) -> pd.DataFrame:
    return pd.DataFrame({"film_id": [], "neighbour_id": [], "rank": [], "score": []})

"""Offline ranking metrics of the recommender evaluation (pure functions, no I/O).

Notation for one query: ``R`` = the recommended list (best first), ``R_k`` its first ``k``
items, ``T`` = the set of relevant (target) films, ``rel_i = 1`` if the ``i``-th item of
``R`` (1-based) is in ``T`` else 0. A metric over a set of queries ``Q`` is the mean of the
per-query values (queries with an empty ``T`` are not queries: callers leave them out).

- hit rate: ``HR@k = 1 if |R_k & T| > 0 else 0``
- precision: ``P@k = |R_k & T| / k``
- normalised discounted cumulative gain, binary relevance:
  ``DCG@k = sum_{i=1..k} rel_i / log2(i + 1)``,
  ``IDCG@k = sum_{i=1..min(k, |T|)} 1 / log2(i + 1)``, ``NDCG@k = DCG@k / IDCG@k``
- catalog coverage: ``|union of R_k over all lists| / |catalog|`` (restricted to a subset
  ``S`` of the catalog: ``|union & S| / |S|``).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence


def hit_at_k(recommended: Sequence[int], relevant: Collection[int], k: int) -> float:
    """1.0 if one of the first ``k`` recommendations is relevant, else 0.0."""
    return 1.0 if any(item in relevant for item in recommended[:k]) else 0.0


def precision_at_k(recommended: Sequence[int], relevant: Collection[int], k: int) -> float:
    """Share of the ``k`` slots holding a relevant film (a short list still divides by k)."""
    return sum(1 for item in recommended[:k] if item in relevant) / k


def ndcg_at_k(recommended: Sequence[int], relevant: Collection[int], k: int) -> float:
    """Binary-relevance NDCG@k (see the module docstring); 0.0 when nothing is relevant."""
    dcg = sum(1.0 / math.log2(i + 2) for i, item in enumerate(recommended[:k])
              if item in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal > 0 else 0.0


def coverage(lists: Iterable[Sequence[int]], catalog: Collection[int], k: int) -> float:
    """Share of ``catalog`` films that appear in the first ``k`` items of at least one list."""
    if not catalog:
        return 0.0
    seen: set[int] = set()
    for recommended in lists:
        seen.update(recommended[:k])
    return len(seen & set(catalog)) / len(catalog)


def mean(values: Sequence[float]) -> float:
    """Arithmetic mean; NaN for no values (a metric over no queries is undefined)."""
    return sum(values) / len(values) if values else math.nan

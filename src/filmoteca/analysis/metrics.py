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
- per-user mean (heavy raters weigh like everyone else): with ``Q_u`` the queries of user
  ``u`` and ``U`` the users with at least one query,
  ``HR@k per user = (1/|U|) * sum_u (1/|Q_u|) * sum_{q in Q_u} HR@k(q)``.

Exposure, over a set of lists ``L`` (one per catalog film, every film asked once):

- ``e(j) = |{R in L : j in R_k}|``, the number of lists whose first ``k`` items hold film
  ``j``; its share ``e(j) / |L|`` ("Forrest Gump is in 21% of the top-5 lists");
- the Gini coefficient of ``e`` over the ``n`` films of the catalog (films in no list
  count, with ``e = 0``), ``x_(1) <= ... <= x_(n)`` sorted ascending:
  ``G = sum_{i=1..n} (2i - n - 1) * x_(i) / (n * sum_i x_(i))``; 0 when every film is in as
  many lists, ``1 - 1/n`` when one film is in all of them and the others in none (0 when
  no film is in any list).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Sequence


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


def per_user_mean(users: Sequence[Hashable], values: Sequence[float]) -> float:
    """Mean over users of each user's mean value (``users[i]`` made query ``i``); NaN for
    no queries."""
    totals: dict[Hashable, list[float]] = {}
    for user, value in zip(users, values, strict=True):
        totals.setdefault(user, []).append(value)
    return mean([sum(v) / len(v) for v in totals.values()])


def exposure_counts(lists: Iterable[Sequence[int]], k: int) -> Counter[int]:
    """``e(j)``: in how many lists film ``j`` is among the first ``k`` items (counted once
    per list)."""
    counts: Counter[int] = Counter()
    for recommended in lists:
        counts.update(set(recommended[:k]))
    return counts


def top_exposure(lists: Sequence[Sequence[int]], k: int, top: int) -> list[tuple[int, float]]:
    """The ``top`` most exposed films and their share of the lists, ``e(j) / |L|``, most
    exposed first (ties: lower id)."""
    if not lists:
        return []
    counts = exposure_counts(lists, k)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]
    return [(film, count / len(lists)) for film, count in ranked]


def gini(values: Sequence[float]) -> float:
    """Gini coefficient of non-negative values (see the module docstring); 0.0 for no
    values or an all-zero sum."""
    x = sorted(values)
    n, total = len(x), sum(x)
    if n == 0 or total == 0:
        return 0.0
    return sum((2 * i - n - 1) * v for i, v in enumerate(x, start=1)) / (n * total)


def exposure_gini(lists: Iterable[Sequence[int]], catalog: Collection[int], k: int) -> float:
    """Gini of ``e(j)`` over every film of ``catalog`` (those in no list count as 0)."""
    counts = exposure_counts(lists, k)
    return gini([counts.get(film, 0) for film in catalog])

"""Metrics on tiny cases computed by hand."""

from __future__ import annotations

import math

import pytest

from filmoteca.analysis import metrics


def test_hit_rate() -> None:
    assert metrics.hit_at_k([1, 2, 3, 4, 5], {5}, 5) == 1.0
    assert metrics.hit_at_k([1, 2, 3, 4, 5], {5}, 4) == 0.0
    assert metrics.hit_at_k([], {1}, 5) == 0.0


def test_precision() -> None:
    assert metrics.precision_at_k([1, 2, 3, 4, 5], {2, 4, 9}, 5) == pytest.approx(2 / 5)
    # a short list still divides by k
    assert metrics.precision_at_k([2], {2}, 5) == pytest.approx(1 / 5)


def test_ndcg() -> None:
    # hit at rank 1 and 3, two relevant items: DCG = 1 + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3)
    expected = 1.5 / (1 + 1 / math.log2(3))
    assert metrics.ndcg_at_k([7, 1, 8, 2, 3], {7, 8}, 5) == pytest.approx(expected)
    # perfect ranking
    assert metrics.ndcg_at_k([7, 8, 1], {7, 8}, 5) == pytest.approx(1.0)
    # more relevant items than k: IDCG uses k positions
    ideal = sum(1 / math.log2(i + 2) for i in range(2))
    assert metrics.ndcg_at_k([1, 9], {1, 2, 3, 4}, 2) == pytest.approx(1 / ideal)
    assert metrics.ndcg_at_k([1, 2], set(), 2) == 0.0


def test_coverage() -> None:
    lists = [[1, 2, 3], [3, 4, 5], [1, 6, 99]]
    assert metrics.coverage(lists, set(range(1, 11)), 2) == pytest.approx(5 / 10)  # 1,2,3,4,6
    assert metrics.coverage(lists, {5, 6}, 3) == pytest.approx(1.0)
    assert metrics.coverage([], {1}, 5) == 0.0


def test_mean() -> None:
    assert metrics.mean([1.0, 0.0, 0.5]) == pytest.approx(0.5)
    assert math.isnan(metrics.mean([]))


def test_per_user_mean() -> None:
    # user 1: 3 queries, 1 hit (mean 1/3); user 2: 1 query, a hit (mean 1)
    users = [1, 1, 1, 2]
    hits = [1.0, 0.0, 0.0, 1.0]
    assert metrics.per_user_mean(users, hits) == pytest.approx((1 / 3 + 1) / 2)
    assert metrics.mean(hits) == pytest.approx(2 / 4)  # per query: the heavy user weighs 3x
    assert math.isnan(metrics.per_user_mean([], []))


def test_exposure_and_gini_by_hand() -> None:
    # four lists (one per film of a 6-film catalog), top 2 counted
    lists = [[2, 3, 9], [3, 2], [3, 4, 2], [3, 3]]
    counts = metrics.exposure_counts(lists, 2)
    # film 3 is in all four lists' first two (counted once in [3, 3]), film 2 in two, 4 in one
    assert counts == {3: 4, 2: 2, 4: 1}
    assert metrics.top_exposure(lists, 2, 2) == [(3, 1.0), (2, 0.5)]
    assert metrics.top_exposure(lists, 2, 5) == [(3, 1.0), (2, 0.5), (4, 0.25)]
    # catalog 1..6: exposures sorted ascending x = 0, 0, 0, 1, 2, 4 (films 1, 5, 6, 4, 2, 3);
    # G = sum (2i - n - 1) x_i / (n sum x) = (1*1 + 3*2 + 5*4) / (6 * 7) = 27 / 42
    assert metrics.exposure_gini(lists, set(range(1, 7)), 2) == pytest.approx(27 / 42)


def test_gini_extremes() -> None:
    assert metrics.gini([3, 3, 3, 3]) == pytest.approx(0.0)  # everyone equally exposed
    assert metrics.gini([0, 0, 0, 5]) == pytest.approx(1 - 1 / 4)  # one film everywhere
    assert metrics.gini([]) == 0.0 and metrics.gini([0, 0]) == 0.0
    # the same Gini as the mean-absolute-difference definition, sum |xi - xj| / (2 n^2 mean)
    x = [0, 1, 2, 4, 7]
    mad = sum(abs(a - b) for a in x for b in x) / (2 * len(x) ** 2 * (sum(x) / len(x)))
    assert metrics.gini(x) == pytest.approx(mad)

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

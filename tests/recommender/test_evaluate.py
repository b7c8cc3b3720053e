"""The evaluation runs on the real sample and writes the report with every method."""

from __future__ import annotations

from pathlib import Path

import pytest

from filmoteca.catalog.store import CatalogError
from filmoteca.recommender import evaluate as ev


def test_evaluation_report(catalog_dir: Path, tmp_path: Path) -> None:
    path = ev.evaluate(catalog_dir, tmp_path / "reports", seed=42)
    assert path == tmp_path / "reports" / "recommender.md"
    text = path.read_text(encoding="utf-8")
    for method in (ev.MODEL, ev.CONTENT, ev.RANDOM, ev.POPULAR, ev.TFIDF):
        assert f"| {method} |" in text
    assert "HR@5 long tail" in text and "## Protocol" in text
    assert (tmp_path / "reports" / "figures" / "recommender.png").stat().st_size > 0


def test_missing_catalog_is_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="filmoteca build") as info:
        ev.evaluate(tmp_path / "nothing", tmp_path / "out")
    assert "\n" not in str(info.value)


def test_split_and_queries(catalog_dir: Path) -> None:
    tables = ev.load_tables(catalog_dir)
    train, held_out = ev.split_users(tables.ratings, 42)
    users, test_users = set(train["user_id"]), set(held_out["user_id"])
    assert not users & test_users
    assert len(test_users) == round(0.2 * (len(users) + len(test_users)))
    again = ev.split_users(tables.ratings, 42)[1]
    assert set(again["user_id"]) == test_users
    queries = ev.make_queries(held_out)
    assert queries and all(q.film_id not in q.targets and q.targets for q in queries)
    head = ev.head_films(tables.films, train)
    assert len(head) == -(-len(tables.films) // 100)
    assert all(not (q.targets & head) for q in ev.long_tail(queries, head))

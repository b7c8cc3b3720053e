"""The evaluation runs on the real sample and writes the report with every method."""

from __future__ import annotations

from pathlib import Path

import pytest

from filmoteca.analysis import evaluate as ev
from filmoteca.catalog.store import CatalogError


@pytest.fixture(scope="module")
def report(catalog_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("reports")
    path = ev.evaluate(catalog_dir, out, seed=42)
    return out, path.read_text(encoding="utf-8")


def _table(text: str) -> dict[str, dict[str, float]]:
    """The results table of the written report: method -> column -> value."""
    lines = []
    for line in text.splitlines():  # the first table only
        if line.startswith("| "):
            lines.append(line)
        elif lines and not line.startswith("|"):
            break
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    table = {}
    for line in lines[1:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        table[cells[0]] = {h: float(c.rstrip("%")) for h, c in zip(header[1:], cells[1:],
                                                                  strict=True)}
    return table


def test_evaluation_report(report: tuple[Path, str]) -> None:
    out, text = report
    assert (out / "recommender.md").is_file()
    assert set(_table(text)) == {ev.MODEL, ev.PLOTS, ev.CONTENT, ev.RANDOM, ev.POPULAR,
                                 ev.TFIDF}
    assert "## Overview block: TF-IDF or plot embeddings (issue 10)" in text
    assert "HR@5 long tail" in text and "## Protocol" in text
    assert (out / "figures" / "recommender.png").stat().st_size > 0


def test_model_beats_random_and_overview_tfidf(report: tuple[Path, str]) -> None:
    """On HR@5 and long-tail HR@5, on held-out users (seed 42), in the same run."""
    table = _table(report[1])
    model = table[ev.MODEL]
    for baseline in (ev.RANDOM, ev.TFIDF):
        for metric in ("HR@5", "HR@5 long tail"):
            assert model[metric] > table[baseline][metric], (baseline, metric)


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

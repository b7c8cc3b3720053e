"""The evaluation runs on the real sample and writes the report with every method: quality,
exposure (the blockbuster echo) and several-films queries."""

from __future__ import annotations

from pathlib import Path

import pytest

from filmoteca.analysis import evaluate as ev
from filmoteca.catalog.store import CatalogError


@pytest.fixture(scope="module")
def report(catalog_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("reports")
    path = ev.evaluate(catalog_dir, out, seed=42, synthetic=None)
    return out, path.read_text(encoding="utf-8")


def _table(text: str, after: str = "") -> dict[str, dict[str, str]]:
    """The first table of the written report after the line ``after``: method -> column ->
    cell."""
    lines: list[str] = []
    seen = not after
    for line in text.splitlines():
        seen = seen or line == after
        if seen and line.startswith("| "):
            lines.append(line)
        elif lines and not line.startswith("|"):
            break
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    table = {}
    for line in lines[1:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        table[cells[0]] = dict(zip(header[1:], cells[1:], strict=True))
    return table


def _numbers(table: dict[str, dict[str, str]]) -> dict[str, dict[str, float]]:
    return {m: {h: float(c.rstrip("%")) if c != "n/a" else float("nan") for h, c in row.items()}
            for m, row in table.items()}


def test_evaluation_report(report: tuple[Path, str]) -> None:
    out, text = report
    assert (out / "recommender.md").is_file()
    methods = {ev.MODEL, ev.PLOTS, ev.NO_CAP, ev.CONTENT, ev.RANDOM, ev.POPULAR, ev.TFIDF}
    assert set(_table(text)) == methods
    assert "## Overview block: TF-IDF or plot embeddings (issue 10)" in text
    assert "HR@5 long tail" in text and "## Protocol" in text
    assert (out / "figures" / "recommender.png").stat().st_size > 0


def test_model_beats_random_and_overview_tfidf(report: tuple[Path, str]) -> None:
    """On HR@5 and long-tail HR@5, on held-out users (seed 42), in the same run."""
    table = _numbers(_table(report[1]))
    model = table[ev.MODEL]
    for baseline in (ev.RANDOM, ev.TFIDF):
        for metric in ("HR@5", "HR@5 long tail"):
            assert model[metric] > table[baseline][metric], (baseline, metric)


def test_exposure_for_every_method(report: tuple[Path, str]) -> None:
    """Every method has its 5 most recommended films and a Gini; the model stays under 5%,
    the same model without its cap does not, most popular puts its films everywhere."""
    exposure = _table(report[1], "## Exposure: the blockbuster echo")
    assert set(exposure) == set(_table(report[1]))
    share = {m: float(row["most recommended film"].rstrip("%")) for m, row in exposure.items()}
    assert share[ev.MODEL] <= 5.0 < share[ev.NO_CAP]
    assert share[ev.POPULAR] == 100.0
    for method, row in exposure.items():
        assert len(row["5 most recommended films (share of the top-5 lists)"].split(", ")) == 5
        assert 0.0 <= float(row["Gini of exposure"]) <= 1.0, method
    gini = {m: float(row["Gini of exposure"]) for m, row in exposure.items()}
    assert gini[ev.MODEL] < gini[ev.NO_CAP] < gini[ev.POPULAR]
    assert gini[ev.RANDOM] < gini[ev.MODEL]


def test_per_user_hit_rate_for_every_method(report: tuple[Path, str]) -> None:
    table = _numbers(_table(report[1]))
    for method, row in table.items():
        assert 0.0 <= row["HR@5 per user"] <= 1.0, method
    # heavy raters liked many films, which helps any list: per user is lower for random
    assert table[ev.RANDOM]["HR@5 per user"] < table[ev.RANDOM]["HR@5"]


def test_several_films_table(report: tuple[Path, str]) -> None:
    groups = _numbers(_table(report[1], "## Several films at once"))
    assert set(groups) == set(_table(report[1]))
    model = groups[ev.MODEL]
    assert model["HR@5, several films"] > model["HR@5, first film only"]
    assert model["HR@5, several films"] > groups[ev.TFIDF]["HR@5, several films"]
    assert model["HR@5, several films"] > groups[ev.RANDOM]["HR@5, first film only"]
    for method in (ev.RANDOM, ev.POPULAR):  # no scores: no several-films answer
        assert groups[method]["HR@5, several films"] != groups[method]["HR@5, several films"]


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

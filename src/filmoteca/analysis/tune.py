"""Tuning of the model's :class:`~filmoteca.etl.neighbours.Weights` on a validation split.

``python -m filmoteca.analysis.tune [catalog_dir] [--seed 42]``: the evaluation's training
users (same split as ``filmoteca evaluate --seed``) are split again 80/20 with ``seed + 1``
into fitting and validation users; the model is built from the fitting users' ratings and
scored on the validation users' queries. The held-out (test) users of the evaluation are never
seen. Coordinate ascent over a multiplicative grid of each weight, in two stages: the content
weights on the content-only model (ratings weight 0: what the films without MovieLens ratings,
most of the full catalog, get), then the co-rating weights and the prior on the hybrid;
objective
``HR@5 + HR@5 long tail`` subject to ``coverage >= 60%`` (a margin over the 50% target), to
no film in more than 5% of the catalog's top-5 lists (the exposure the product allows; the
cap ``max_exposure`` is one of the hybrid stage's parameters, so the search picks how far
below 5% the cap goes), to a Gini of exposure of at most 0.80 (the model before the cap:
0.803 on these users) and to a product constraint the ratings do not reward: at least 90%
of the films of a collection (with another film of it in the catalog) have a sibling in
their top 5. A content-stage step is kept only if the hybrid with the same content weights
is feasible too. Prints the best weights; they are then written by hand as the defaults of
``Weights``. :func:`exposure_grid` then compares the prior, the co-rating exponent and the
cap around them (a grid: the ascent moves one weight at a time) and picks by a rule that
prefers the lower Gini among near-equal objectives; ``filmoteca evaluate`` reports it.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from filmoteca.analysis import metrics
from filmoteca.analysis.protocol import (
    K,
    Result,
    head_films,
    load_tables,
    long_tail,
    make_queries,
    model_lists,
    score,
    split_users,
)
from filmoteca.config import get_settings
from filmoteca.etl.clean import Tables
from filmoteca.etl.neighbours import OverviewBlock, Weights

CONTENT_WEIGHTS = ("prior", "genres", "keywords", "director", "cast", "collection", "overview")
HYBRID_WEIGHTS = ("ratings", "cf_alpha", "shrink", "prior", "max_exposure")
FACTORS = (0.0, 0.5, 0.75, 1.25, 1.5, 2.0)
MIN_COVERAGE = 0.60
MIN_SIBLINGS = 0.90
#: Largest share of the catalog's top-5 lists a film may be in (product requirement).
MAX_EXPOSURE = 0.05
#: Largest Gini of exposure: the model before the exposure cap had 0.803 on these
#: validation users; the echo may move between films but not concentrate more.
MAX_GINI = 0.80


def objective(tables: Tables, seed: int, weights: Weights,
              overview: OverviewBlock | None = None
              ) -> tuple[float, float, float, float, float, float, float]:
    """(objective, HR@5, HR@5 long tail, coverage, sibling share, largest exposure share,
    exposure Gini) on the validation users (``overview``: another overview block than the
    TF-IDF, see ``compute_neighbours``)."""
    r, siblings = validation_result(tables, seed, weights, overview)
    top = r.exposure[0][1] if r.exposure else 0.0
    feasible = (r.coverage >= MIN_COVERAGE and siblings >= MIN_SIBLINGS
                and top <= MAX_EXPOSURE and r.gini <= MAX_GINI)
    value = r.hr + r.hr_lt if feasible else -math.inf
    return value, r.hr, r.hr_lt, r.coverage, siblings, top, r.gini


def validation_result(tables: Tables, seed: int, weights: Weights,
                      overview: OverviewBlock | None = None) -> tuple[Result, float]:
    """The model's :class:`Result` on the validation users, and its sibling share."""
    train, _ = split_users(tables.ratings, seed)
    fit, validation = split_users(train, seed + 1)
    queries = make_queries(validation)
    head = head_films(tables.films, fit)
    catalog = set(tables.films["id"].astype(int).tolist())
    lists = model_lists(tables, fit, weights, overview=overview)
    r = score("model", lists, queries, long_tail(queries, head), catalog, head, 0.0)
    return r, sibling_share(tables, lists)


def sibling_share(tables: Tables, lists: dict[int, list[int]]) -> float:
    """Share of films of a collection (with 2+ films) that have a sibling in their list."""
    links = tables.film_collections
    members = links.groupby("collection_id")["film_id"].apply(set)
    total = found = 0
    for film, collection in zip(links["film_id"], links["collection_id"], strict=True):
        siblings = members[collection] - {film}
        if siblings:
            total += 1
            found += bool(siblings & set(lists.get(int(film), [])))
    return found / total if total else 1.0


def tune(tables: Tables, seed: int, rounds: int = 2) -> Weights:
    """Two stages: content weights on the content-only model (what films without ratings
    get: most of the full catalog; a step is taken only if the hybrid with the same content
    weights stays feasible too), then the co-rating weights, the prior and the exposure cap
    on the hybrid."""
    best = Weights()
    for stage, names, fixed in (("content", CONTENT_WEIGHTS, {"ratings": 0.0}),
                                ("hybrid", HYBRID_WEIGHTS, {})):
        best = _ascend(tables, seed, best, names, fixed, rounds, stage)
    print("best", best)
    return best


def _ascend(tables: Tables, seed: int, start: Weights, names: tuple[str, ...],
            fixed: dict[str, float], rounds: int, stage: str) -> Weights:
    def value_of(trial: Weights) -> tuple[float, list[float]]:
        value, *info = objective(tables, seed, dataclasses.replace(trial, **fixed))
        if fixed and math.isfinite(value) and not math.isfinite(
                objective(tables, seed, trial)[0]):
            value = -math.inf  # the hybrid with these content weights is infeasible
        return value, info

    best = start
    best_value, info = value_of(best)
    print(f"[{stage}] start {best_value:.4f} {info}")
    for _ in range(rounds):
        improved = False
        for name in names:
            current = getattr(best, name)
            for factor in FACTORS:
                value_w = round(current * factor, 4) if current > 0 else round(0.1 * factor, 4)
                if name == "cf_alpha":
                    value_w = min(value_w, 1.0)  # 1 = P(liked j | liked i): the largest
                if value_w == current:
                    continue
                trial = dataclasses.replace(best, **{name: value_w})
                value, info = value_of(trial)
                if value > best_value + 1e-4:
                    best, best_value, improved = trial, value, True
                    print(f"[{stage}] {name}={value_w}: {value:.4f} {info}")
        if not improved:
            break
    return best


#: The exposure grid ("blockbuster echo"): quality prior weight x co-rating exponent x
#: exposure cap (0: no cap), plus the popularity-debiased co-ratings (the cosine,
#: cf_alpha 0.5) at the shipped prior and cap. The other weights stay as tuned.
EXPOSURE_PRIORS = (0.3, 0.45, 0.6)
EXPOSURE_ALPHAS = (0.625, 1.0)
EXPOSURE_CAPS = (0.0, 0.01, 0.02, 0.03, 0.05)
#: Objective differences below this are noise on these validation users (the paired
#: bootstrap intervals of the overview comparison are about +-0.013 wide).
NOISE = 0.01


def exposure_grid(tables: Tables, seed: int,
                  weights: Weights | None = None) -> list[dict[str, Any]]:
    """Each configuration of the exposure grid on the VALIDATION users (never the held-out
    ones): its weights, :func:`objective` parts and whether it is ``chosen``. Rule: among
    the feasible configurations (the constraints of :func:`objective`, 5% exposure
    included) whose objective is within :data:`NOISE` of the best, the lowest exposure
    Gini (then the higher objective). The defaults of ``Weights`` are that choice."""
    base = weights or Weights()
    trials = [replace(base, prior=p, cf_alpha=a, max_exposure=c)
              for p in EXPOSURE_PRIORS for a in EXPOSURE_ALPHAS for c in EXPOSURE_CAPS]
    trials.append(replace(base, cf_alpha=0.5))
    rows: list[dict[str, Any]] = []
    for trial in trials:
        value, hr, lt, coverage, siblings, top, gini = objective(tables, seed, trial)
        rows.append({"weights": trial, "objective": value, "hr": hr, "hr_lt": lt,
                     "coverage": coverage, "siblings": siblings, "top": top, "gini": gini,
                     "chosen": False})
    feasible = [r for r in rows if math.isfinite(r["objective"])]
    if feasible:
        best = max(float(r["objective"]) for r in feasible)
        near = [r for r in feasible if float(r["objective"]) >= best - NOISE]
        min(near, key=lambda r: (round(float(r["gini"]), 6), -float(r["objective"])))[
            "chosen"] = True
    return rows


#: Overview weights tried for the plot embeddings on the validation users.
EMBEDDING_WEIGHTS = (0.15, 0.3, 0.45, 0.6, 0.9, 1.2)


def compare_overview(tables: Tables, seed: int, block: OverviewBlock,
                     weights: Weights | None = None) -> dict[str, Any]:
    """TF-IDF (shipped weights) against plot embeddings (their overview weight chosen among
    :data:`EMBEDDING_WEIGHTS` by the tuning objective) on the VALIDATION users of
    :mod:`filmoteca.analysis.tune` (never the held-out users), for the hybrid and the
    content-only model, with a 95% paired bootstrap interval (users resampled, 2,000 times)
    of the objective's difference (HR@5 + HR@5 long tail)."""
    weights = weights or Weights()
    tried = {w: objective(tables, seed, replace(weights, overview=w), block)[0]
             for w in EMBEDDING_WEIGHTS}
    chosen = max(EMBEDDING_WEIGHTS, key=lambda w: (tried[w], -w))
    train, _ = split_users(tables.ratings, seed)
    fit, validation = split_users(train, seed + 1)
    queries = make_queries(validation)
    lt_queries = long_tail(queries, head_films(tables.films, fit))
    rows: dict[str, Any] = {"weight": chosen, "tried": tried, "queries": len(queries)}
    rng = np.random.default_rng(seed)
    for mode, ratings in (("hybrid", weights.ratings), ("content", 0.0)):
        hits = {}
        for name, variant, overview in (
                ("tfidf", replace(weights, ratings=ratings), None),
                ("embeddings", replace(weights, ratings=ratings, overview=chosen), block)):
            lists = model_lists(tables, fit, variant, overview=overview)
            hits[name] = [np.array([metrics.hit_at_k(lists.get(q.film_id, []), q.targets, K)
                                    for q in qs]) for qs in (queries, lt_queries)]
        users = [np.array([q.user_id for q in qs]) for qs in (queries, lt_queries)]
        everyone = np.unique(users[0])
        draws = []
        for _ in range(2000):
            counts = pd.Series(rng.choice(everyone, len(everyone))).value_counts()
            diff = 0.0
            for part in (0, 1):
                w = counts.reindex(users[part]).fillna(0).to_numpy()
                delta = hits["embeddings"][part] - hits["tfidf"][part]
                diff += float((delta * w).sum() / w.sum()) if w.sum() else 0.0
            draws.append(diff)
        rows[mode] = {name: (float(h[0].mean()), float(h[1].mean()))
                      for name, h in hits.items()}
        rows[mode]["interval"] = tuple(float(x) for x in np.percentile(draws, [2.5, 97.5]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("catalog", nargs="?", type=Path, default=get_settings().catalog_dir)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    tune(load_tables(args.catalog), args.seed)


if __name__ == "__main__":
    main()

"""Filmoteca: a fast, forgiving movie API and recommender over The Movies Dataset.

Two processes share one thing, the catalog on disk; the folders follow the data:

    raw/       the Kaggle files: located, read, downloaded, synthesized (never edited)
    etl/       raw -> clean tables, neighbours, serving index, vectors -> a catalog build
    catalog/   the catalog on disk: its layout, the index file, the build folders, tables
    services/  the catalog opened for answering: names, the questions, search, recommendations
    api/       FastAPI: the routes (the contract), errors, HTTP caching, the web page
    analysis/  offline: the EDA, the recommender's evaluation and tuning
    cli.py     the ``filmoteca`` command

``raw`` and ``etl`` run in ``filmoteca build``; ``services`` and ``api`` in ``filmoteca
serve``, which never imports the first two.

Shared helpers: ``config.py`` (settings), ``text.py`` (name normalization),
``formatting.py`` (Spanish numbers), ``progress.py``, ``folders.py`` (atomic publishing, a
full disk), ``encoder.py`` (the multilingual model: the build embeds texts with it, the
server embeds queries). The import rules are in ``pyproject.toml`` (import-linter).
"""


__version__ = "0.1.0"

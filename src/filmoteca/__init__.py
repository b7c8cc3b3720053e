"""Filmoteca: a fast, forgiving movie API and recommender over The Movies Dataset.

Flow of the package, one folder per stage (settings and paths: ``config.py``; the embedded
real sample: ``sample/``):

    raw/          locate and read the raw Kaggle CSV files (or the embedded sample); synth data
    etl/          parse Python-literal cells, apply the course's cleaning rules, unnest tables
    recommender/  content-based hybrid model: neighbours precomputed at build time; evaluation
    catalog/      the built catalog on disk (Parquet tables + serving index), written atomically
    services/     the course questions answered from the serving index (no pandas at serve time),
                  as the answer models of services/answers.py
    api/          FastAPI app: routers, the published contract, error model, the web page at "/"
    eda/          the hand-made exploratory report
"""

__version__ = "0.1.0"

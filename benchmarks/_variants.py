"""Serve a catalog with one of the API designs ``benchmarks/api.py`` compares (not shipped).

    python benchmarks/_variants.py --design fastapi --catalog DIR --port P

- ``direct``: the app exactly as ``filmoteca serve`` runs it (:func:`create_app`: response
  cache, the routes answered directly by :mod:`filmoteca.api.direct`);
- ``fastapi``: the same app without :mod:`filmoteca.api.direct` (``direct=False``): every
  request goes through FastAPI's routing, dependencies, validation and serialization (the
  response cache in front stays, unless ``FILMOTECA_RESPONSE_CACHE=0``).

The earlier design (the hand-written fast path) is measured from a checkout of the commit
that had it (``api.py --before DIR``), not reimplemented here.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import uvicorn

from filmoteca.api.app import create_app
from filmoteca.config import Settings
from filmoteca.services.catalog import load_catalog


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--design", choices=("direct", "fastapi"), required=True)
    parser.add_argument("--catalog", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    settings = Settings(catalog_dir=args.catalog)
    app = create_app(load_catalog(args.catalog), settings, direct=args.design == "direct")
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()

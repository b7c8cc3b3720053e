"""The HTTP API (FastAPI): :func:`filmoteca.api.app.create_app` builds it.

- :mod:`.app`: the application, its lifespan (loads the catalog), middleware, static page;
- :mod:`.routers`: one router per resource (``peliculas``, ``recomendacion``, ``sistema``);
- :mod:`.schemas`: response models with examples (``/docs``);
- :mod:`.errors`: the Spanish 404/422 error model;
- :mod:`.deps`: request dependencies (the loaded catalog, shared parameters);
- :mod:`.timing`: the ``Server-Timing`` middleware the benchmarks read.

The answers themselves live in :mod:`filmoteca.services`.
"""

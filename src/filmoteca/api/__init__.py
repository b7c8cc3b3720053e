"""The HTTP API (FastAPI): :func:`filmoteca.api.app.create_app` builds it.

- :mod:`.app`: the application (``create_app(catalog, settings)``), its lifespan (loads the
  catalog), middleware, static page;
- :mod:`.fast`: the fast path in front of it, answering the hot requests with the same
  services and bytes (no per-request framework work, an LRU of answers);
- :mod:`.server`: what ``filmoteca serve`` runs (the fast path, FastAPI created on first
  need, one or more uvicorn workers);
- :mod:`.responses`: the error body and the JSON bytes of answers, shared by both paths;
- :mod:`.routers`: one router factory per resource (``peliculas``, ``recomendacion``,
  ``sistema``), built for the app's limits; they return the answer models of
  :mod:`filmoteca.serve.answers` (the response models of ``/docs``);
- :mod:`.contract`: the rules of every parameter and the declared error bodies, generated
  from the settings the server enforces;
- :mod:`.errors`: the Spanish 404/422/503 error model and its handlers;
- :mod:`.deps`: request dependencies (the loaded catalog, or a 503);
- :mod:`.timing`: the ``Server-Timing`` middleware the benchmarks read.

The answers themselves live in :mod:`filmoteca.serve`.
"""

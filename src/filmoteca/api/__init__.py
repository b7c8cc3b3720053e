"""The HTTP API (FastAPI); :func:`filmoteca.api.app.create_app` builds it.

- :mod:`.app`: the assembly: settings, catalog, routers, errors, middleware, web page;
- :mod:`.routers`: one router per resource (``peliculas``: the six questions;
  ``recomendacion``; ``busqueda``; ``pelicula``: a film's page; ``sistema``: ``/`` and
  ``/health``), the one place where
  paths, parameters, bounds and errors are written;
- :mod:`.contract`: the rules of each parameter and the declared errors, from the settings;
- :mod:`.errors`: the Spanish error body and its handlers;
- :mod:`.deps`: request dependencies (the catalog, its semantic layer);
- :mod:`.direct`: the routes answered without FastAPI's per-request work, derived from them;
- :mod:`.cache`: HTTP as clients expect it (HEAD, gzip, ETag and 304, Cache-Control, CORS,
  ``Server-Timing``) and the answers kept as bytes;
- :mod:`.server`: what ``filmoteca serve`` runs.

The answers themselves are built in :mod:`filmoteca.services`.
"""


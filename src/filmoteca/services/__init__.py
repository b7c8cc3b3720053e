"""The serving side: the catalog opened for answering, and every answer, without FastAPI.

- :mod:`.catalog`: ``index.bin`` memory-mapped (:class:`~.catalog.Catalog`);
- :mod:`.matching`: what a user types -> a name (422 checks, lookup, 404 suggestions);
- :mod:`.answers`: the pydantic model of every answer;
- :mod:`.questions`: the six course questions, one function each;
- :mod:`.titles`: a title, as in the catalog or in Spanish -> a film;
- :mod:`.recommend`: ``/recomendacion``; :mod:`.search`: ``/buscar``;
  :mod:`.descriptions`: ``/buscar_descripcion``;
- :mod:`.semantic`: the catalog's semantic layer, loaded in the background;
  :mod:`.vectors`: its search over the title and plot vectors (numpy).

Never pandas, pyarrow, scipy, scikit-learn or babel (``pyproject.toml``, import-linter).
"""


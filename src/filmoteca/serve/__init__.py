"""What the API answers, without the web framework (pydantic models, no FastAPI): the loaded
catalog and one module per kind of question.

- :mod:`.answers`: the answer models every service returns (pydantic, declared once).
- :mod:`.catalog`: the serving index loaded in memory (:class:`~.catalog.Catalog`).
- :mod:`.matching`: user input checks (422) and name lookup with suggestions (404).
- :mod:`.questions`: the six course questions, one function each.
- :mod:`.search`: title search (``/buscar``).
- :mod:`.recommend`: the stored recommendations (``/recomendacion``).

Nothing here imports pandas, numpy, pyarrow, scipy, scikit-learn or babel: the serving
process stays small and starts fast.
"""

"""ETL: raw Kaggle files -> the catalog on disk (``filmoteca build``). Never imported by
the serving process.

- :mod:`.literals`, :mod:`.clean`: the course's cleaning rules and the unnested tables;
  :mod:`.report`: what was dropped or repaired, and why (``build_report.json``);
- :mod:`.neighbours`: the recommender: every film's neighbours, computed once;
- :mod:`.aliases`: colloquial and regional names of languages and countries, genres;
- :mod:`.titles`: the films' original and Spanish release titles (``data/titulos_es.csv``);
- :mod:`.index`: what the serving index holds (names, counts, search, neighbours);
- :mod:`.vectors`: the stage "embeddings" (the vectors of Spanish search);
- :mod:`.pipeline`: the stages in order, into a build folder published atomically.
"""

"""The build: raw Kaggle files -> the catalog on disk (``filmoteca build``, ``download``,
``synth``). Never imported by the serving process.

- :mod:`.raw`: locating, reading, downloading and synthesizing the raw files;
- :mod:`.etl`: the course's cleaning rules and the unnested tables, with the build report;
- :mod:`.neighbours`: the recommender: every film's neighbours, computed once;
- :mod:`.index`: what the serving index holds (names, counts, search, neighbours);
- :mod:`.aliases`: colloquial and regional names of languages and countries;
- :mod:`.vectors`: the stage "embeddings" (the vectors of Spanish search);
- :mod:`.pipeline`: the stages in order, into a build folder published atomically.
"""

"""The catalog on disk: the one thing the build writes and the server reads.

- :mod:`.layout`: the sections of the serving index and their rows, the vector files;
- :mod:`.binary`: the section file (written at build time, memory-mapped to serve);
- :mod:`.store`: the catalog folder: builds, the manifest, atomic publishing;
- :mod:`.tables`: the clean tables of a build (Parquet; build and analysis only).
"""


"""The built catalog on disk: Parquet tables, the serving index and the build report."""

"""ETL: raw Kaggle frames -> clean, unnested catalog tables (the course's cleaning rules)."""

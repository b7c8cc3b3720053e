"""Raw data: locating and reading the Kaggle CSV files (never edited), and synthetic copies."""

"""Raw data: locating and reading the Kaggle CSV files (never edited), downloading them
(:mod:`.download`, kagglehub) and generating synthetic copies at any scale (:mod:`.synth`)."""

"""The hand-made exploratory data analysis (``filmoteca eda``, ``make eda``).

Owns the EDA report: :mod:`.data` loads the catalog tables (and the raw movies file, for
missing values before cleaning), :mod:`.sections` draws each figure with matplotlib/seaborn
and writes its finding in Spanish from the computed numbers, :mod:`.report` saves the PNGs
and the Spanish ``index.html``, and :mod:`.notebook` executes ``notebooks/eda.ipynb`` (which
calls the same functions) in place.
"""

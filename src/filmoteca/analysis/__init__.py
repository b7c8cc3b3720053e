"""Offline analysis of a built catalog (``filmoteca eda``, ``filmoteca evaluate``); never
imported by the serving process.

- :mod:`.eda`: the hand-made exploratory report and its figures;
- :mod:`.evaluate`: the recommender against baselines on MovieLens users;
- :mod:`.tune`: the recommender's weights, chosen on validation users;
- :mod:`.metrics`: the ranking metrics (formulas in its docstring).
"""

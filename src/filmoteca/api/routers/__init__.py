"""One router per resource: ``peliculas`` (the six questions), ``recomendacion``, ``sistema``."""

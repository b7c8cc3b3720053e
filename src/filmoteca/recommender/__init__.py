"""Content-based hybrid recommender: neighbours precomputed at build time, and evaluation."""

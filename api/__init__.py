"""The HTTP API (FastAPI). Routes validate and delegate to ``indexer.queries``."""

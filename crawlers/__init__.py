"""Fetch news articles and their reader comments, politely, and hand them to the pipeline."""

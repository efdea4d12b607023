"""Vietnamese text in, tags out: normalisation, segmentation, models, topics, places."""

"""What vnopinion tells people: spike alerts (``alerts``) and the weekly report (``weekly``).

Reads go through ``indexer``'s read modules; the vocabulary (watch-topic labels) is passed in
by the composition root, so this package imports neither ``nlp`` nor ``api``.
"""

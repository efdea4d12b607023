"""vnopinion: watches Vietnamese public opinion in news articles and reader comments.

This package is the composition root: settings, the command line and the demo. The
pipeline stages live in the top-level packages ``crawlers``, ``nlp``, ``indexer`` and ``api``.
"""

__version__ = "0.1.0"

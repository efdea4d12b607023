"""Documents into Elasticsearch: the document model, index template, bulk writes, the node.

``indexer`` imports nothing from ``crawlers``, ``nlp`` or ``api``; only the leaf module
``vnopinion.settings``.
"""

"""The long-running monitor: ``vnopinion monitor`` (see ``crawlers.monitor.model``)."""

"""Comment adapters: one small module per site's comment endpoint, over ``base``."""

"""Built-in indicator plugins of govscore: one module per indicator, one package per level-1 area.

Every module here is registered as its own pluggy plugin, exactly like a third-party plugin.
"""

"""The organisation tree: bureau, units and party branches."""

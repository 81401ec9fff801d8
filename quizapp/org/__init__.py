"""The organisation tree and the management area's front page."""

"""The member's own pages behind the bottom navigation."""

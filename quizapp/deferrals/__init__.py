"""Per-member exceptions to a quiz: 缓考 (a personal window), 补考 (extra attempts) and extra time."""

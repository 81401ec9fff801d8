"""Study materials (学习资料) and honest study minutes."""

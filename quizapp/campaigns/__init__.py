"""Campaigns (学习任务) and training classes (培训班)."""

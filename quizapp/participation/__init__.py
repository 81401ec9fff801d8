"""Participation (参学率, 参训率, 参考率) per branch, rolled up through units to the bureau."""

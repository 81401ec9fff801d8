"""Offline sessions (线下学习): lectures, seminars and party days, with attendance."""

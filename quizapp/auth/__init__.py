"""Logging in and out, and members' own passwords."""

"""Regrading (复核改分): submitted attempts graded again after a question's key changed."""

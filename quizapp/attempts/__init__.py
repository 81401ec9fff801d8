"""Attempts: a member's sitting of a quiz, saved answer by answer and graded on submit."""

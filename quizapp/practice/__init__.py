"""Practice (练习), the wrong-answer book (错题本) and daily questions (每日答题)."""

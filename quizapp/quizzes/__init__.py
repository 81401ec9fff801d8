"""Quizzes: tests, exams and knowledge competitions drawn from the bank."""

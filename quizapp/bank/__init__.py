"""The question bank: categories, questions of several types, imports and exports."""

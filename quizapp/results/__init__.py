"""Results for organisers: per member and per branch, competition rankings, item statistics."""

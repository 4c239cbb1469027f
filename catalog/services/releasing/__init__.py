"""Releases: publish, withdraw, discard, revert, schedules, the listings learners read, topic counts, the tick."""

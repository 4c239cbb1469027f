"""Releases: publish, withdraw, discard, revert, schedules, listings, topic counts, the search document."""

"""Database plumbing: raw SQL helpers, the read replica's router and its WAL fence."""

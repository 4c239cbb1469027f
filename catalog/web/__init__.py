"""Learner pages, previews' pages, middleware, health checks and error pages."""

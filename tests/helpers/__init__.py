"""Helpers shared by the tests: servers, API and command shortcuts, release views, receivers."""

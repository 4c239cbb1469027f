"""Editing a course's working copy: its fields, address and deletion, and its tree of units and modules."""

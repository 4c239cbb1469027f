"""Editing a course's working copy: fields, address, deletion, the tree, the course lock."""

"""The generator's pipeline: whole-tree upserts planned, merged with editors' edits, applied, bulk-copied."""

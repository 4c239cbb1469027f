"""The catalog's middleware: the learners' cache in front of the API, the replica's routing, metrics."""

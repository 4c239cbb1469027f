"""Pure rules with no database: the workflow table, learner documents and diffs, the record format, Markdown."""

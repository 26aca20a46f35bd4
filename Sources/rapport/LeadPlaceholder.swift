// Placeholder from the lead so the manifest validates while the CLI is written; delete freely.

// Placeholder from the lead so the manifest validates; delete freely.

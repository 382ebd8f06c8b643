"""Units that change: events, lineage and the two views of every figure (docs/METHODOLOGY.md
§10). `graph` is the pure lineage; `store` loads it from the database."""

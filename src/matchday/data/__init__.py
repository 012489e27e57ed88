"""Data layer: source readers, team-name registry, validation and the DuckDB store."""

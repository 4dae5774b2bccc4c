"""Default rules shipped with enrich (TOML data, edited by stewards, not code)."""

"""Forms built from field declarations."""

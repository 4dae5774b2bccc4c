"""Public company registries: KBO/BCE and SIRENE bulk files → a local index; firmographics attached from it."""

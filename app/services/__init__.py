"""Use cases: what the officer does, without any screen. The UI and the CLI call these."""

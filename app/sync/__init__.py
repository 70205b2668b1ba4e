"""The monthly sync package (shared/design/sync-bundle.md, docs/package-format.md): the keys that sign and
encrypt it, the zip container and its member rules, and the village export. Beside app.services: it reads the
data layer and the monthly report, and is read by the UI and the command line."""

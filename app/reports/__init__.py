"""Printed output (PDF) made with reportlab. No Qt here: the pages call these functions in the background
(app.ui.workers.run_op) and the CLI can call them too. Every string comes from the catalogue (app.i18n)."""


class Cancelled(Exception):
    """The person pressed Cancel while a report was being written; no file was left behind."""

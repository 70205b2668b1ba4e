"""Printed output (PDF, Excel) made with reportlab and openpyxl. No Qt here, and no database: the data comes
from app.services. The pages call these functions in the background (app.ui.workers.run_op) and the command
line calls them too; cancelling goes through the one progress protocol (app.progress). Every string comes from
the catalogue (app.i18n)."""

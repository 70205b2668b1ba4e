"""导入表格: bringing a village's existing Excel / WPS / CSV registers in.

`open_source` reads a file and finds each sheet's register (header and column mapping); `preview` says what
importing it would do, row by row; `import_register` makes a backup, then writes every accepted row in one
transaction (`do_import`, the write core), re-plans the follow-ups once, and checks the database's integrity.
Importing the same file again changes nothing. The modules: reader (files), normalise (cells to values),
headers (where the header is, which column is which), plan (the rules, row by row), commit (writing).
"""

from __future__ import annotations

from app.services.registers_import.commit import ImportResult, do_import, import_register, preview
from app.services.registers_import.headers import FIELDS, IGNORED, TWICE, Layout
from app.services.registers_import.plan import ADD, REFUSED, SAME, UPDATE, Change, ImportPlan, PlannedRow
from app.services.registers_import.source import Source, open_source

__all__ = [
    "ADD",
    "FIELDS",
    "IGNORED",
    "REFUSED",
    "SAME",
    "TWICE",
    "UPDATE",
    "Change",
    "ImportPlan",
    "ImportResult",
    "Layout",
    "PlannedRow",
    "Source",
    "do_import",
    "import_register",
    "open_source",
    "preview",
]

"""The one-folder program's entry point. `FamilyHealthDesk` (the desktop app; windowed on Windows) and `fhdesk`
(the command line; a console program on Windows) are two launchers of the same code in the same folder: the
name the program was started under picks which."""

from __future__ import annotations

import sys
from pathlib import Path


def main() -> int:
    if Path(sys.executable).stem.lower() == "fhdesk":
        from app.cli import main as command_line

        return command_line()
    from app.__main__ import main as desktop

    return desktop()


if __name__ == "__main__":
    sys.exit(main())

"""Table models over lists of plain rows from services (never live ORM objects)."""

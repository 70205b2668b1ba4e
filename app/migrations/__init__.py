"""Alembic migrations. HEAD_REVISION names the newest one, so that opening an up-to-date database does not
have to import Alembic (0.13 s of start-up); a test checks it against Alembic's own view of the head."""

HEAD_REVISION = "0008"

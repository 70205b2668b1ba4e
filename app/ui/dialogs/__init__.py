"""Dialogs and forms."""

"""Maintenance tools for the book itself: its editions and their translation catalogues."""

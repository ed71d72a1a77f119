"""The AI consciousness evidence portfolio: typed claims, a store, a database, an aggregator and a
site renderer. This package imports neither typer nor rich (only the site renderer uses jinja2)."""

__version__ = "0.1.0"

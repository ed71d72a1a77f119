"""The SQLite database: a build artefact, rebuilt from `claims/` and never edited by hand.

- `kb.db.schema`: the tables, declared once (SQLModel), frozen as `schema.sql` with the full-text
  indexes and views; column descriptions for Datasette's metadata.
- `kb.db.freshness`: where the database lives and whether it still matches `claims/` (one stat
  per file; standard library only, so a forked child computes it in a millisecond).
- `kb.db.build`: writing it (whole, or in place when only claim files changed), healing a
  damaged one, and the lock that serialises builds.
- `kb.db.queries`: what read commands ask of it.

This file imports nothing, so `kb.db.freshness` stays cheap to import."""

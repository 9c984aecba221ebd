"""The package's Alembic migrations, one branch labelled `loyaltylion`.

A store with its own Alembic setup includes them by adding `VERSIONS` to its
`version_locations` and `models.Base.metadata` to its `target_metadata`, then runs
`alembic upgrade heads` (the README's "Running in production" shows both). A store
without Alembic calls `LoyaltyLion.create_tables(engine)` instead.
"""

from pathlib import Path

VERSIONS = Path(__file__).resolve().parent / "versions"

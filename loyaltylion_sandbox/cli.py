"""`flask --app loyaltylion_sandbox ...` commands."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app

from loyaltylion_sandbox.rewards import import_codes, parse_code_csv
from loyaltylion_sandbox.seed import reset_everything
from loyaltylion_sandbox.transactions import writing


def register(app: Flask) -> None:
    @app.cli.command("import-codes")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--reward", "reward_id", type=int, default=1, show_default=True)
    def import_codes_command(file: Path, reward_id: int) -> None:
        """Import voucher codes from FILE (CSV: a `code` header, one code per line)."""
        codes = parse_code_csv(file.read_text(encoding="utf-8-sig"))
        with writing():
            result = import_codes(reward_id, codes)
        click.echo(
            f"reward {reward_id}: {result.added} added, {result.duplicates} duplicates skipped, "
            f"{result.blank} blank lines, {result.unused} unused codes in the pool"
        )

    @app.cli.command("reset")
    def reset_command() -> None:
        """Wipe the sandbox database and re-seed the program."""
        reset_everything(current_app._get_current_object())  # type: ignore[attr-defined]
        click.echo("sandbox reset")

"""``flask --app accessible_learning …`` commands."""

from __future__ import annotations

import click

from .services import demo


def register_cli(app) -> None:
    @app.cli.command("demo")
    @click.option("--if-empty", is_flag=True, help="Only seed when the database has no users.")
    def demo_command(if_empty: bool) -> None:
        """Create the demo users (one per role) and the demo courses."""
        if if_empty and demo.is_seeded():
            click.echo("The database already has users; the demo was not added again.")
            return
        click.echo("Demo logins:")
        demo.seed(log=click.echo)
        click.echo("The demo is ready.")

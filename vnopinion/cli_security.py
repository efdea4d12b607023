"""``vnopinion apikey`` (API keys and roles) and ``vnopinion privacy`` (pseudonym key
rotation, retention). Registered on the main group by ``vnopinion.cli``."""

from __future__ import annotations

import click

from api.security.keys import ROLES, KeyStore
from indexer.client import make_client
from indexer.errors import VnopinionError
from vnopinion.settings import Settings

__all__ = ["apikey", "privacy"]


def _settings(ctx: click.Context) -> Settings:
    settings = ctx.find_object(Settings)
    assert settings is not None  # set by vnopinion.cli.main  # noqa: S101
    return settings


@click.group()
def apikey() -> None:
    """API keys: create (the key is shown once), list, revoke."""


@apikey.command("create")
@click.option("--name", required=True, help="Who or what uses the key (a person, a script).")
@click.option("--role", type=click.Choice(ROLES), default="viewer", show_default=True,
              help="viewer: read; analyst: also /export; admin: everything.")  # fmt: skip
@click.pass_context
def apikey_create(ctx: click.Context, name: str, role: str) -> None:
    """Create a key and print it once: only its hash is stored."""
    settings = _settings(ctx)
    with make_client(settings) as client:
        try:
            new = KeyStore(client, settings.api_keys_index).create(name, role)  # type: ignore[arg-type]
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--name") from exc
    click.echo(f"Created key {new.key.id} ({new.key.name}, {new.key.role}).")
    click.echo("Copy it now: it is shown only this once.", err=True)
    click.echo(new.secret)


@apikey.command("list")
@click.pass_context
def apikey_list(ctx: click.Context) -> None:
    """List keys: id, role, created, state, name (never the keys themselves)."""
    settings = _settings(ctx)
    with make_client(settings) as client:
        keys = KeyStore(client, settings.api_keys_index).list()
    if not keys:
        click.echo("No API keys yet: `vnopinion apikey create --name NAME --role viewer`.")
    for key in keys:
        state = "revoked" if key.revoked else "active"
        click.echo(f"{key.id}  {key.role:<8} {key.created_at:%Y-%m-%d %H:%M}Z  "
                   f"{state:<8} {key.name}")  # fmt: skip


@apikey.command("revoke")
@click.argument("key_id")
@click.pass_context
def apikey_revoke(ctx: click.Context, key_id: str) -> None:
    """Revoke a key at once, on every API instance, with its login sessions."""
    settings = _settings(ctx)
    with make_client(settings) as client:
        found = KeyStore(client, settings.api_keys_index).revoke(key_id)
    if not found:
        raise VnopinionError(f"No API key with id {key_id!r}.", hint="see `vnopinion apikey list`")
    click.echo(f"Revoked key {key_id}.")


@click.group()
def privacy() -> None:
    """Personal data: rotate the pseudonym key, drop indices past the retention period."""


@privacy.command("rotate-key")
@click.pass_context
def privacy_rotate_key(ctx: click.Context) -> None:
    """Add a new pseudonym key; new documents use it, old ids stay as indexed."""
    from crawlers.pseudonym import rotate_key

    ring = rotate_key(_settings(ctx))
    click.echo(
        f"Pseudonym key version {ring.version} is now in use (versions kept: "
        f"{', '.join(map(str, sorted(ring.keys)))}). From now on the same commenter gets a "
        "new author_id; ids already indexed are unchanged."
    )


@privacy.command("retention")
@click.option("--dry-run", is_flag=True, help="Only say which indices would be deleted.")
@click.option("--months", type=click.IntRange(min=0),
              help="Override VNOPINION_RETENTION_MONTHS (0 = keep everything).")  # fmt: skip
@click.pass_context
def privacy_retention(ctx: click.Context, dry_run: bool, months: int | None) -> None:
    """Delete whole monthly indices older than retention_months (month granularity)."""
    from indexer.retention import apply_retention, plan_retention

    settings = _settings(ctx)
    months = settings.retention_months if months is None else months
    if months == 0:
        click.echo("Retention is off (retention_months = 0): nothing is deleted.")
        return
    with make_client(settings) as client:
        plan = plan_retention(client, settings.index_alias, months)
        verb = "Would delete" if dry_run else "Deleting"
        click.echo(f"Keeping months from {plan.first_kept} on ({months} months). "
                   f"{verb} {len(plan.delete)} indices.")  # fmt: skip
        for name in plan.delete:
            click.echo(f"  {name}")
        if not dry_run:
            apply_retention(client, plan)
            click.echo(f"Deleted {len(plan.delete)} indices; {len(plan.keep)} kept.")

"""The ``vnopinion`` command line: builds Settings once and hands them to each command."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click
from pydantic import ValidationError

from indexer.client import make_client
from indexer.errors import VnopinionError
from indexer.node import LocalNode
from indexer.setup import ensure_index
from vnopinion.cli_feedback import feedback, load_corrections
from vnopinion.cli_monitor import monitor
from vnopinion.cli_reports import alerts, report
from vnopinion.cli_security import apikey, privacy
from vnopinion.settings import Settings

SITE_TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def _settings(ctx: click.Context) -> Settings:
    settings = ctx.find_object(Settings)
    assert settings is not None  # set by main()  # noqa: S101
    return settings


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Show debug logging.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """vnopinion: nắm tình hình dư luận — Vietnamese public opinion, crawled, tagged, searchable."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("elastic_transport").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        ctx.obj = Settings()
    except ValidationError as exc:
        raise VnopinionError(
            f"Invalid settings: {exc}",
            hint="fix the VNOPINION_* variable or .env entry named above.",
        ) from exc


@main.group()
def es() -> None:
    """Run the local Elasticsearch node (downloaded once from Maven Central)."""


@es.command("start")
@click.pass_context
def es_start(ctx: click.Context) -> None:
    """Start the node and wait until it is ready (a no-op if it runs)."""
    settings = _settings(ctx)
    node = LocalNode(settings)
    started = node.start()
    with make_client(settings) as client:
        setup = ensure_index(client, settings.index_alias)
    status = node.status()
    word = "started" if started else "already running"
    click.echo(f"Elasticsearch {status.version} {word} at {status.url} (health {status.health}).")
    click.echo(f"Index template and alias {settings.index_alias} ready ({setup.index}).")


@es.command("stop")
@click.pass_context
def es_stop(ctx: click.Context) -> None:
    """Stop the node."""
    stopped = LocalNode(_settings(ctx)).stop()
    click.echo("Elasticsearch stopped." if stopped else "Elasticsearch was not running.")


@es.command("status")
@click.pass_context
def es_status(ctx: click.Context) -> None:
    """Print version, health and document count; exit 1 if the node does not answer."""
    status = LocalNode(_settings(ctx)).status()
    if status.health is None:
        click.echo(f"Elasticsearch at {status.url}: not reachable (pid {status.pid or '-'}).")
        ctx.exit(1)
    click.echo(f"url: {status.url}\nversion: {status.version}\nhealth: {status.health}")
    click.echo(f"pid: {status.pid or 'not managed here'}")
    alias = _settings(ctx).index_alias
    if status.alias_present:
        click.echo(f"documents in {alias}: {status.documents}")
    else:
        click.echo(f"documents in {alias}: 0 (alias not created yet)")


@es.command("logs")
@click.option("-n", "--lines", default=50, show_default=True, help="How many lines.")
@click.pass_context
def es_logs(ctx: click.Context, lines: int) -> None:
    """Print the end of the node's log."""
    click.echo(LocalNode(_settings(ctx)).log_tail(lines))


@main.group()
def kibana() -> None:
    """Kibana: the data view, Lens charts and the "Dư luận" dashboard (indexer/kibana/)."""


@kibana.command("import")
@click.option("--url", required=True, help="Kibana's address, e.g. http://localhost:5601")
@click.option("--user", help="Basic-auth user (with docker-compose: elastic).")
@click.option("--password", help="Its password; asked for when --user comes without it.")
@click.option("--space", help="Kibana space id (default: the default space).")
@click.option("--overwrite/--no-overwrite", default=True, show_default=True,
              help="Replace objects that already exist with the same ids.")  # fmt: skip
@click.pass_context
def kibana_import(
    ctx: click.Context,
    url: str,
    user: str | None,
    password: str | None,
    space: str | None,
    overwrite: bool,
) -> None:
    """Import the saved objects into Kibana (its saved objects import API)."""
    from indexer.kibana_import import import_saved_objects

    if password is not None and not user:
        raise click.BadParameter("give --user as well", param_hint="--password")
    if user and password is None:
        password = click.prompt(f"Password for {user}", hide_input=True)
    auth = (user, password) if user and password is not None else None
    ndjson = _kibana_ndjson(_settings(ctx))
    report = import_saved_objects(url, ndjson, auth=auth, space=space, overwrite=overwrite)
    click.echo(f"Kibana imported {report.success_count} saved objects:")
    for line in report.imported:
        click.echo(f"  {line}")
    if report.kept:
        click.echo(f"Kept {len(report.kept)} existing objects (--no-overwrite):")
        for line in report.kept:
            click.echo(f"  {line}")
    click.echo(f"Dashboard: {report.dashboard_url}")


@kibana.command("export")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.pass_context
def kibana_export(ctx: click.Context, out: Path) -> None:
    """Write the saved objects as ndjson (Stack Management > Saved objects > Import)."""
    ndjson = _kibana_ndjson(_settings(ctx))
    out.write_text(ndjson, encoding="utf-8")
    click.echo(f"Wrote {len(ndjson.splitlines())} saved objects to {out}.")


def _kibana_ndjson(settings: Settings) -> str:
    """The saved objects for the configured alias, with the watch topics' Vietnamese names."""
    from indexer.kibana import render, saved_objects
    from nlp.topics import WatchTopics

    return render(saved_objects(settings.index_alias, WatchTopics.load().topics))


@main.command()
@click.option("--no-serve", is_flag=True, help="Stop after indexing (for scripts).")
@click.pass_context
def demo(ctx: click.Context, no_serve: bool) -> None:
    """Start Elasticsearch, crawl the sample site, index it, and serve the API."""
    from vnopinion.demo import demo_login_key, run_demo_ingest, start_sample_site

    settings = _settings(ctx)
    server = start_sample_site(settings)
    try:
        result = run_demo_ingest(settings, server)
    finally:
        if no_serve:
            server.shutdown()
    crawl = result.crawl
    click.echo(
        f"Crawled {crawl.articles} articles and {crawl.comments} comments: "
        f"{crawl.created} new, {crawl.updated} updated, {crawl.unchanged} unchanged."
    )
    kinds = ", ".join(f"{n} {kind}s" for kind, n in sorted(result.counts.items()))
    click.echo(f"Index {settings.index_alias} now holds {kinds}.")
    if no_serve:
        return
    api = f"http://{settings.api_host}:{settings.api_port}"
    key = demo_login_key(settings)
    if key is None:
        click.echo(f"Dashboard:     {api}/")
    else:  # the key travels in the fragment: the browser never sends it to the server
        click.echo(f"Dashboard:     {api}/login#key={key}")
        click.echo(f"API key:       {key}  (admin; `curl -H 'Authorization: Bearer <key>'`)")
    click.echo(f"Sample site:   {result.site_url}/")
    click.echo(f"API:           {api}/health  {api}/search?q=đền+bù")
    click.echo(f"API docs:      {api}/docs")
    click.echo("Press Ctrl+C to stop (Elasticsearch keeps running: `vnopinion es stop`).")
    _serve_api(settings)


@main.command()
@click.option("--site", "sites", multiple=True, help="Source key from sources.yaml (repeatable).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Skip articles published before.")
@click.option("--max-pages", type=click.IntRange(min=1), help="Stop after N responses per site.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write documents to this JSON Lines file instead of indexing them.")  # fmt: skip
@click.pass_context
def crawl(
    ctx: click.Context,
    sites: tuple[str, ...],
    since: datetime | None,
    max_pages: int | None,
    out: Path | None,
) -> None:
    """Crawl the configured news sites (all, or --site ...) politely and incrementally."""
    from crawlers.run import run_crawls
    from crawlers.spiders.news import NewsSpider, sources_by_key

    settings = _settings(ctx)
    try:
        sources = sources_by_key(list(sites))
    except KeyError as exc:
        raise VnopinionError(str(exc.args[0]), hint="see crawlers/sources.yaml") from exc
    if out is None:
        with make_client(settings) as client:
            ensure_index(client, settings.index_alias)
    overrides: dict[str, object] = {}
    if max_pages:
        overrides["CLOSESPIDER_PAGECOUNT"] = max_pages
    if out is not None:
        overrides["VNOPINION_OUT"] = str(out)
    since_utc = since.replace(tzinfo=SITE_TIMEZONE).astimezone(UTC) if since else None
    report = run_crawls(
        settings, [(NewsSpider, {"source": s, "since": since_utc}) for s in sources], overrides
    )
    where = f"written to {out}" if out else f"indexed in {settings.index_alias}"
    click.echo(
        f"{report.articles} articles and {report.comments} comments {where}; "
        f"{report.skipped_known} known articles skipped, {report.dropped} pages dropped "
        f"(reasons in the log), {report.rejected} rejected."
    )
    if report.spooled or report.replayed or report.failed:
        click.echo(
            f"Spool: {report.spooled} documents kept on disk while Elasticsearch was away "
            f"(replayed at the next store, or `vnopinion index --replay`), {report.replayed} "
            f"replayed; {report.failed} neither indexed nor spooled (fetched again next run)."
        )
    failed_crawlers = report.finish_reasons.count("failed")
    if failed_crawlers:
        click.echo(f"{failed_crawlers} crawler(s) failed to run (the reason is in the log).",
                   err=True)  # fmt: skip
    if report.errors or report.rejected or report.failed:
        ctx.exit(1)


@main.command("index")
@click.option("--replay", is_flag=True, required=True,
              help="Index the documents waiting in the spool (<data dir>/spool).")  # fmt: skip
@click.pass_context
def index_cmd(ctx: click.Context, replay: bool) -> None:
    """Index what the spool holds; a segment is deleted once all of it is indexed."""
    from indexer.spool import Spool
    from indexer.spool import replay as replay_spool

    settings = _settings(ctx)
    spool = Spool(settings.spool_dir)
    with make_client(settings) as client:
        report = replay_spool(client, spool, chunk_size=settings.bulk_chunk_size,
                              progress=sys.stderr.isatty())  # fmt: skip
    left = spool.pending()
    click.echo(f"{report.summary()}; {left} documents still in {settings.spool_dir}.")
    if report.error:
        raise VnopinionError(
            "The replay stopped early; what is left stays in the spool.",
            hint="start Elasticsearch (`vnopinion es status`) and run it again.",
            details=report.error,
        )
    if left or report.result.rejected:
        ctx.exit(1)


@main.command()
@click.option(
    "--task",
    type=click.Choice(["sentiment", "toxicity", "topic", "keywords", "watch_topics"]),
    required=True,
    help="keywords: the document-frequency table of the keyword extractor. watch_topics: "
    "the model beside the watch-topic rules (data/indomain train split).",
)
@click.option(
    "--backend",
    type=click.Choice(["linear", "transformer"]),
    default="linear",
    show_default=True,
    help="linear: TF-IDF n-grams. transformer: fine-tune --base.",
)
@click.option(
    "--base",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Local Hugging Face checkpoint folder to fine-tune (transformer only).",
)
@click.option("--epochs", type=click.IntRange(min=1), help="Transformer: epochs [3].")
@click.option("--batch-size", type=click.IntRange(min=1), help="Transformer: batch size [16].")
@click.option("--max-length", type=click.IntRange(min=8), help="Transformer: tokens [256].")
@click.option(
    "--learning-rate",
    type=click.FloatRange(min=0, min_open=True),
    help="Transformer: peak AdamW learning rate [3e-5].",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    help="Transformer: at most N train rows per dataset (smoke runs).",
)
@click.option("--seed", type=int, default=13, show_default=True)
@click.option(
    "--with-feedback",
    is_flag=True,
    help="Sentiment, linear: also train on the analysts' corrections (latest per document, "
    "read from Elasticsearch); the version gets -fb<N>-<digest>.",
)
@click.pass_context
def train(
    ctx: click.Context,
    task: str,
    backend: str,
    base: Path | None,
    epochs: int | None,
    batch_size: int | None,
    max_length: int | None,
    learning_rate: float | None,
    limit: int | None,
    seed: int,
    with_feedback: bool,
) -> None:
    """Train a model from the datasets' train splits; write it and its model card."""
    settings = _settings(ctx)
    if with_feedback and (task != "sentiment" or backend != "linear"):
        raise VnopinionError(
            "--with-feedback trains the linear sentiment model only.",
            hint="use --task sentiment (watch topics are rules: see `vnopinion feedback "
            "report` and `vnopinion feedback export`).",
        )
    tuning: dict[str, Any] = {
        "epochs": epochs,
        "batch_size": batch_size,
        "max_length": max_length,
        "learning_rate": learning_rate,
        "limit": limit,
    }
    chosen = {name: value for name, value in tuning.items() if value is not None}
    if backend == "linear" and (chosen or base is not None):
        options = [f"--{name.replace('_', '-')}" for name in chosen] + ["--base"] * bool(base)
        raise VnopinionError(
            f"{', '.join(options)}: only for --backend transformer.",
            hint="add --backend transformer --base PATH to fine-tune a checkpoint.",
        )
    if backend == "transformer" and base is None:
        raise VnopinionError(
            "--backend transformer needs --base, the local checkpoint folder to fine-tune.",
            hint="fetch a checkpoint yourself (e.g. vinai/phobert-base-v2 or uitnlp/visobert) "
            "and pass its folder: --base PATH. vnopinion never downloads weights.",
        )
    if not settings.datasets_dir.is_dir():
        raise VnopinionError(
            f"No datasets at {settings.datasets_dir}.",
            hint="set VNOPINION_DATASETS_DIR to the folder holding uit_vsfc/, vihsd/, ...",
        )
    if task == "keywords":
        if backend != "linear":
            raise VnopinionError("--task keywords has no backend: it counts words.",
                                 hint="leave out --backend and --base")  # fmt: skip
        from nlp.train_keywords import train_keywords

        path = train_keywords(
            settings.datasets_dir, settings.models_dir, progress=sys.stderr.isatty()
        )
        click.echo(f"keyword table written to {path}")
        return
    if task == "watch_topics":
        if backend != "linear":
            raise VnopinionError("--task watch_topics has only the linear backend.",
                                 hint="leave out --backend and --base")  # fmt: skip
        from nlp.train_watch_topics import train_watch_topics

        click.echo(str(train_watch_topics(settings.models_dir, seed=seed)))
        return
    if base is None:
        from nlp.train import train_task

        feedback = []
        if with_feedback:
            from nlp.feedback import sentiment_examples

            feedback = sentiment_examples(load_corrections(settings))
            if not feedback:
                raise VnopinionError(
                    f"No sentiment corrections in {settings.corrections_index}.",
                    hint="correct documents first (dashboard, or POST /documents/{id}/"
                    "corrections), or train without --with-feedback.",
                )
            click.echo(f"folding in {len(feedback)} analysts' corrections", err=True)
        result = train_task(
            task,  # type: ignore[arg-type]
            settings.datasets_dir,
            settings.models_dir,
            seed=seed,
            feedback=feedback,
        )
    else:
        from dataclasses import replace

        from nlp.train_transformer import TransformerParams, train_transformer_task

        params = replace(TransformerParams(seed=seed), **chosen)
        result = train_transformer_task(
            task,  # type: ignore[arg-type]
            settings.datasets_dir,
            settings.models_dir,
            base,
            params,
        )
    click.echo(str(result))


@main.command("eval")
@click.option("--task", type=click.Choice(["sentiment", "toxicity", "topic"]), required=True)
@click.option("--data", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True, help='JSON Lines of {"text": ..., "label": ...}')  # fmt: skip
@click.option("--backend", type=click.Choice(["linear", "transformer"]),
              help="Which model to score [default: VNOPINION_NLP_BACKEND, linear].")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="One line of JSON instead of a report.")
@click.pass_context
def evaluate(ctx: click.Context, task: str, data: Path, backend: str | None, as_json: bool) -> None:
    """Macro-F1, accuracy, per-class F1 and the confusion matrix of a model on a file."""
    import json

    from nlp.evaluate import evaluate_file, format_report

    settings = _settings(ctx)
    backend = backend or settings.nlp_backend
    result = evaluate_file(task, data, settings.models_dir, backend)  # type: ignore[arg-type]
    if as_json:
        keys = ("macro_f1", "accuracy", "per_class", "n")
        click.echo(json.dumps({k: result[k] for k in keys}, ensure_ascii=False))
    else:
        click.echo(format_report(result))


@main.command()
@click.option("--in", "source", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True, help="documents as JSON Lines (e.g. from `crawl --out`)")  # fmt: skip
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--batch", type=click.IntRange(min=1), default=256, show_default=True)
@click.pass_context
def tag(ctx: click.Context, source: Path, out: Path, batch: int) -> None:
    """Add every tag (sentiment, toxicity, topics, entities, place) to documents."""
    from nlp.tag_files import tag_file

    settings = _settings(ctx)
    count = tag_file(source, out, settings, batch_size=batch)
    click.echo(f"Tagged {count} documents into {out}.")


@main.command()
def sites() -> None:
    """List the configured sites (crawlers/sources.yaml)."""
    from crawlers.sources import load_sources

    for source in load_sources().values():
        comments = f"comments: {source.comments}" if source.comments else "no comments"
        click.echo(f"{source.key:<12} {source.name:<20} {source.kind:<6} {comments:<22} "
                   f"{len(source.entry_points)} entry points")  # fmt: skip


@main.command()
@click.pass_context
def serve(ctx: click.Context) -> None:
    """Serve the API and the dashboard (http://api_host:api_port/).

    With api_workers above 1, uvicorn runs that many processes; each builds its settings
    from the environment and .env, as this command did."""
    settings = _settings(ctx)
    if settings.api_workers > 1:
        import uvicorn

        uvicorn.run(
            "vnopinion.asgi:app_from_environment", factory=True, workers=settings.api_workers,
            host=settings.api_host, port=settings.api_port, log_level="info", access_log=False,
        )  # fmt: skip
        return
    _serve_api(settings)


def _serve_api(settings: Settings) -> None:
    import uvicorn

    from api.app import create_app
    from vnopinion.vocabulary import load_vocabulary

    app = create_app(settings, load_vocabulary())
    # Every request is in the audit log already (api/security/audit.py).
    uvicorn.run(app, host=settings.api_host, port=settings.api_port, log_level="info",
                access_log=False)  # fmt: skip


main.add_command(monitor)
main.add_command(alerts)
main.add_command(report)
main.add_command(apikey)
main.add_command(privacy)
main.add_command(feedback)


def run() -> None:
    """Entry point that turns our named failures into a clear message and exit code 1."""
    try:
        main(standalone_mode=True)
    except VnopinionError as exc:
        click.secho(f"Error: {exc.message}", fg="red", err=True)
        if exc.hint:
            click.echo(f"What to do: {exc.hint}", err=True)
        if exc.details:
            click.echo(exc.details, err=True)
        sys.exit(1)

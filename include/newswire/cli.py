"""``python -m newswire``: run the pipeline, clean a page, query the catalog."""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

# Nothing heavy at import: ``run`` starts its NLP fork server before the pipeline's
# modules (pyarrow, pydantic, the cleaner) are imported; see start_nlp_early.
if TYPE_CHECKING:
    from newswire.config import Settings
    from newswire.stages import ShardRunner


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from newswire.sources import load_sources
    from newswire.stages import ShardRunner

    first, last = args.from_, args.to or args.from_
    if last < first:
        print(f"error: --to {last} is before --from {first}", file=sys.stderr)
        return 2
    if args.workers < 1:
        print(f"error: --workers must be 1 or more, not {args.workers}", file=sys.stderr)
        return 2
    # One pool of NLP processes for every day of the run: models load once per process.
    with ShardRunner(settings, args.workers) as shards:
        if not args.no_nlp:  # first: the NLP processes load their models meanwhile
            shards.start(source.lang for source in
                         load_sources(settings.sources_file, only=args.source or None))
        return _run_days(args, settings, first, last, shards)


def _run_days(args: argparse.Namespace, settings: Settings, first: date, last: date,
              shards: ShardRunner) -> int:
    from newswire.catalog import check_schema_versions
    from newswire.discover import SourceUnreachable
    from newswire.nlp.models import ModelNotFound
    from newswire.quality import QualityGateFailed
    from newswire.report import print_report
    from newswire.stages import list_sources, run_interval

    sources = list_sources(settings, args.source or None)
    # A lake of an older schema version is migrated first, not written into.
    check_schema_versions(settings.lake)
    run_id = args.run_id or f"cli__{datetime.now(UTC):%Y%m%dT%H%M%S}_{uuid.uuid4().hex[:6]}"
    days = (last - first).days + 1
    started = time.monotonic()
    gate_failed = False
    unreachable: dict[str, str] = {}  # source id -> why it could not be read
    for n in range(days):
        day = first + timedelta(days=n)
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        t0 = time.monotonic()
        counts: dict[str, int] = {}
        # A source that cannot be read fails the run, but only after the others have
        # landed: the day is run again without it (stored pages answer 304, so the
        # second pass costs little), and it is left out of the remaining days.
        while readable := [s for s in sources if s not in unreachable]:
            try:
                summary = run_interval(settings, start, start + timedelta(days=1), run_id,
                                       readable, refetch=args.refetch,
                                       nlp=not args.no_nlp, mode=args.mode,
                                       shards=shards)
                counts = summary.get(day.isoformat(), {})
                break
            except SourceUnreachable as exc:
                unreachable[exc.source] = str(exc)
                print(f"error: {exc}", file=sys.stderr)
            except ModelNotFound as exc:
                print(f"error: {exc}\n(the day's articles are published; rerun with "
                      "--no-nlp to skip the NLP stage)", file=sys.stderr)
                return 3
            except QualityGateFailed as exc:
                print(f"[{n + 1}/{days}] {day}: published, but a quality gate failed: {exc}",
                      file=sys.stderr)
                gate_failed = True
                break
        if not readable:
            print(f"[{n + 1}/{days}] {day}: no source could be read", file=sys.stderr)
            continue
        print(f"[{n + 1}/{days}] {day} articles={counts.get('articles', 0)} "
              f"quotes={counts.get('quotes', 0)} sources={','.join(readable)} "
              f"({time.monotonic() - t0:.1f}s)", flush=True)
    print(f"done: {days} day(s) in {time.monotonic() - started:.1f}s; "
          f"lake {settings.lake}; catalog {settings.catalog}")
    if not args.quiet:
        print_report(settings, first, last)
    if unreachable:
        print(f"error: not read: {', '.join(sorted(unreachable))} (see above)",
              file=sys.stderr)
        return 5
    return 4 if gate_failed else 0


def cmd_clean(args: argparse.Namespace, settings: Settings) -> int:
    from newswire.clean import CleanError, clean_html

    try:
        body = Path(args.file).read_bytes()
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    url = args.url or Path(args.file).resolve().as_uri().replace("file://", "http://localhost")
    try:
        article = clean_html(body, url, source=args.source, source_lang=args.lang,
                             profile=args.profile, timezone=args.timezone)
    except CleanError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(article.to_dict(), ensure_ascii=False, indent=1))
    return 0


def cmd_query(args: argparse.Namespace, settings: Settings) -> int:
    import duckdb

    from newswire.catalog import query

    try:
        columns, rows = query(settings.catalog, args.sql, lake=settings.lake)
    except duckdb.Error as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif args.format == "json":
        print(json.dumps([dict(zip(columns, r, strict=True)) for r in rows], default=str,
                         ensure_ascii=False, indent=1))
    else:
        from newswire.report import format_table

        print(format_table(columns, rows))
    return 0


def cmd_refresh(args: argparse.Namespace, settings: Settings) -> int:
    from newswire.catalog import refresh_catalog

    print(refresh_catalog(settings.lake, settings.catalog))
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from newswire.catalog import refresh_catalog
    from newswire.migrate import migrate_lake

    superseded: list[str] = []
    result = migrate_lake(settings.lake, superseded)
    print(result.summary())
    refresh_catalog(settings.lake, settings.catalog)
    settings.lake.delete_files(superseded)  # no longer named by the catalog
    return 0


def cmd_sample_site(args: argparse.Namespace, settings: Settings) -> int:
    from newswire.sample_site.server import serve

    serve(args.host, args.port)
    return 0


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    import duckdb

    from newswire.report import ReportError, named_reports, print_report, render, run_named_report

    last = args.to or args.from_
    if last < args.from_:
        print(f"error: --to {last} is before --from {args.from_}", file=sys.stderr)
        return 2
    if args.list:
        for report in named_reports().values():
            print(f"{report.name:<16} {report.description}")
        return 0
    if args.name is None:
        print_report(settings, args.from_, last)
        return 0
    try:
        columns, rows = run_named_report(settings, args.name, args.from_, last)
        print(render(columns, rows, args.format, f"{args.name} {args.from_} .. {last}"))
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except duckdb.Error as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_evaluate(args: argparse.Namespace, settings: Settings) -> int:
    from newswire.nlp.gold import below_thresholds, evaluate, format_report, load_gold
    from newswire.nlp.models import ModelNotFound
    from newswire.sample_site.site import CONTENT_DIR

    missing = [p for p in args.gold if not Path(p).exists()]
    if missing:
        print(f"error: no such gold file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    docs = load_gold([Path(p) for p in args.gold] or [CONTENT_DIR])
    if not docs:
        print("error: no gold documents in " + ", ".join(args.gold), file=sys.stderr)
        return 2
    try:
        groups = evaluate(docs)
    except ModelNotFound as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    print(format_report(groups))
    if args.show_misses:
        for (style, lang), scores in sorted(groups.items()):
            print(f"\n{lang} ({style}): {len(scores.misses)} misses")
            print("\n".join(scores.misses))
    failed = below_thresholds(groups)
    if failed:
        print("below thresholds: " + "; ".join(failed), file=sys.stderr)
        return 1
    return 0


def cmd_models(args: argparse.Namespace, settings: Settings) -> int:
    from newswire.nlp.models import ModelNotFound, download_official, find_models, model_dir

    if args.action == "download":
        for lang in args.lang:
            print(f"downloading the official stanza models for {lang} into {model_dir()}")
            download_official(lang)
        return 0
    status = 0
    for lang in args.lang:
        try:
            spec = find_models(lang)
            print(f"{lang}: {spec.identity}")
        except ModelNotFound as exc:
            print(f"{lang}: {exc}")
            status = 3
    return status


def cmd_dictionary(args: argparse.Namespace, settings: Settings) -> int:
    from newswire.dictionary import render_dictionary

    print(render_dictionary(), end="")
    return 0


class _ProfileNames:
    """``clean --profile``'s choices, read when asked (an argument to check, a help text
    to print): reading them imports the cleaner (0.7 s, measured), which every command
    would otherwise pay before it starts (``run``'s NLP fork server among them)."""

    def __contains__(self, name: object) -> bool:
        return name in self._names()

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    @staticmethod
    def _names() -> list[str]:
        from newswire.clean.profiles import profile_names

        return profile_names()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m newswire", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log each stage")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run all stages for a range of days, without a scheduler")
    run.add_argument("--from", dest="from_", type=_day, required=True, metavar="YYYY-MM-DD")
    run.add_argument("--to", type=_day, metavar="YYYY-MM-DD", help="last day (inclusive)")
    run.add_argument("--source", action="append", help="only this source id (repeatable)")
    run.add_argument("--refetch", action="store_true", help="ignore stored ETags")
    run.add_argument("--run-id", help="an id recorded on every row (default: generated)")
    run.add_argument("--quiet", action="store_true", help="no report at the end")
    run.add_argument("--no-nlp", action="store_true", help="skip the NLP stage")
    run.add_argument("--workers", type=int, default=_cores(), metavar="N",
                     help="NLP processes, each loading the models once (default: the "
                          "cores, %(default)s); 1 annotates in this process")
    run.add_argument("--mode", choices=["daily", "backfill", "refetch", "reprocess_only"],
                     help="daily (default): fetch what changed; backfill: rebuild stored "
                          "days from the raw zone, discover the others from sitemaps; "
                          "refetch: fetch everything again; reprocess_only: no network")
    run.set_defaults(func=cmd_run)

    clean = sub.add_parser("clean", help="print the cleaned article of one HTML file as JSON")
    clean.add_argument("file")
    clean.add_argument("--url", help="the page's URL (for the id and relative links)")
    # A metavar, or argparse would list the choices (reading them) right here.
    clean.add_argument("--profile", default="auto", choices=_ProfileNames(),
                       metavar="PROFILE", help="a site profile from clean/profiles.yaml "
                       "(%(choices)s); auto: recognise it")
    clean.add_argument("--lang", default="tr", choices=["tr", "en"])
    clean.add_argument("--source", default="adhoc")
    clean.add_argument("--timezone", default="UTC")
    clean.set_defaults(func=cmd_clean)

    query = sub.add_parser("query", help="run SQL against the DuckDB catalog")
    query.add_argument("sql")
    query.add_argument("--format", choices=["table", "csv", "json"], default="table")
    query.set_defaults(func=cmd_query)

    report = sub.add_parser("report", help="a named report (include/sql/reports), or the "
                                           "run summary without a name")
    report.add_argument("name", nargs="?", help="daily_digest, who_said_what, top_speakers, "
                        "top_entities, cooccurrence, coverage (--list shows them)")
    report.add_argument("--from", dest="from_", type=_day, default=date(2017, 12, 4))
    report.add_argument("--to", type=_day)
    report.add_argument("--format", choices=["table", "csv", "json", "html"], default="table")
    report.add_argument("--list", action="store_true", help="list the named reports")
    report.set_defaults(func=cmd_report)

    evaluate = sub.add_parser("evaluate", help="score the NLP stage against gold annotations")
    evaluate.add_argument("--gold", action="append", default=[],
                          help="a gold file instead of the sample source's gold (repeatable):"
                               " statements JSONL (../shared/data/real_statements/tr.jsonl) "
                               "or a content JSON file or directory")
    evaluate.add_argument("--show-misses", action="store_true")
    evaluate.set_defaults(func=cmd_evaluate)

    models = sub.add_parser("models", help="show or download the stanza models")
    models.add_argument("action", choices=["show", "download"])
    models.add_argument("--lang", action="append", choices=["tr", "en"])
    models.set_defaults(func=cmd_models)

    dictionary = sub.add_parser("dictionary", help="print the data dictionary (Markdown)")
    dictionary.set_defaults(func=cmd_dictionary)

    refresh = sub.add_parser("refresh-catalog", help="rebuild the DuckDB views")
    refresh.set_defaults(func=cmd_refresh)

    migrate = sub.add_parser("migrate", help="rewrite partitions of an older schema version "
                             "into the current one (a second run rewrites nothing)")
    migrate.set_defaults(func=cmd_migrate)

    site = sub.add_parser("sample-site", help="serve the bundled sample source")
    site.add_argument("--host", default="127.0.0.1")
    site.add_argument("--port", type=int, default=8765)
    site.set_defaults(func=cmd_sample_site)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "lang", None) is None and args.command == "models":
        args.lang = ["tr", "en"]
    quiet_logging(args.verbose)
    if args.command == "run":
        start_nlp_early(args)
    from newswire.config import Settings
    from newswire.sources_file import SourcesError
    from newswire.store import LakeError

    try:
        settings = Settings.from_env()
        return args.func(args, settings)
    except (SourcesError, LakeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.verbose:
            raise
        # One line, not a traceback: bad input a command did not foresee (a port in use,
        # an unreadable path) reads as what it is; -v shows where it happened.
        print(f"error: {type(exc).__name__}: {exc} (run with -v for the traceback)",
              file=sys.stderr)
        return 1


def start_nlp_early(args: argparse.Namespace) -> None:
    """``run``'s NLP fork server, started before this process imports the pipeline and
    validates its config (~1.3 s, measured), so the models load meanwhile on another
    core. What it loads is read cheaply: the languages the sources file names (before
    validation) and the torch threads from the environment. A wrong guess costs only
    speed (ShardRunner finds the server running; its processes' initializer loads any
    model it lacks); a bad file or setting is left for the run itself to report."""
    if args.no_nlp or args.workers < 2 or (args.to is not None and args.to < args.from_):
        return
    from newswire.config import sources_file_from_env, torch_threads_from_env
    from newswire.nlp.forkserver import nlp_context
    from newswire.sources_file import source_langs

    try:
        langs = source_langs(sources_file_from_env(), args.source)
        threads = torch_threads_from_env()
    except (OSError, ValueError):  # SourcesError too: the run reports it
        return
    if langs:
        nlp_context(langs, threads)


def quiet_logging(verbose: bool) -> None:
    """Warnings and errors only, unless -v. Libraries that log routine events as errors
    (trafilatura's "parsed tree length: 0" on a page it cannot read, which our own
    error then explains) are heard only with -v."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not verbose:
        logging.getLogger("trafilatura").setLevel(logging.CRITICAL)

"""The `temoin` command: argument parsing and printing only. A stable contract for scripts and tests.

What each command prints (its text and its JSON shape) is in cli_output.py; the work of `temoin ingest`,
`reindex` and `remove` in ingesting.py, reindexing.py and removing.py."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from ingest.records import summary_json
from ingest.settings import Settings, load_settings
from search_app import cli_output

T = TypeVar("T")
EXIT_OK = 0
EXIT_USAGE = 2
EXIT_FAILED = 1


class CliError(Exception):
    """A user mistake or an unusable environment: one clear line, a non-zero exit, no traceback."""


def _index_path(args: argparse.Namespace, settings: Settings) -> Path:
    if getattr(args, "index", None):
        return Path(args.index)
    return Path(os.environ["TEMOIN_INDEX"]) if os.environ.get("TEMOIN_INDEX") else settings.index


# ------------------------------------------------------------------ commands


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from index.schema import IndexError_
    from ingest.cluster import ClusterError
    from ingest.workers import WorkerError
    from search_app.ingesting import run_ingest

    paths = [Path(p) for p in args.paths]
    if args.retry_failed and not paths:
        paths = [Path(f["path"]) for f in _ask(args, settings, lambda s: s.failures())]
        if not paths:
            print("no failed files to retry")
            return EXIT_OK
    if not paths:
        raise CliError("give files or folders to ingest, or --retry-failed")
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise CliError(f"no such file or directory: {', '.join(missing)}")
    workers = settings.workers if args.workers is None else args.workers
    if workers < 0:
        raise CliError("--workers takes 0 (read in this process) or a number of worker processes")
    say = lambda line: print(f"temoin: {line}", file=sys.stderr)  # noqa: E731
    try:
        summary, clock = run_ingest(
            paths, _index_path(args, settings), settings, engine=args.engine, retry_failed=args.retry_failed,
            workers=workers, cluster=settings.cluster if args.cluster is None else args.cluster, say=say,
        )
    except (IndexError_, WorkerError, ClusterError) as exc:
        raise CliError(str(exc)) from exc
    data = summary_json(summary)
    if args.json:
        cli_output.print_json(cli_output.ingest_json(data, clock.file_seconds, args.verbose))
    else:
        print(cli_output.ingest_text(data))
    return EXIT_OK


def cmd_reindex(args: argparse.Namespace, settings: Settings) -> int:
    from index.schema import IndexError_
    from ingest.workers import WorkerError
    from search_app.reindexing import run_reindex

    index = _index_path(args, settings)
    if not (index / "TEMOIN_SCHEMA").exists():
        raise CliError(f"no index at {index}: run temoin ingest first")
    try:
        data = run_reindex(index, settings, args.stage, args.dry_run)
    except (IndexError_, WorkerError) as exc:
        raise CliError(str(exc)) from exc
    cli_output.emit(data, args.json, cli_output.reindex_text(data, args.dry_run))
    return EXIT_FAILED if data["read_again_failed"] else EXIT_OK


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    from index.schema import IndexError_
    from search_app.removing import remove_documents

    index = _index_path(args, settings)
    say = lambda line: print(f"temoin: {line}", file=sys.stderr)  # noqa: E731
    try:
        data = remove_documents(index, settings, args.targets, args.dry_run, say, args.engine)
    except IndexError_ as exc:
        raise CliError(str(exc)) from exc
    cli_output.emit(data, args.json, cli_output.remove_text(data, args.dry_run))
    return EXIT_FAILED if data["not_found"] else EXIT_OK


def _filters(args: argparse.Namespace) -> Any:
    from index.search import Filters

    return Filters(
        orgs=tuple(args.org or ()),
        places=tuple(args.place or ()),
        persons=tuple(args.person or ()),
        kinds=tuple(args.kind or ()),
        langs=tuple(args.lang or ()),
        since=args.since,
        until=args.until,
        mentioned_since=args.mentioned_since,
        mentioned_until=args.mentioned_until,
    )


def _ask(args: argparse.Namespace, settings: Settings, question: Callable[[Any], T]) -> T:
    """Open the index, ask it one thing, close it; a missing index or a malformed filter is one clear line."""
    from index.engine import open_searcher
    from index.schema import IndexError_
    from index.search import QueryError

    try:
        searcher = open_searcher(_index_path(args, settings), getattr(args, "engine", None))
    except IndexError_ as exc:
        raise CliError(str(exc)) from exc
    try:
        return question(searcher)
    except QueryError as exc:
        raise CliError(str(exc)) from exc
    finally:
        searcher.close()


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    # The text output lists hits only: counting the facets would be a second of a cold search over a large
    # index (each facet field's values read once per process) for nothing printed. --json gives them.
    result = _ask(
        args, settings,
        lambda s: s.search(args.query, _filters(args), limit=args.limit, offset=args.offset, sort=args.sort,
                           mode=args.mode, with_facets=args.json),
    )
    if args.json:
        cli_output.print_json(cli_output.search_json(result))
    else:
        print(cli_output.search_text(result, args.offset))
    return EXIT_OK


def cmd_entities(args: argparse.Namespace, settings: Settings) -> int:
    found = _ask(args, settings, lambda s: s.entities(args.label, args.limit))
    cli_output.emit({"entities": found}, args.json, cli_output.entities_text(found) or "no entities")
    return EXIT_OK


def cmd_doc(args: argparse.Namespace, settings: Settings) -> int:
    record = _ask(args, settings, lambda s: s.document(args.doc_id))
    if record is None:
        raise CliError(f"no document {args.doc_id!r} in the index")
    data = cli_output.doc_data(record)
    cli_output.emit(data, args.json, cli_output.doc_text(data))
    return EXIT_OK


def cmd_quotes(args: argparse.Namespace, settings: Settings) -> int:
    from index.evidence import corroborate, search_quotes

    if args.corroborate:
        hits = _ask(args, settings, lambda s: corroborate(s, args.corroborate, args.limit))
        if not hits and not _ask(args, settings, lambda s: s.raw().document(id=args.corroborate, type="quote")):
            raise CliError(f"no testimony {args.corroborate!r} in the index (ids are in `temoin quotes --json`)")
        total = len(hits)
    else:
        total, hits = _ask(args, settings, lambda s: search_quotes(
            s, args.query or "", speaker=args.speaker, places=tuple(args.place or ()),
            orgs=tuple(args.org or ()), since=args.since, until=args.until, limit=args.limit, mode=args.mode,
        ))
    text = cli_output.quotes_text(total, hits, bool(args.corroborate))
    cli_output.emit(cli_output.quotes_data(total, hits), args.json, text)
    return EXIT_OK


def cmd_rulings(args: argparse.Namespace, settings: Settings) -> int:
    from index.evidence import list_rulings

    total, hits = _ask(args, settings, lambda s: list_rulings(
        s, args.query or "", court=args.court, since=args.since, until=args.until, limit=args.limit,
    ))
    cli_output.emit(cli_output.rulings_data(total, hits), args.json, cli_output.rulings_text(total, hits))
    return EXIT_OK


def cmd_failures(args: argparse.Namespace, settings: Settings) -> int:
    failures = _ask(args, settings, lambda s: sorted(s.failures(), key=lambda f: f["path"]))
    cli_output.emit({"failures": failures}, args.json, cli_output.failures_text(failures))
    return EXIT_OK


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from index.engine import engine_of

    app = Path(__file__).with_name("app.py")
    found = engine_of(_index_path(args, settings))
    if args.engine and found and found != args.engine:
        raise CliError(f"{_index_path(args, settings)} is a {found} index, not {args.engine}")
    env = dict(os.environ, TEMOIN_INDEX=str(_index_path(args, settings).resolve()))
    port = args.port or settings.port
    command = [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.address", "127.0.0.1", "--server.port", str(port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal",
        # No full garbage collection after every run (it took as long as the run itself on the shared
        # corpus's index) and no watching of the source files: this is a served app, not one being edited.
        "--runner.postScriptGC", "false", "--server.fileWatcherType", "none",
    ]
    print(f"Temoin UI on http://127.0.0.1:{port}  (index {env['TEMOIN_INDEX']}); Ctrl-C to stop", flush=True)
    # Become Streamlit rather than wrap it, so that a signal sent to `temoin serve` reaches the server.
    os.execve(sys.executable, command, env)
    return EXIT_OK  # not reached


# ------------------------------------------------------------------ parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="temoin", description="Search human-rights documentation.")
    sub = parser.add_subparsers(dest="command", required=True)

    def with_index(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--index", help="index directory (default: $TEMOIN_INDEX or ./.temoin/index)")
        p.add_argument("--engine", choices=["whoosh", "tantivy"],
                       help="search engine: a new index is built with it (default: the engine setting); "
                            "an existing index is opened with the engine that built it, which must agree")
        return p

    p = with_index(sub.add_parser("ingest", help="read files and folders into the index"))
    p.add_argument("paths", nargs="*", metavar="PATH")
    p.add_argument("--retry-failed", action="store_true",
                   help="read again the files that failed (all of them when no PATH is given)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--verbose", action="store_true", help="with --json, add one result per file")
    p.add_argument("--workers", type=int, metavar="N",
                   help="worker processes reading files (default: the workers setting, the number of cores); "
                        "0 reads in this process, without time or memory limits")
    p.add_argument("--cluster", metavar="ADDRESS",
                   help="read and build files on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786; "
                        "needs temoin[cluster]); this machine writes the index. Default: the cluster setting")
    p.set_defaults(func=cmd_ingest)

    p = with_index(sub.add_parser(
        "reindex", help="re-run the stages that changed models or versions made stale, without re-reading "
                        "unchanged files where the stored passages suffice"))
    p.add_argument("--stage", action="append", metavar="STAGE",
                   choices=["read", "clean", "language", "entities", "quotes", "citations"],
                   help="re-run this stage (and those that depend on it) for every document, stale or not; "
                        "repeatable. Default: every stale stage")
    p.add_argument("--dry-run", action="store_true", help="say what would be re-run, change nothing")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_reindex)

    p = with_index(sub.add_parser(
        "remove", help="take documents out of the index: their passages, testimonies, citations and vectors"))
    p.add_argument("targets", nargs="+", metavar="TARGET",
                   help="a file or folder as ingested (it need not exist any more), or a document id or a unique "
                        "prefix of one")
    p.add_argument("--dry-run", action="store_true", help="say what would be removed, change nothing")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_remove)

    p = with_index(sub.add_parser("search", help="search passages"))
    p.add_argument("query", help='words, "phrases", AND/OR/NOT, field:value')
    p.add_argument("--org", action="append", metavar="X")
    p.add_argument("--place", action="append", metavar="X")
    p.add_argument("--person", action="append", metavar="X")
    p.add_argument("--kind", action="append", choices=["report", "ruling", "testimony", "press", "other"])
    p.add_argument("--lang", action="append", metavar="L")
    p.add_argument("--since", metavar="D", help="YYYY, YYYY-MM or YYYY-MM-DD (document date)")
    p.add_argument("--until", metavar="D", help="YYYY, YYYY-MM or YYYY-MM-DD (document date)")
    p.add_argument("--mentioned-since", metavar="D", help="the passage names a date from D on")
    p.add_argument("--mentioned-until", metavar="D", help="the passage names a date up to D")
    p.add_argument("--limit", type=int, default=10, metavar="N")
    p.add_argument("--offset", type=int, default=0, metavar="N")
    p.add_argument("--sort", choices=["relevance", "date"], default="relevance")
    p.add_argument("--mode", choices=["keyword", "semantic", "hybrid"],
                   help="keyword, semantic (by meaning, either language) or both fused (default: hybrid when "
                        "the index has embeddings, else keyword)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)

    p = with_index(sub.add_parser("entities", help="list entities by frequency"))
    p.add_argument("--label", choices=["ORG", "PLACE", "PERSON", "DATE"])
    p.add_argument("--limit", type=int, default=50, metavar="N")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_entities)

    p = with_index(sub.add_parser("doc", help="show one document: metadata, pages, entities"))
    p.add_argument("doc_id", metavar="DOC_ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_doc)

    p = with_index(sub.add_parser("quotes", help="search testimonies: who said what, where and when"))
    p.add_argument("query", nargs="?", default="", help="words in the quote (query syntax as for search)")
    p.add_argument("--speaker", metavar="NAME", help="the speaker's name or pseudonym (accents ignored)")
    p.add_argument("--place", action="append", metavar="X")
    p.add_argument("--org", action="append", metavar="X")
    p.add_argument("--since", metavar="D", help="testimony date from D (YYYY, YYYY-MM or YYYY-MM-DD)")
    p.add_argument("--until", metavar="D", help="testimony date up to D")
    p.add_argument("--limit", type=int, default=20, metavar="N")
    p.add_argument("--mode", choices=["keyword", "semantic", "hybrid"], help="as for search")
    p.add_argument("--corroborate", metavar="QUOTE_ID",
                   help="testimonies of other documents and speakers, in either language, describing the same "
                        "kind of event as this one (its id: `temoin quotes --json`)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_quotes)

    p = with_index(sub.add_parser("rulings", help="rulings in the index or cited by it, with who cites them"))
    p.add_argument("query", nargs="?", default="", help="words of the court, number or parties")
    p.add_argument("--court", metavar="X", help="court name, in any language it is written (accents ignored)")
    p.add_argument("--since", metavar="D", help="decision date from D")
    p.add_argument("--until", metavar="D", help="decision date up to D")
    p.add_argument("--limit", type=int, default=50, metavar="N")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_rulings)

    p = with_index(sub.add_parser("failures", help="files that failed, with the reason and the date"))
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_failures)

    p = with_index(sub.add_parser("serve", help="start the search UI on 127.0.0.1"))
    p.add_argument("--port", type=int, metavar="N")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        return int(args.func(args, settings))
    except CliError as exc:
        print(f"temoin: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except (OSError, ValueError) as exc:
        # tomllib / settings errors are user mistakes too
        print(f"temoin: {exc}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())

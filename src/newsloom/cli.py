"""The `newsloom` command: parse arguments, call `newsloom.Engine`, print.

Every command that prints results takes `--json`; `--db PATH` (or $NEWSLOOM_DB)
chooses the database. Exit codes: 0 success, 1 some items failed, 2 usage or
fatal error.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from newsloom.errors import NewsloomError


def _jsonable(obj: Any) -> Any:
    if hasattr(obj, "to_dict"):
        return _jsonable(obj.to_dict())
    if is_dataclass(obj):
        return _jsonable(asdict(obj))
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items() if k not in ("vector", "centroid", "title_vector",
                                                                       "sentence_vectors")}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (datetime, date)):
        return obj.isoformat()
    if hasattr(obj, "tolist"):
        return obj.tolist()
    return obj


def print_json(obj: Any) -> None:
    json.dump(_jsonable(obj), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _engine(args):
    from newsloom.engine import Engine

    return Engine(db=args.db, embed_sentences=getattr(args, "embed_sentences", None),
                  ner_sentences=getattr(args, "ner_sentences", None),
                  index=getattr(args, "index", None) or "exact", workers=getattr(args, "workers", None) or 0)


class Progress:
    """A one-line progress counter on stderr, only on a terminal and never with --quiet."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.counts = {"added": 0, "duplicate": 0, "error": 0}
        self.started = time.perf_counter()

    def __call__(self, result) -> None:
        self.counts[result.status] = self.counts.get(result.status, 0) + 1
        if self.enabled:
            n = sum(self.counts.values())
            rate = n / max(time.perf_counter() - self.started, 1e-9)
            sys.stderr.write(f"\r{n} items  added {self.counts['added']}  duplicates {self.counts['duplicate']}"
                             f"  errors {self.counts['error']}  ({rate:.1f}/s)")
            sys.stderr.flush()

    def done(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def _fmt_time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def _print_stories(stories) -> None:
    if not stories:
        print("no stories")
        return
    print(f"{'story':<15} {'n':>3}  {'languages':<16} {'first seen':<16}  {'last seen':<16}  headline")
    for s in stories:
        langs = ",".join(sorted(s.languages))
        print(f"{s.id:<15} {len(s.article_ids):>3}  {langs:<16} {_fmt_time(s.first_seen):<16}  "
              f"{_fmt_time(s.last_seen):<16}  {s.headline[:80]}")
        if s.sources:
            print(f"{'':<15}      sources: {', '.join(sorted(s.sources))}")


# -- commands -----------------------------------------------------------------
def _published(args) -> datetime | None:
    """--published: the date of inputs that carry none (InputError, exit 2, when it is not a date)."""
    if not getattr(args, "published", None):
        return None
    from newsloom.readers import parse_date

    return parse_date(args.published)


def cmd_ingest(args) -> int:
    engine = _engine(args)
    progress = Progress(not args.quiet)
    report = engine.ingest(args.paths, progress=progress, max_bytes=args.max_bytes,
                           default_published=_published(args))
    progress.done()
    if args.json:
        print_json({"added": len(report.added), "duplicates": len(report.duplicates),
                    "errors": [asdict(r.error) for r in report.errors],
                    "results": [{"origin": r.origin, "status": r.status, "article_id": r.article_id,
                                 "story_id": r.story_id, "new_story": r.new_story} for r in report.results]})
    else:
        if not args.quiet:
            print(f"added {len(report.added)}, duplicates {len(report.duplicates)}, errors {len(report.errors)}")
        for r in report.errors:
            print(f"error: {r.error}", file=sys.stderr)
    return 1 if report.errors else 0


def cmd_demo(args) -> int:
    """Ingest the bundled demo corpus and show its stories."""
    demo = resources.files("newsloom") / "data" / "demo" / "articles.jsonl"
    with resources.as_file(demo) as path:
        args.paths = [str(path)]
        args.max_bytes = None
        code = cmd_ingest(args)
    if code not in (0, 1):
        return code
    if not args.json:
        print()
        _print_stories(_engine(args).stories(limit=100))
    return 0


def cmd_stories(args) -> int:
    engine = _engine(args)
    since = datetime.fromisoformat(args.since) if args.since else None
    until = datetime.fromisoformat(args.until) if args.until else None
    stories = engine.stories(lang=args.lang, source=args.source, since=since, until=until, entity=args.entity,
                             query=args.query, sort=args.sort, limit=args.limit, offset=args.offset)
    if args.json:
        from newsloom.store import story_to_dict

        print_json([story_to_dict(s) for s in stories])
    else:
        _print_stories(stories)
    return 0


def cmd_story(args) -> int:
    dossier = _engine(args).story(args.id, lang=args.lang)
    if args.json:
        print_json(dossier)
        return 0
    d = dossier
    print(d.headline)
    print("=" * min(len(d.headline), 100))
    print(f"{d.size} articles · languages: {', '.join(f'{k} ({v})' for k, v in sorted(d.languages.items()))}")
    print(f"sources: {', '.join(sorted(d.sources)) or '-'}")
    print(f"first seen {_fmt_time(d.first_seen)} · last seen {_fmt_time(d.last_seen)}")
    if d.summary:
        print("\nSummary")
        for s in d.summary:
            print(f"  [{s.lang}] {s.text}")
    if d.entities:
        print("\nWho")
        for e in d.entities:
            langs = ", ".join(f"{k} {v}" for k, v in sorted(e.by_language.items()))
            print(f"  {e.name} ({e.type}) · {e.mentions} mentions · {langs}")
    if d.places:
        print("\nWhere")
        for e in d.places:
            where = f" · {e.latitude:.2f}, {e.longitude:.2f}" if e.latitude is not None else ""
            print(f"  {e.name}{' (' + e.country + ')' if e.country else ''}{where} · {e.mentions} mentions")
    if d.timeline:
        print("\nWhen")
        for t in d.timeline:
            langs = ",".join(sorted({r["lang"] for r in t.reported_by}))
            part = f" {t.part_of_day}" if t.part_of_day else ""
            print(f"  {t.date.isoformat()}{part} [{langs}] {t.text[:140]}")
    if d.provenance and d.provenance.get("edges"):
        print("\nProvenance")
        for edge in d.provenance["edges"]:
            print(f"  {edge['source']} -> {edge['target']}: {edge['relation']}"
                  + (f" ({edge['share']:.0%} reused)" if edge.get("share") is not None else ""))
    print("\nArticles")
    for lang, items in sorted(d.articles.items()):
        for a in items:
            reason = a.join_reason or {}
            why = ("started the story" if reason.get("decision") != "join"
                   else f"joined via {reason.get('via')} (p={reason.get('probability')})")
            print(f"  [{lang}] {a.id}  {_fmt_time(a.published)}  {a.source or '-'}  {a.title or ''}  · {why}")
    return 0


def cmd_compare(args) -> int:
    comparison = _engine(args).compare(args.a, args.b, allow_files=True, default_published=_published(args))
    if args.json:
        print_json(comparison)
        return 0
    from newsloom.similarity.explain import format_comparison

    print(format_comparison(comparison))
    return 0


def cmd_search(args) -> int:
    hits = _engine(args).search(args.query, semantic=args.semantic, limit=args.limit)
    if args.json:
        print_json(hits)
        return 0
    for h in hits:
        print(f"{h.score:8.3f}  {h.article_id}  [{h.lang}] {h.source or '-'}  {h.title or ''}")
        print(f"          story {h.story_id}  {h.snippet[:160]}")
    if not hits:
        print("no matches")
    return 0


def cmd_stats(args) -> int:
    stats = _engine(args).store.stats()
    if args.json:
        print_json(stats)
    else:
        for k, v in stats.items():
            print(f"{k}: {v}")
    return 0


def _delegate(module: str, func: str):
    """Commands whose logic lives with their stage (training, evaluation, serving, feeds)."""

    def run(args) -> int:
        import importlib

        mod = importlib.import_module(module)
        argv = list(args.rest)
        if args.json and "--json" not in argv:
            argv.append("--json")
        if getattr(args, "pass_db", False) and args.db:
            argv = ["--db", str(args.db), *argv]
        return getattr(mod, func)(argv) or 0

    return run


DELEGATED = {
    # command path -> (module, function, help, passes --db)
    ("train", "similarity"): ("newsloom.similarity.train", "main", "rebuild the shipped similarity model", False),
    ("eval", "similarity"): ("newsloom.similarity.evaluate", "main_similarity",
                             "score a SemEval-format pair file (Pearson)", False),
    ("eval", "samestory"): ("newsloom.similarity.evaluate", "main_samestory",
                            "score the join-or-new decision on labelled pairs (P/R/F1)", False),
    ("eval", "entities"): ("newsloom.evaluation.entities", "main", "entity and date accuracy on our gold set", False),
    ("eval", "weave"): ("newsloom.evaluation.weave", "main", "story-weaving quality against gold story labels",
                        False),
    ("eval", "provenance"): ("newsloom.provenance", "main_eval", "precision/recall of relation classes", False),
    ("data", "convert-samestory"): ("newsloom.similarity.evaluate", "main_convert",
                                    "convert a samestory TSV into the eval JSONL format", False),
    ("data", "semeval-dev"): ("newsloom.similarity.evaluate", "main_export_dev",
                              "export our SemEval dev split as JSONL", False),
    ("serve",): ("newsloom.api.server", "main", "HTTP API and web UI", True),
    ("doctor",): ("newsloom.ops", "main_doctor", "check the database and repair what is safe", True),
    ("export",): ("newsloom.ops", "main_export", "write the whole database as JSONL (or Parquet)", True),
    ("import",): ("newsloom.cli", "main_import", "load an export (JSONL/Parquet) or a backfill's output", True),
    ("backfill",): ("newsloom.backfill", "main", "weave an archive in batch (local or Spark)", False),
    ("watch",): ("newsloom.watch", "main", "follow RSS/Atom feeds", True),
}


def main_import(argv: list[str]) -> int:
    """`newsloom import`: a backfill's Parquet output folder, or an export made by `newsloom export`."""
    paths = [a for a in argv if not a.startswith("-")]
    target = Path(paths[-1]) if paths else None
    if target is not None and target.is_dir() and (target / "assignments").exists():
        from newsloom.backfill.importer import main as import_backfill

        return import_backfill(argv)
    from newsloom.ops import main_import as import_export

    return import_export(argv)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="newsloom", description="Multilingual news story engine (offline).")
    p.add_argument("--db", help="SQLite database (default: $NEWSLOOM_DB or ~/.local/share/newsloom/newsloom.db)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress or summary lines")
    p.add_argument("--embed-sentences", type=int, default=None, metavar="K",
                   help="embed only the title and the first K sentences of an article at ingest "
                        "(faster; default: the embedder's cap of 40; see docs/scaling.md)")
    p.add_argument("--ner-sentences", type=int, default=None, metavar="N",
                   help="the entity NER model reads only the first N sentences at ingest, rules the "
                        "rest (faster, some entities missed; default: all; see docs/scaling.md)")
    p.add_argument("--index", choices=("exact", "hnsw", "usearch"), default=None,
                   help="candidate-story index: exact (default; fine up to ~100k live stories), "
                        "hnsw (float32 graph) or usearch (int8 graph, least memory); see docs/scaling.md")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="worker processes that prepare articles (clean, detect, enrich) while the main "
                        "process embeds and weaves; default 0 (all in one process)")
    sub = p.add_subparsers(dest="command", required=True)

    def add(name, func, help_):
        sp = sub.add_parser(name, help=help_)
        sp.add_argument("--json", action="store_true", help="machine-readable output")
        sp.set_defaults(func=func)
        return sp

    sp = add("ingest", cmd_ingest, "add articles from files, folders or - (JSONL on stdin)")
    sp.add_argument("paths", nargs="+")
    sp.add_argument("--max-bytes", type=int, default=None, help="per-item size limit (default 10 MB)")
    sp.add_argument("--published", help="publication date for items that carry none (ISO 8601, e.g. 2022-01-19)")
    add("demo", cmd_demo, "ingest the bundled demo corpus and list its stories")
    sp = add("stories", cmd_stories, "list stories")
    sp.add_argument("--lang")
    sp.add_argument("--source")
    sp.add_argument("--since", help="ISO date or time")
    sp.add_argument("--until", help="ISO date or time")
    sp.add_argument("--entity", help="entity id or name")
    sp.add_argument("--query", help="full-text query over member articles")
    sp.add_argument("--sort", default="last_seen", choices=["last_seen", "first_seen", "size",
                                                              "-last_seen", "-first_seen", "-size"])
    sp.add_argument("--limit", type=int, default=50)
    sp.add_argument("--offset", type=int, default=0)
    sp = add("story", cmd_story, "show one story's dossier")
    sp.add_argument("id")
    sp.add_argument("--lang", help="preferred language for headline and summary")
    sp = add("compare", cmd_compare, "compare two articles (files or stored ids)")
    sp.add_argument("a")
    sp.add_argument("b")
    sp.add_argument("--published", help="publication date for files that carry none (ISO 8601)")
    sp = add("search", cmd_search, "full-text or semantic article search")
    sp.add_argument("query")
    sp.add_argument("--semantic", action="store_true")
    sp.add_argument("--limit", type=int, default=20)
    add("stats", cmd_stats, "what the database holds")

    groups: dict[str, argparse._SubParsersAction] = {}
    for path, (module, func, help_, pass_db) in DELEGATED.items():
        if len(path) == 1:
            sp = sub.add_parser(path[0], help=help_, add_help=False)
        else:
            if path[0] not in groups:
                gp = sub.add_parser(path[0], help=f"{path[0]} commands")
                groups[path[0]] = gp.add_subparsers(dest="sub", required=True)
            sp = groups[path[0]].add_parser(path[1], help=help_, add_help=False)
        sp.add_argument("rest", nargs=argparse.REMAINDER)
        sp.set_defaults(func=_delegate(module, func), json=False, pass_db=pass_db)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    # argparse.REMAINDER does not take a delegated command's leading options (`doctor --repair`):
    # hand whatever the top-level parser did not know to the delegated command.
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        if not hasattr(args, "rest"):
            parser.error(f"unrecognized arguments: {' '.join(unknown)}")
        args.rest = [*unknown, *args.rest]
    try:
        return args.func(args)
    except NewsloomError as exc:
        print(f"newsloom: {exc}", file=sys.stderr)
        return 2
    except (ValueError, FileNotFoundError) as exc:
        print(f"newsloom: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())

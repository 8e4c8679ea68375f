"""``newsloom serve``: run the API and web UI under uvicorn.

    newsloom --db news.db serve [--host 127.0.0.1] [--port 8750] [--token-file PATH]

The write token is read from ``--token-file`` (created there if missing), else
from ``<db>.token`` beside the database, generated with `secrets.token_urlsafe`
(mode 0600) on first run. The server binds to loopback by default; binding
elsewhere turns the Host check off unless ``--allow-host`` names the hosts.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from newsloom.api.app import create_app
from newsloom.api.security import LOOPBACK_HOSTS, load_or_create_token, token_path_for

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8750

__all__ = ["create_app", "main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="newsloom serve", description="Serve the newsloom HTTP API and web UI.")
    p.add_argument("--db", default=None, help="SQLite database (default: $NEWSLOOM_DB or the user data folder)")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST})")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    p.add_argument("--token-file", default=None,
                   help="file holding the write token (created if missing; default <db>.token)")
    p.add_argument("--allow-host", action="append", default=None, metavar="NAME",
                   help="Host header to accept (repeatable; default: loopback names when bound to loopback)")
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    return p


def allowed_hosts_for(host: str, extra: list[str] | None) -> tuple[str, ...] | None:
    if extra:
        return tuple(h.lower() for h in [*extra, *LOOPBACK_HOSTS])
    if host in LOOPBACK_HOSTS or host.startswith("127."):
        return (*LOOPBACK_HOSTS, host)
    return None  # bound to a non-loopback address with no names given: cannot guess them


def make_server(app, host: str, port: int, log_level: str = "info"):
    """A uvicorn server whose exit also ends open event streams at once (not after the grace timeout)."""
    import uvicorn

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame) -> None:
            app.state.newsloom.stopping.set()
            super().handle_exit(sig, frame)

    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, server_header=False,
                            proxy_headers=False, timeout_graceful_shutdown=3, lifespan="on")
    return Server(config)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    from newsloom.engine import Engine
    from newsloom.errors import NewsloomError

    try:
        engine = Engine(db=args.db)
        token_file = Path(args.token_file) if args.token_file else token_path_for(engine.store.path)
        token = load_or_create_token(token_file)
    except (NewsloomError, OSError, ValueError) as exc:
        print(f"newsloom serve: {exc}", file=sys.stderr)
        return 2
    hosts = allowed_hosts_for(args.host, args.allow_host)
    if hosts is None:
        print(f"newsloom serve: warning: bound to {args.host} with no --allow-host; the Host check is off",
              file=sys.stderr)
    app = create_app(engine, token, allowed_hosts=hosts)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"newsloom: serving {engine.store.path} on http://{shown}:{args.port}/", file=sys.stderr)
    print(f"newsloom: write token in {token_file} (send 'Authorization: Bearer <token>')", file=sys.stderr)
    try:
        make_server(app, args.host, args.port, args.log_level).run()
    finally:
        engine.close()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""Helpers for tests and benchmarks: the demo corpus as RawArticles, a server in a thread.

`ServerThread` runs uvicorn on 127.0.0.1 with a free port in a daemon thread and
stops it (`should_exit`) on `stop()`; open event streams end through the app's
lifespan shutdown flag, so stopping never hangs on a connected browser.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from datetime import datetime
from importlib import resources
from pathlib import Path

from newsloom.model import RawArticle


def demo_corpus_path() -> Path:
    return Path(str(resources.files("newsloom") / "data" / "demo" / "articles.jsonl"))


def demo_articles() -> list[RawArticle]:
    """The shipped demo corpus (fictional articles), one RawArticle per JSONL line."""
    out = []
    with demo_corpus_path().open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            d = json.loads(line)
            published = datetime.fromisoformat(d["published"]) if d.get("published") else None
            out.append(RawArticle(text=d["text"], title=d.get("title"), url=d.get("url"), source=d.get("source"),
                                  lang=d.get("lang"), published=published, external_id=d.get("id"),
                                  metadata={"gold_story": d["story"]} if d.get("story") else {},
                                  origin=f"demo:line {number}"))
    return out


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class ServerThread:
    """uvicorn serving `app` on loopback in a background thread."""

    def __init__(self, app, host: str = "127.0.0.1", port: int | None = None) -> None:
        from newsloom.api.server import make_server

        self.app = app
        self.host, self.port = host, port or free_port(host)
        self.server = make_server(app, self.host, self.port, log_level="warning")
        self.thread = threading.Thread(target=self.server.run, name="newsloom-test-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 20.0) -> "ServerThread":
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"server did not start on {self.url}")
            time.sleep(0.05)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self.app.state.newsloom.stopping.set()  # end event streams now, not after the grace timeout
        self.server.should_exit = True
        self.thread.join(timeout)

    def __enter__(self) -> "ServerThread":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

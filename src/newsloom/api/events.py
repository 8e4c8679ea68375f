"""Server-sent events: the engine's story updates as a ``text/event-stream``.

Each update is one SSE message ``event: story`` with the engine's event dict as
JSON ``data``. The stream subscribes to `Engine.subscribe()` and unsubscribes in
a ``finally`` whatever ends it: the client going away (Starlette cancels the
generator on ``http.disconnect``; we also poll `Request.is_disconnected`),
`max_events` sent, `timeout` seconds elapsed, or the server shutting down.
A comment line every `heartbeat` seconds keeps proxies from closing an idle stream.
"""

from __future__ import annotations

import asyncio
import json
import queue
import threading
import time
from collections.abc import AsyncIterator

from fastapi import Request

#: How often the queue is polled; the latency a browser sees on a new article.
POLL_SECONDS = 0.2


def format_event(event: dict, event_id: int) -> str:
    data = json.dumps(event, ensure_ascii=False, default=str)
    return f"id: {event_id}\nevent: {event.get('type', 'message')}\ndata: {data}\n\n"


async def event_stream(engine, request: Request, *, max_events: int | None, timeout: float | None,
                       heartbeat: float = 15.0, stopping: threading.Event | None = None) -> AsyncIterator[str]:
    q: queue.Queue = engine.subscribe()
    started = last_beat = time.monotonic()
    sent = 0
    try:
        yield "retry: 3000\n: connected\n\n"  # the browser reconnects after 3 s if the stream drops
        while max_events is None or sent < max_events:
            now = time.monotonic()
            if timeout is not None and now - started >= timeout:
                break
            if stopping is not None and stopping.is_set():
                break
            if await request.is_disconnected():
                break
            try:
                event = q.get_nowait()
            except queue.Empty:
                if now - last_beat >= heartbeat:
                    last_beat = now
                    yield ": keep-alive\n\n"
                await asyncio.sleep(POLL_SECONDS)
                continue
            sent += 1
            yield format_event(event, sent)
    finally:
        engine.unsubscribe(q)

"""The HTTP API (FastAPI) over `newsloom.Engine`; `create_app` builds it, `server.main` serves it."""

from newsloom.api.app import create_app

__all__ = ["create_app"]

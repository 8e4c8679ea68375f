"""newsloom: an offline-first, multilingual news story engine.

    >>> from newsloom import Engine                         # doctest: +SKIP
    >>> engine = Engine(db="news.db")                       # doctest: +SKIP
    >>> engine.ingest(["articles.jsonl"]).errors            # doctest: +SKIP
    >>> engine.compare(id_a, id_b).overall                  # doctest: +SKIP
"""

from newsloom.engine import Engine, SearchHit
from newsloom.model import (
    SUPPORTED_LANGUAGES,
    Article,
    BatchReport,
    Comparison,
    Entity,
    IngestResult,
    ItemError,
    Mention,
    RawArticle,
    Sentence,
    Story,
    TimeEvent,
)

__version__ = "0.1.0"

__all__ = [
    "Engine", "SearchHit", "SUPPORTED_LANGUAGES", "Article", "BatchReport", "Comparison", "Entity",
    "IngestResult", "ItemError", "Mention", "RawArticle", "Sentence", "Story", "TimeEvent", "__version__",
]

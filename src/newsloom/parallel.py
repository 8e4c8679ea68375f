"""Prepare articles in worker processes while the main process batches the encoder.

On a 2-core machine the per-article stages (clean -> detect -> split -> enrich,
i.e. `Pipeline.prepare`) are pure Python and hold the GIL, so threads do not
help; worker processes do.

Where the encoder runs (``embed_in_workers``):

* True (default where ``fork`` exists): each worker also embeds its article with
  the main pipeline's encoder, inherited loaded through the fork (pure numpy,
  shared copy-on-write). The main process is left with weaving and storing, so
  the CPU splits evenly over the cores: with the encoder in the main process the
  main process alone needed more CPU per article (embed + weave + store) than
  each core had to give at 2 workers (`benchmarks/stream.py`, docs/scaling.md).
  The encoder's cost is linear in tokens, so one article per call costs no more
  than batches; vectors differ from batched ones by float rounding (~1e-7, as
  batches of different sizes already do).
* False: the encoder (`Pipeline.embed`) stays in the main process and embeds the
  prepared articles in chunks of `embed_batch` *as they come back*, so it works
  on chunk i while the workers prepare chunk i+1.

Either way `iter_prepared` yields in input order as soon as an article is ready,
and `Engine` weaves it then, while the workers go on with the next ones.

Identical results to the serial path: the only cross-article state of
`Pipeline.prepare` is the per-source repeated-line model of the cleaner
(`clean.RepeatedLineModel`, learned online, order-dependent). It stays in the
main process: for each article, in input order, the main process reads the
repeated lines of its source and learns its lines, exactly as `prepare` does,
and sends the frozen set with the article to the worker.

Workers take articles in chunks (`chunk_size`, default 8, fewer when a batch is
small so that every worker gets a share) and prepare each chunk with
`Pipeline.prepare_batch`: the NER models read a chunk's articles of one language
in one call, and there is one round trip per chunk instead of one per article.

Start-up cost: forking a worker is ~10 ms; the models (lingua alone takes
several seconds to load, spaCy/Natasha for entities more) are what costs. With
``fork`` (Linux) and ``warm_up=True`` the main process loads them once before
forking and the workers share them copy-on-write; with ``spawn`` each worker
loads them in its initializer. Workers live as long as the preparer (use it as
a context manager or call `close`); `start` pays and measures the cost up front.

Example:
    >>> from newsloom.model import RawArticle
    >>> with ParallelPreparer(workers=2, enrich=False) as prep:         # doctest: +SKIP
    ...     out = prep.prepare_many([RawArticle(text="Ein Satz. Noch ein Satz hier.")])
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from newsloom.model import SUPPORTED_LANGUAGES, ItemError, RawArticle
from newsloom.pipeline import Pipeline, Prepared, item_error

#: The worker's own pipeline (one per process, created by the initializer).
_WORKER_PIPELINE: Pipeline | None = None

#: one short text per supported language with a name, a place and a date, so that every
#: language's stages (spaCy, Natasha, the rule lexicons, dateparser's locale data, the date
#: patterns) are loaded before the fork and shared, instead of each worker paying for a
#: language on its first article in it
_WARM_UP_TEXTS = {
    "en": "The mayor of Lyon met the minister in Paris on Monday, 3 March 2021. Talks went on until the evening.",
    "fr": "Le maire de Lyon a rencontré la ministre à Paris lundi 3 mars 2021. Les discussions ont duré.",
    "de": "Die Bürgermeisterin Anna Weber traf am Montag, dem 3. März 2021, den Minister in Berlin.",
    "es": "La alcaldesa Ana García se reunió el lunes 3 de marzo de 2021 con el ministro en Madrid.",
    "it": "La sindaca Anna Rossi ha incontrato lunedì 3 marzo 2021 il ministro a Roma.",
    "pl": "Burmistrz Anna Nowak spotkała się w poniedziałek 3 marca 2021 z ministrem w Warszawie.",
    "ru": "Мэр Анна Иванова встретилась в понедельник, 3 марта 2021 года, с министром в Москве.",
    "uk": "Мерка Анна Коваленко зустрілася в понеділок, 3 березня 2021 року, з міністром у Києві.",
    "zh": "市长王芳于2021年3月3日星期一在北京会见了部长。",
    "ja": "2021年3月3日月曜日、田中市長は東京で大臣と会談した。",
    "ko": "김민수 시장은 2021년 3월 3일 월요일 서울에서 장관을 만났다.",
    "ar": "التقت رئيسة البلدية منى أحمد يوم الاثنين 3 مارس 2021 بالوزير في القاهرة.",
    "tr": "Belediye Başkanı Ayşe Yılmaz 3 Mart 2021 Pazartesi günü Ankara'da bakanla görüştü.",
    "nl": "Burgemeester Anna de Vries sprak maandag 3 maart 2021 met de minister in Amsterdam.",
    "pt": "A prefeita Ana Souza reuniu-se na segunda-feira, 3 de março de 2021, com o ministro em Lisboa.",
}


def _warm_up(pipeline: Pipeline) -> None:
    """Load what `pipeline.prepare` needs in every language by preparing one tiny article each."""
    # a failure (a missing optional stage) shows up on the first real article instead
    pipeline.prepare_batch([RawArticle(text=text, title=text[:20], lang=lang)
                            for lang, text in _WARM_UP_TEXTS.items()],
                           repeated=[frozenset()] * len(_WARM_UP_TEXTS))
    pipeline.times.seconds.clear()
    if pipeline.enrich_enabled:
        from newsloom.dates import parse_with_dateparser
        from newsloom.entities.rules import load_lexicons

        load_lexicons()  # lexicons the warm-up texts do not reach (given names, Arabic)
        # our own patterns read the warm-up texts' dates, so dateparser (the fallback for what
        # they miss) would otherwise load each language's data on every worker's first miss, in
        # the middle of the stream (docs/scaling.md, "Warm workers")
        for lang in _WARM_UP_TEXTS:
            parse_with_dateparser("3 March 2021", lang, None)


def _init_worker(enrich: bool, warm_up: bool, ner_sentences: int | None = None, embedder=None) -> None:
    global _WORKER_PIPELINE
    # `embedder`: the main pipeline's, inherited through the fork when the workers embed
    _WORKER_PIPELINE = Pipeline(enrich=enrich, ner_sentences=ner_sentences, embedder=embedder)
    if warm_up:
        _warm_up(_WORKER_PIPELINE)


def _prepare_in_worker(raws: list[RawArticle], repeated: list[frozenset[str]],
                       embed: bool = False) -> tuple[list[Prepared], dict[str, float]]:
    """A chunk of articles through `Pipeline.prepare_batch` (and `embed`) in a worker;
    returns the results in order and the chunk's stage seconds."""
    pipeline = _WORKER_PIPELINE
    assert pipeline is not None, "worker not initialised"
    pipeline.times.seconds.clear()
    results = pipeline.prepare_batch(raws, repeated=repeated)
    if embed:
        ready = [k for k, r in enumerate(results) if not isinstance(r, ItemError)]
        try:
            pipeline.embed([results[k][0] for k in ready])
        except Exception:  # noqa: BLE001 - find the article that fails; the others are kept
            for k in ready:
                try:
                    pipeline.embed([results[k][0]])
                except Exception as exc:
                    results[k] = item_error(raws[k], exc)
    return results, dict(pipeline.times.seconds)


def _fails_before_cleaning(raw: RawArticle) -> bool:
    """The checks `Pipeline.prepare` makes before it learns the article's lines."""
    if raw.lang and raw.lang.lower() not in SUPPORTED_LANGUAGES:
        return True
    return not raw.text or not raw.text.strip()


@dataclass
class ParallelTimes:
    """Wall-clock seconds of a parallel run (stage seconds summed over workers are CPU time)."""

    prepare_wait: float = 0.0  # main process waiting for workers
    embed: float = 0.0
    calls: int = 0
    articles: int = 0
    extra: dict[str, float] = field(default_factory=dict)


class ParallelPreparer:
    """`Pipeline.prepare_many` with the per-article stages in worker processes.

    Parameters:
        workers: worker processes (default: ``os.cpu_count()``).
        pipeline: the main-process pipeline: its encoder embeds, its repeated-line
            model learns, its `StageTimes` receive the workers' stage seconds.
            Default: a new ``Pipeline(enrich=enrich)``.
        enrich: run entities and dates in the workers (must match `pipeline`).
        embed_batch: prepared articles embedded per encoder call while workers go on
            (when the main process embeds).
        chunk_size: articles a worker prepares per task at most (fewer when a batch
            is small, so that every worker gets a share): the NER models read a
            chunk's articles together (`Pipeline.prepare_batch`), and there are
            fewer round trips between the processes.
        warm_up: load the models in each worker at start (see the module docstring).
        embed_in_workers: the workers embed too, with the pipeline's encoder (see the
            module docstring); None: where ``fork`` exists (the loaded encoder is
            inherited, never pickled). True without ``fork`` is refused.
    """

    def __init__(self, workers: int | None = None, *, pipeline: Pipeline | None = None, enrich: bool | None = None,
                 embed_batch: int = 16, warm_up: bool = True, embed_in_workers: bool | None = None,
                 chunk_size: int = 8) -> None:
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be at least 1, not {chunk_size}")
        fork = "fork" in multiprocessing.get_all_start_methods()
        if embed_in_workers and not fork:
            raise ValueError("embed_in_workers needs the fork start method (the encoder is inherited)")
        self.embed_in_workers = fork if embed_in_workers is None else embed_in_workers
        self.pipeline = pipeline if pipeline is not None else Pipeline(enrich=True if enrich is None else enrich)
        self.enrich = self.pipeline.enrich_enabled if enrich is None else enrich
        self.workers = workers or os.cpu_count() or 1
        self.embed_batch = embed_batch
        self.chunk_size = chunk_size
        self.warm_up = warm_up
        self.times = ParallelTimes()
        self._executor: ProcessPoolExecutor | None = None

    @property
    def executor(self) -> ProcessPoolExecutor:
        if self._executor is None:
            t = time.perf_counter()
            fork = "fork" in multiprocessing.get_all_start_methods()
            if self.warm_up and fork:
                # load the models once here: forked workers share them copy-on-write
                _warm_up(Pipeline(encoder=self.pipeline._encoder, enrich=self.enrich))
            embedder = None
            if self.embed_in_workers:
                embedder = self.pipeline.embedder
                embedder.encoder.encode(["warm up"])  # loaded before the fork: every worker inherits it
                prefill = getattr(embedder.encoder, "prefill", None)
                if prefill is not None:
                    prefill()  # the USE token cache's frequent rows, shared copy-on-write
            context = multiprocessing.get_context("fork" if fork else "spawn")
            self._executor = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_init_worker,
                                                 initargs=(self.enrich, self.warm_up and not fork,
                                                           self.pipeline.ner_sentences, embedder))
            self.times.extra["create"] = time.perf_counter() - t
        return self._executor

    def start(self) -> float:
        """Start the workers and wait until all are initialised; returns the seconds it took."""
        t = time.perf_counter()
        futures = [self.executor.submit(time.sleep, 0.05) for _ in range(self.workers)]
        for f in futures:
            f.result()
        self.times.extra["start"] = time.perf_counter() - t
        return self.times.extra["start"]

    def _repeated_for(self, raw: RawArticle) -> frozenset[str]:
        """Read, then learn, the source's repeated lines, in input order (as `Pipeline.prepare`)."""
        source = raw.source or ""
        if not source or _fails_before_cleaning(raw):
            return frozenset()
        model = self.pipeline.repeated_lines
        repeated = model.repeated(source)
        model.learn_one(source, [ln.strip() for ln in raw.text.splitlines() if ln.strip()])
        return repeated

    def iter_prepared(self, raws: Iterable[RawArticle | ItemError]) -> Iterator[Prepared]:
        """Prepared and embedded articles (or ItemError) in input order, embedded in chunks."""
        items = list(raws)
        todo = [i for i, raw in enumerate(items) if isinstance(raw, RawArticle)]
        size = max(1, min(self.chunk_size, -(-len(todo) // self.workers)))
        chunk_of: dict[int, tuple[int, int]] = {}  # item -> (chunk, position in it)
        futures, chunks = [], []
        for c, start in enumerate(range(0, len(todo), size)):
            members = todo[start:start + size]
            chunk = [items[i] for i in members]
            chunks.append(chunk)
            futures.append(self.executor.submit(_prepare_in_worker, chunk,
                                                [self._repeated_for(raw) for raw in chunk],
                                                self.embed_in_workers))
            chunk_of.update((i, (c, k)) for k, i in enumerate(members))
        done: dict[int, list[Prepared]] = {}
        pending: list[Prepared] = []
        self.times.calls += 1
        for i, raw in enumerate(items):
            if isinstance(raw, ItemError):
                pending.append(raw)
            else:
                c, k = chunk_of[i]
                if c not in done:
                    done[c] = self._chunk_result(futures[c], chunks[c])
                pending.append(done[c][k])
            if self.embed_in_workers:
                yield from pending  # embedded already
                pending = []
            elif sum(not isinstance(p, ItemError) for p in pending) >= self.embed_batch:
                yield from self._embed(pending)
                pending = []
        yield from self._embed(pending)

    def _chunk_result(self, future, chunk: list[RawArticle]) -> list[Prepared]:
        t = time.perf_counter()
        try:
            results, seconds = future.result()
        except Exception as exc:  # the worker died or its result did not pickle
            results, seconds = [item_error(raw, exc) for raw in chunk], {}
            if isinstance(exc, BrokenProcessPool):
                self._executor = None  # the next batch starts fresh workers
        self.times.prepare_wait += time.perf_counter() - t
        for stage, sec in seconds.items():
            self.pipeline.times.seconds[stage] += sec
        return results

    def _embed(self, pending: list[Prepared]) -> list[Prepared]:
        articles = [p[0] for p in pending if not isinstance(p, ItemError)]
        t = time.perf_counter()
        self.pipeline.embed(articles)
        self.times.embed += time.perf_counter() - t
        self.times.articles += len(articles)
        return pending

    def prepare_many(self, raws: Iterable[RawArticle | ItemError]) -> list[Prepared]:
        """Same contract as `Pipeline.prepare_many`: ``(Article, entities) | ItemError`` in input order."""
        return list(self.iter_prepared(raws))

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def __enter__(self) -> ParallelPreparer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


__all__ = ["ParallelPreparer", "ParallelTimes"]

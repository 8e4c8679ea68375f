"""The bundled demo corpus is well-formed and has the structure the demos rely on."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime
from importlib import resources
from pathlib import Path

import pytest

from newsloom.model import SUPPORTED_LANGUAGES

REQUIRED_FIELDS = ("id", "url", "source", "title", "text", "lang", "published", "story")

#: Line shapes of scraping debris, independent of the corpus' own `metadata.debris`.
DEBRIS_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^(photo|foto|fotoğraf|фото)\s*:",
        r"^(download|descarga|pobierz).*\bapp",
        r"uygulamamızı indirin$",
        r"^abonnez-vous",
        r"^(lesen sie auch|lire aussi|leggi anche|czytaj także|read more)\s*:",
        r"^(share|partager|compartir|udostępnij)\s*:.*\|",
        r"^!\[\]\(\)$",
        r"^подписывайтесь",
    )
]


def corpus_path() -> Path:
    return Path(str(resources.files("newsloom") / "data" / "demo" / "articles.jsonl"))


@pytest.fixture(scope="module")
def articles() -> list[dict]:
    with corpus_path().open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_corpus_parses_and_is_big_enough(articles: list[dict]) -> None:
    assert len(articles) >= 30
    stories = Counter(a["story"] for a in articles)
    assert len(stories) >= 4
    assert all(n >= 2 for n in stories.values()), stories
    assert len({a["lang"] for a in articles}) >= 4


def test_every_article_has_the_fields(articles: list[dict]) -> None:
    for a in articles:
        for name in REQUIRED_FIELDS:
            assert isinstance(a.get(name), str) and a[name].strip(), (a.get("id"), name)
        assert a["url"].startswith("https://example.org/"), a["id"]
        assert a["lang"] in SUPPORTED_LANGUAGES, a["id"]
        published = datetime.fromisoformat(a["published"])
        assert published.tzinfo is not None and published.year == 2025, a["id"]
        assert 80 <= len(a["text"].split()) <= 250, a["id"]


def test_ids_and_urls_are_unique(articles: list[dict]) -> None:
    ids = [a["id"] for a in articles]
    assert len(ids) == len(set(ids))
    urls = [a["url"] for a in articles]
    assert len(urls) == len(set(urls))


def test_several_stories_are_multilingual(articles: list[dict]) -> None:
    langs_by_story: dict[str, set[str]] = {}
    for a in articles:
        langs_by_story.setdefault(a["story"], set()).add(a["lang"])
    assert sum(len(langs) >= 3 for langs in langs_by_story.values()) >= 4


def test_debris_lines_are_present(articles: list[dict]) -> None:
    with_debris = [
        a["id"]
        for a in articles
        if any(p.search(line.strip()) for line in a["text"].split("\n") for p in DEBRIS_PATTERNS)
    ]
    assert len(with_debris) >= 3


def test_declared_debris_is_verbatim_lines(articles: list[dict]) -> None:
    for a in articles:
        lines = set(a["text"].split("\n"))
        for debris in a.get("metadata", {}).get("debris", []):
            assert debris in lines, (a["id"], debris)


def test_relations_point_to_existing_articles(articles: list[dict]) -> None:
    by_id = {a["id"]: a for a in articles}
    relations = Counter()
    for a in articles:
        meta = a.get("metadata", {})
        for key in ("translation_of", "near_duplicate_of", "rewrite_of"):
            if key in meta:
                relations[key] += 1
                original = by_id[meta[key]]  # KeyError = dangling reference
                assert original["id"] != a["id"]
                assert original["story"] == a["story"]
                assert original["source"] != a["source"]
                assert datetime.fromisoformat(original["published"]) < datetime.fromisoformat(a["published"])
        if key := meta.get("translation_of"):
            assert by_id[key]["lang"] != a["lang"]
    assert relations["translation_of"] >= 1
    assert relations["near_duplicate_of"] >= 1
    assert relations["rewrite_of"] >= 1


def test_rewrite_reuses_about_half_its_sentences(articles: list[dict]) -> None:
    by_id = {a["id"]: a for a in articles}
    split = lambda text: {s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()}  # noqa: E731
    for a in articles:
        original_id = a.get("metadata", {}).get("rewrite_of")
        if not original_id:
            continue
        reused = split(a["text"]) & split(by_id[original_id]["text"])
        share = len(reused) / len(split(a["text"]))
        assert 0.2 <= share <= 0.8, (a["id"], share)


def test_hard_negative_is_a_distinct_story(articles: list[dict]) -> None:
    negatives = [a for a in articles if "hard_negative_for" in a.get("metadata", {})]
    assert negatives
    stories = {a["story"] for a in articles}
    for a in negatives:
        target = a["metadata"]["hard_negative_for"]
        assert target in stories and target != a["story"]

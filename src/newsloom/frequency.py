"""How common or rare a word is in its language, from wordfreq's in-wheel frequency lists.

Two users: the gazetteer (`entities.gazetteer`) asks `zipf` whether a one-word place
name is first of all a common word of the article's language (Spanish "Se", "Este",
German "Auch" are towns too); the `lex_tfidf` pair feature (`features.py`) is a TF-IDF cosine of the two articles'
words in which the "IDF" of a word is its rarity in everyday use of its language
rather than in some corpus of ours: sharing "negotiations" or "Zelensky" says more
about two articles than sharing "said". wordfreq (Speer et al., Zenodo
10.5281/zenodo.7199437) ships a frequency list for every language we support; its
``small`` lists (~30-40k words each, ~4 MB in memory per language, read on first use)
are enough, since every word outside them is rare anyway.

Rarity is ``8 - zipf`` clipped to ``0 .. MAX_RARITY`` (zipf = log10 of frequency per
billion words: "the" 7.7, "negotiations" 4.2), and `MAX_RARITY` for a word the list
does not have (names, numbers written out, misspellings).

Example:
    >>> rarity("the", "en") < rarity("negotiations", "en") < rarity("zelensky", "en")
    True
    >>> zipf("este", "es") > 6 > zipf("pesqueira", "es")
    True
"""

from __future__ import annotations

import gzip
import importlib.util
import math
from functools import cache, lru_cache
from pathlib import Path

#: rarity of a word the frequency list does not have; also the upper clip
MAX_RARITY = 7.0
#: the wordfreq list read (``small``: the words with zipf >= ~3 of each language)
WORDLIST = "small"


def _wordfreq_data() -> Path | None:
    """wordfreq's data folder, found without importing the package: ``import wordfreq``
    costs about a second (ftfy, langcodes, and a stack inspection to find this very
    folder), which a stream paid on its first comparison; only the files are needed."""
    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data"


@cache
def _rarities(lang: str) -> dict[str, float]:
    """word -> rarity for `lang`, from wordfreq's cBpack file of the `WORDLIST` list
    (gzipped msgpack: a header, then one list of words per centibel of frequency,
    index i holding the words of frequency 10 ** (-i / 100); a word listed twice takes
    its last bucket, as in ``wordfreq.get_frequency_dict``)."""
    import msgpack

    data = _wordfreq_data()
    path = data / f"{WORDLIST}_{lang}.msgpack.gz" if data is not None else None
    if path is None or not path.is_file():
        return {}  # a language wordfreq has no list for: every word counts as rare
    with gzip.open(path, "rb") as stream:
        pack = msgpack.load(stream, raw=False)
    header = pack[0] if pack else None
    if not isinstance(header, dict) or header.get("format") != "cB" or header.get("version") != 1:
        raise ValueError(f"{path} is not a wordfreq cBpack file (header {header!r})")
    out: dict[str, float] = {}
    for index, bucket in enumerate(pack[1:]):
        zipf = math.log10(10 ** (-index / 100)) + 9.0  # as wordfreq computes it, to the last bit
        value = min(MAX_RARITY, max(0.0, 8.0 - zipf))
        for word in bucket:
            out[word] = value
    return out


@lru_cache(maxsize=1 << 18)
def rarity(word: str, lang: str | None) -> float:
    """``8 - zipf`` of the lower-cased `word` in `lang`, in ``0 .. MAX_RARITY``."""
    return _rarities(lang or "en").get(word.lower(), MAX_RARITY)


def zipf(word: str, lang: str | None) -> float:
    """wordfreq's zipf value of `word` in `lang` (log10 of its frequency per billion words),
    lower-cased as wordfreq lists it (Turkish dotted and dotless i kept apart: "İki" is
    "iki"); 1.0 for a word the ``small`` list does not have (rarer than zipf ~3)."""
    if lang == "tr":
        word = word.replace("İ", "i").replace("I", "ı")
    return 8.0 - rarity(word, lang)

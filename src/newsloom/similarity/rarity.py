"""How rare a word is in its language, from wordfreq's in-wheel frequency lists.

The `lex_tfidf` pair feature (`features.py`) is a TF-IDF cosine of the two articles'
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
"""

from __future__ import annotations

import math
from functools import cache, lru_cache

#: rarity of a word the frequency list does not have; also the upper clip
MAX_RARITY = 7.0
#: the wordfreq list read (``small``: the words with zipf >= ~3 of each language)
WORDLIST = "small"


@cache
def _frequencies(lang: str) -> dict[str, float]:
    import wordfreq

    try:
        return wordfreq.get_frequency_dict(lang, wordlist=WORDLIST)
    except LookupError:  # a language wordfreq has no list for: every word counts as rare
        return {}


@lru_cache(maxsize=1 << 18)
def rarity(word: str, lang: str | None) -> float:
    """``8 - zipf`` of the lower-cased `word` in `lang`, in ``0 .. MAX_RARITY``."""
    freq = _frequencies(lang or "en").get(word.lower(), 0.0)
    if freq <= 0.0:
        return MAX_RARITY
    return min(MAX_RARITY, max(0.0, 8.0 - (math.log10(freq) + 9.0)))

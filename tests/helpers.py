"""Small test doubles shared by several test modules (pytest puts tests/ on sys.path)."""

from __future__ import annotations

from newsloom.embed import HashingEncoder


class CountingEncoder(HashingEncoder):
    """The hashing encoder, remembering every text it encoded in this process."""

    def __init__(self) -> None:
        super().__init__(dim=64)
        self.texts: list[str] = []

    def encode(self, texts):
        self.texts.extend(texts)
        return super().encode(texts)

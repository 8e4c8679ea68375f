"""Exceptions raised inside stages; batch boundaries turn them into `ItemError`s."""


class NewsloomError(Exception):
    """Base class: every error newsloom raises on purpose."""

    kind = "error"


class InputError(NewsloomError):
    """The input cannot be read as an article (empty, binary, bad encoding, too large...)."""

    def __init__(self, reason: str, kind: str = "invalid") -> None:
        super().__init__(reason)
        self.kind = kind


class UnsupportedLanguageError(InputError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason, kind="language")


class NotFoundError(NewsloomError):
    kind = "not_found"


class StoreError(NewsloomError):
    kind = "store"

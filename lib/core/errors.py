"""One base for user-facing refusals: a code and its parameters, translated only when shown."""

from __future__ import annotations

from typing import Any, ClassVar

from lib.core.i18n import translate


class CodedError(ValueError):
    """A refusal a user can act on. `code` is a key under the subclass's `prefix` in the catalogue and
    `params` fill it; `message(lang)` is the text in that language."""

    prefix: ClassVar[str] = "common.error"

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(f"{code} {params}" if params else code)
        self.code = code
        self.params = params

    def key(self) -> str:
        return f"{self.prefix}.{self.code}"

    def message(self, lang: str) -> str:
        return translate(self.key(), lang, **self.params)

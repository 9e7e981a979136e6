"""At-rest encryption of stored comment text and context: Fernet when a key is set, plain otherwise."""

from __future__ import annotations

import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from comments.errors import ConfigurationError

ENC = "_enc"  # a sealed JSON value is stored as {"_enc": token}, so the JSON column keeps its type


class TextCipher:
    """Encrypts and decrypts stored text; `enabled` says whether a key is set."""

    def __init__(self, key: str | None) -> None:
        try:
            self._fernet = Fernet(key.encode()) if key else None
        except (ValueError, TypeError) as exc:
            raise ConfigurationError(
                "COMMENTS_ENCRYPTION_KEY is not a Fernet key; make one with "
                "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`"
            ) from exc

    @property
    def enabled(self) -> bool:
        """True when stored text is encrypted."""
        return self._fernet is not None

    def seal(self, text: str) -> str:
        """Text as it is stored."""
        return self._fernet.encrypt(text.encode()).decode() if self._fernet else text

    def open(self, stored: str, encrypted: bool) -> str:
        """Stored text back to plain text."""
        if not encrypted:
            return stored
        if self._fernet is None:
            raise ConfigurationError("stored text is encrypted but COMMENTS_ENCRYPTION_KEY is not set")
        try:
            return self._fernet.decrypt(stored.encode()).decode()
        except InvalidToken as exc:
            raise ConfigurationError(
                "stored text does not decrypt with COMMENTS_ENCRYPTION_KEY (key rotated?)"
            ) from exc

    def seal_json(self, value: dict[str, Any] | None) -> dict[str, Any] | None:
        """A JSON object as it is stored: `{"_enc": token}` when encryption is on."""
        if value is None or self._fernet is None:
            return value
        return {ENC: self.seal(json.dumps(value, ensure_ascii=False, separators=(",", ":")))}

    def open_json(self, stored: dict[str, Any] | None, encrypted: bool) -> dict[str, Any] | None:
        """A stored JSON object back to plain; rows from before context was sealed come back as they are."""
        if encrypted and isinstance(stored, dict) and set(stored) == {ENC} and isinstance(stored[ENC], str):
            return json.loads(self.open(stored[ENC], True))
        return stored

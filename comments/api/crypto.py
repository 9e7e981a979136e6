"""At-rest encryption of stored comment text: Fernet when a key is set, plain text otherwise."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from comments.errors import ConfigurationError


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

"""Encryption at rest: a SecretBox (Fernet) for raw messages, bodies and secret fields, and where its
key comes from (the variable named by `security.key_env`, else `<data_dir>/secret.key`)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from ventanilla.bot.errors import ConfigError, DecryptionError
from ventanilla.bot.settings import Settings

KEY_FILE = "secret.key"
CHUNK_BYTES = 1 << 20  # larger data is encrypted in pieces of this size
log = logging.getLogger("ventanilla.security")


class SecretBox:
    """Encrypts and decrypts with Fernet (AES-128-CBC + HMAC-SHA256). Several keys separated by
    commas allow rotation: the first encrypts, any of them decrypts."""

    def __init__(self, *keys: bytes | str) -> None:
        if not keys:
            raise ValueError("SecretBox needs at least one key")
        self._fernet = MultiFernet([Fernet(k) for k in keys])

    @classmethod
    def from_text(cls, value: str) -> SecretBox:
        """A box from a comma-separated list of URL-safe base64 Fernet keys; ValueError if invalid."""
        keys = [k.strip() for k in value.split(",") if k.strip()]
        if not keys:
            raise ValueError("no key given")
        return cls(*keys)

    def encrypt(self, data: bytes) -> bytes:
        """One Fernet token; data over CHUNK_BYTES becomes several tokens joined by newlines (a
        Fernet token never holds one), so a 20 MB message is not copied whole at every step."""
        if len(data) <= CHUNK_BYTES:
            return self._fernet.encrypt(data)
        view = memoryview(data)
        return b"\n".join(
            self._fernet.encrypt(bytes(view[start : start + CHUNK_BYTES]))
            for start in range(0, len(data), CHUNK_BYTES)
        )

    def decrypt(self, token: bytes) -> bytes:
        try:
            if b"\n" not in token:
                return self._fernet.decrypt(token)
            return b"".join(self._fernet.decrypt(part) for part in token.split(b"\n"))
        except InvalidToken:
            raise DecryptionError(
                "stored data cannot be decrypted: the encryption key is not the one it was written with"
            ) from None

    def rotate(self, token: bytes) -> bytes:
        """`token` re-encrypted with the first key (it may have been made with any of them)."""
        try:
            return b"\n".join(self._fernet.rotate(part) for part in token.split(b"\n"))
        except InvalidToken:
            raise DecryptionError(
                "stored data cannot be decrypted: the encryption key is not the one it was written with"
            ) from None

    def encrypt_text(self, text: str) -> bytes:
        return self.encrypt(text.encode("utf-8"))

    def decrypt_text(self, token: bytes) -> str:
        return self.decrypt(token).decode("utf-8")

    def encrypt_json(self, value: Any) -> bytes:
        return self.encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8"))

    def decrypt_json(self, token: bytes) -> Any:
        return json.loads(self.decrypt(token))


def load_secret_box(settings: Settings, *, create: bool = True) -> SecretBox:
    """The box for this installation. The key is read from the environment variable named by
    `security.key_env`; when that is unset, from `<data_dir>/secret.key`, generated (mode 0600) the
    first time — unless `create` is false (a store that already holds encrypted data), then its
    absence is a ConfigError. An invalid key is a ConfigError naming `security.key_env`."""
    env_name = settings.security.key_env
    value = settings.secret(env_name)
    if value is not None:
        try:
            return SecretBox.from_text(value)
        except ValueError:
            raise ConfigError(
                "security.key_env",
                f"${env_name} is not a valid Fernet key (32 url-safe base64-encoded bytes; "
                "make one with `python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'`)",
            ) from None
    path = key_file(settings)
    if not create and not path.exists():
        raise ConfigError(
            "security.key_env",
            f"the store holds encrypted data but no key was found: ${env_name} is unset and {path} "
            f"does not exist; set ${env_name} or restore {path} (a new key cannot read the data)",
        )
    text, created = _read_or_create_key(path)
    if created:
        log.warning(
            "no $%s set: created a new encryption key in %s (mode 0600); back it up — without it "
            "the stored messages cannot be read",
            env_name,
            path,
        )
    try:
        return SecretBox.from_text(text)
    except ValueError:
        raise ConfigError(
            "security.key_env",
            f"${env_name} is unset and {path} does not hold a valid Fernet key; set ${env_name} "
            "or restore the original key file",
        ) from None


def key_file(settings: Settings) -> Path:
    """Where the key lives when the environment variable named by `security.key_env` is unset."""
    return settings.data_path / KEY_FILE


def key_configured(settings: Settings) -> bool:
    """True when a key exists: in the environment variable named by `security.key_env`, or in the
    key file."""
    return settings.secret(settings.security.key_env) is not None or key_file(settings).exists()


def key_source(settings: Settings) -> str:
    """Where the key in use comes from, for messages: `$NAME` or the key file's path."""
    env_name = settings.security.key_env
    return f"${env_name}" if settings.secret(env_name) is not None else str(key_file(settings))


def _read_or_create_key(path: Path) -> tuple[str, bool]:
    """The key in `path` and whether this call created it (atomically, 0600); two processes
    starting at once end up with the same key (the link of the second one fails and it reads the
    first's)."""
    if path.exists():
        return path.read_text(encoding="ascii", errors="replace").strip(), False
    created = False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".secret-", dir=path.parent)  # mkstemp creates it 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(Fernet.generate_key() + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
            os.link(tmp, path)
            created = True
    finally:
        os.unlink(tmp)
    return path.read_text(encoding="ascii", errors="replace").strip(), created


def write_key_file(path: Path, text: str) -> None:
    """Replace the key file atomically with `text` (mode 0600): a crash leaves the old or the new."""
    fd, tmp = tempfile.mkstemp(prefix=".secret-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(text + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise

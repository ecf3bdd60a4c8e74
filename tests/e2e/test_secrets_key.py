"""The encryption key as an operator meets it: the first start without a key creates one in the data
folder (0600) and says so; a store that holds encrypted data refuses to serve — one clear line,
exit 1, nothing created — when its key is missing or wrong; `security rotate-key` re-encrypts the
store under a new key that the next start accepts."""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import (
    REQUEST,
    REQUESTER,
    SUPPORT,
    Relay,
    Serve,
    _environment,
    free_port,
    run_cli,
    send_mail,
    ventanilla_command,
    write_config,
)
from cryptography.fernet import Fernet

KEY_ENV = "E2E_SECRET_KEY"  # security.key_env; the helpers pass it on (they drop VENTANILLA_* only)


def _serve_once(config: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`serve` expected to refuse: it must exit by itself."""
    return subprocess.run(
        [*ventanilla_command(), "--config", str(config), "serve"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**_environment(), **(env or {})},
        check=False,
    )


def _store_a_request(
    config: Path, port: int, relay: Relay, start_serve: Callable[[Path, int], Serve]
) -> None:
    serve = start_serve(config, port)
    request = (
        f"From: {REQUESTER}\r\nTo: {SUPPORT}\r\nSubject: Error en la balanza\r\n"
        f"Message-ID: <{port}.{len(relay.received)}@zapopan.gob.mx>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n" + REQUEST.replace("\n", "\r\n")
    ).encode("utf-8")
    assert send_mail(port, request, REQUESTER)[0] == 250
    relay.wait_for(1)
    assert serve.stop() == 0


def test_first_start_creates_the_key_and_says_so_then_a_missing_or_wrong_key_refuses_to_serve(
    tmp_path: Path, relay: Relay, start_serve: Callable[[Path, int], Serve]
) -> None:
    port = free_port()
    config = write_config(tmp_path, port, relay.port, f'\n[security]\nkey_env = "{KEY_ENV}"\n')
    key = tmp_path / "data" / "secret.key"
    assert not key.exists()
    _store_a_request(config, port, relay, start_serve)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    log = (tmp_path / "serve-0.log").read_text(encoding="utf-8")
    assert f"created a new encryption key in {key}" in log and f"${KEY_ENV}" in log

    original = key.read_bytes()
    key.unlink()  # the key file is lost
    refused = _serve_once(config)
    assert refused.returncode == 1
    (line,) = refused.stderr.strip().splitlines()[-1:]
    assert line.startswith("ventanilla: error:") and "security.key_env" in line
    assert str(key) in line and f"${KEY_ENV}" in line
    assert not key.exists()  # no new key was made for a store written with another one

    wrong = Fernet.generate_key().decode()
    refused = _serve_once(config, {KEY_ENV: wrong})
    assert refused.returncode == 1
    line = refused.stderr.strip().splitlines()[-1]
    assert "security.key_env" in line and f"${KEY_ENV}" in line and "does not decrypt" in line
    assert wrong not in refused.stderr

    key.write_bytes(original)
    os.chmod(key, 0o600)
    start_serve(config, port).stop()  # the right key again: it serves


def test_rotate_key_re_encrypts_the_store_and_the_old_key_is_no_longer_accepted(
    tmp_path: Path, relay: Relay, start_serve: Callable[[Path, int], Serve]
) -> None:
    port = free_port()
    config = write_config(tmp_path, port, relay.port)
    _store_a_request(config, port, relay, start_serve)
    key = tmp_path / "data" / "secret.key"
    old = key.read_text().strip()

    rotated = run_cli(config, "security", "rotate-key")
    assert rotated.returncode == 0, rotated.stderr
    new = key.read_text().strip()
    assert new != old and "," not in new
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    listed = run_cli(config, "tickets", "list", "--json")
    assert listed.returncode == 0 and REQUESTER in listed.stdout

    key.write_text(old + "\n")  # the old key alone no longer reads the store
    refused = _serve_once(config)
    assert refused.returncode == 1 and "does not decrypt" in refused.stderr


@pytest.mark.parametrize("listed", ["new key first, old kept", "new key only after rotate-key"])
def test_rotation_with_the_key_in_the_environment(
    tmp_path: Path,
    relay: Relay,
    start_serve: Callable[[Path, int], Serve],
    listed: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port = free_port()
    config = write_config(tmp_path, port, relay.port, f'\n[security]\nkey_env = "{KEY_ENV}"\n')
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv(KEY_ENV, old)
    _store_a_request(config, port, relay, start_serve)
    monkeypatch.setenv(KEY_ENV, f"{new},{old}")
    if listed == "new key only after rotate-key":
        rotated = run_cli(config, "security", "rotate-key")
        assert rotated.returncode == 0, rotated.stderr
        monkeypatch.setenv(KEY_ENV, new)
    shown = run_cli(config, "tickets", "list", "--json")
    assert shown.returncode == 0, shown.stderr
    assert REQUESTER in shown.stdout
    start_serve(config, port).stop()  # the check token decrypts: serve starts
    assert not (tmp_path / "data" / "secret.key").exists()  # the key lives in the environment

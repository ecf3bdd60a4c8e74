"""A real Dovecot IMAP server for the tests, started as a child process in a temp dir (plaintext
login on 127.0.0.1, one passwd-file user, maildir storage), plus small imapclient helpers to APPEND
and inspect messages as a mail client would. Tests skip only when Dovecot is absent outside CI."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from imapclient import IMAPClient

DOVECOT = Path("/usr/sbin/dovecot")
USER = "soporte"
PASSWORD = "clave-de-prueba"


def dovecot_binary() -> Path:
    """The Dovecot binary; skips the test when it is absent, unless running in CI (then fails)."""
    found = DOVECOT if DOVECOT.exists() else (Path(p) if (p := shutil.which("dovecot")) else None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("Dovecot is required in CI (.ci/run installs dovecot-imapd)")
        pytest.skip("Dovecot (/usr/sbin/dovecot, Debian dovecot-imapd) is not installed")
    return found


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _config(root: Path, port: int, tls_port: int) -> str:
    me = pwd.getpwuid(os.getuid())
    mail_user = pwd.getpwnam("nobody") if os.getuid() == 0 else me  # Dovecot refuses uid 0 for mail
    # The auth process reads the users file in the temp dir: it runs as ourselves (root too); the
    # login processes may not run as root (they are chrooted into base_dir, so they need no access).
    internal = me.pw_name
    login = "nobody" if os.getuid() == 0 else me.pw_name
    return f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = 0
first_valid_gid = 0
mail_location = maildir:{root}/mail/%u
mailbox_idle_check_interval = 1 secs
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
"""


def _self_signed(root: Path) -> None:
    """A certificate for IP 127.0.0.1, signed by its own key, valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    (root / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (root / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )


@dataclass
class Dovecot:
    """One Dovecot instance; `stop()`/`start()` again keep the mail and the port."""

    root: Path
    port: int  # plain text, STARTTLS offered
    tls_port: int  # implicit TLS; the certificate (cert.pem) is for 127.0.0.1
    binary: Path
    process: subprocess.Popen[bytes] | None = None

    @classmethod
    def create(cls) -> Dovecot:
        """A new server in its own temp dir under /tmp (pytest's tmp_path is private to our user,
        and when we are root the mail processes run as `nobody`)."""
        binary = dovecot_binary()
        root = Path(tempfile.mkdtemp(prefix="ventanilla-dovecot-"))
        os.chmod(root, 0o755)
        for sub in ("run", "state", "mail"):
            (root / sub).mkdir()
        if os.getuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(root / "mail", nobody.pw_uid, nobody.pw_gid)
        (root / "users").write_text(f"{USER}:{PASSWORD}\n", encoding="utf-8")
        _self_signed(root)
        port, tls_port = _free_port(), _free_port()
        (root / "dovecot.conf").write_text(_config(root, port, tls_port), encoding="utf-8")
        return cls(root, port, tls_port, binary)

    @property
    def certificate(self) -> Path:
        """The server's self-signed certificate, to trust as a CA (SSL_CERT_FILE)."""
        return self.root / "cert.pem"

    def start(self) -> Dovecot:
        with (self.root / "stderr.log").open("ab") as errors:
            self.process = subprocess.Popen(
                [str(self.binary), "-F", "-c", str(self.root / "dovecot.conf")],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errors,
                start_new_session=True,  # its own process group: `stop()` ends every child too
            )
        end = time.monotonic() + 20
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > end:
                raise AssertionError(f"dovecot did not start:\n{self.log_text()}")
            time.sleep(0.05)
        return self

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.settimeout(2)
                return sock.recv(100).startswith(b"* OK")
        except OSError:
            return False

    def stop(self) -> None:
        """The server goes away: the master and every session process end (clients see the
        connection close), as when the machine or the service stops."""
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=15)

    def log_text(self) -> str:
        parts = [
            p.read_text(errors="replace")
            for p in (self.root / "dovecot.log", self.root / "stderr.log")
            if p.exists()
        ]
        return "\n".join(parts)[-4000:]

    @contextmanager
    def client(self, folder: str = "INBOX") -> Iterator[IMAPClient]:
        """A logged-in mail client with `folder` selected (created when missing)."""
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        try:
            client.login(USER, PASSWORD)
            if not client.folder_exists(folder):
                client.create_folder(folder)
            client.select_folder(folder)
            yield client
        finally:
            try:
                client.logout()
            except Exception:
                client.shutdown()

    def append(self, raw: bytes, folder: str = "INBOX", flags: tuple[bytes, ...] = ()) -> None:
        with self.client(folder) as client:
            client.append(folder, raw, flags=flags)

    def seen(self, folder: str = "INBOX") -> tuple[int, int]:
        """(messages flagged \\Seen, messages) in `folder`."""
        with self.client(folder) as client:
            return len(client.search(["SEEN"])), len(client.search(["ALL"]))


@contextmanager
def running_dovecot() -> Iterator[Dovecot]:
    """A started Dovecot, stopped and removed afterwards."""
    server = Dovecot.create()
    try:
        yield server.start()
    finally:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)

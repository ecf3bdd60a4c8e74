"""The IMAP connection itself (imapclient): logging in over implicit TLS, STARTTLS or plain text,
TCP keep-alive, closing politely, and noticing a server that went away while we IDLE."""

from __future__ import annotations

import logging
import select
import socket
import ssl
from typing import Any

from imapclient import IMAPClient

from ventanilla.bot.settings import ImapSettings

log = logging.getLogger("ventanilla.intake.imap")


class ConnectionLost(Exception):
    """The server closed the connection or said BYE."""


def connect(settings: ImapSettings, password: str) -> IMAPClient:
    """A logged-in client (implicit TLS, STARTTLS or plain, as configured); raises LoginError when
    the server refuses the credentials and OSError / IMAPClientError when it cannot be reached."""
    context = ssl.create_default_context()
    client = IMAPClient(
        settings.host,
        port=settings.port,
        ssl=settings.ssl,
        ssl_context=context if settings.ssl else None,
        timeout=float(settings.timeout_seconds),
    )
    try:
        if settings.starttls:
            client.starttls(context)
        _keepalive(client.socket())
        client.login(settings.username, password)
    except BaseException:
        close(client)
        raise
    return client


def _keepalive(sock: socket.socket) -> None:
    """TCP keep-alive, so a server that vanished without closing is noticed during a long IDLE."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    for name, value in (("TCP_KEEPIDLE", 60), ("TCP_KEEPINTVL", 15), ("TCP_KEEPCNT", 4)):
        if hasattr(socket, name):
            sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, name), value)


def close(client: IMAPClient) -> None:
    """Log out politely when the server answers quickly, else just drop the connection."""
    try:
        client.socket().settimeout(2.0)
        client.logout()
    except Exception:
        try:
            client.shutdown()
        except Exception:
            log.debug("imap: closing the connection failed", exc_info=True)


def is_bye(response: Any) -> bool:
    return isinstance(response, tuple) and len(response) >= 1 and response[0] == b"BYE"


def peer_closed(sock: socket.socket) -> bool:
    """True when the server closed the connection (imapclient's idle_check hides the EOF)."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return False
        # peek at the TCP stream itself (also under TLS): b"" means the peer closed it
        return socket.socket.recv(sock, 1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True

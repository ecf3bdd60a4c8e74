"""One IMAP connection reading one folder (imapclient, synchronous: it runs in its own thread).
It catches up on every message after the folder's stored position, commits each batch of raw
bytes (fetched with BODY.PEEK[]) together with the new position, only then acknowledges the batch
(\\Seen, or a move to the processed folder), and waits for news with IDLE or by polling."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from imapclient import IMAPClient
from sqlalchemy.orm import Session, sessionmaker

from ventanilla.bot.errors import MalformedMessage
from ventanilla.bot.settings import ImapSettings
from ventanilla.intake.email_parse import parse_email
from ventanilla.intake.imap_connection import ConnectionLost, is_bye, peer_closed
from ventanilla.store import imap_state
from ventanilla.store.crypto import SecretBox
from ventanilla.store.imap_state import FetchedMessage, FolderPosition
from ventanilla.store.write_gate import WriteGate

log = logging.getLogger("ventanilla.intake.imap")
IDLE_RENEW_SECONDS = 25 * 60  # RFC 2177: servers may end an IDLE after 29 minutes
TICK_SECONDS = 0.5  # how soon a stop (or a dead connection) is noticed while waiting
BATCH_MESSAGES = 20  # messages committed together (one transaction, then one acknowledgement)
BATCH_BYTES = 8 * 1024 * 1024
SIZES_PER_FETCH = 500  # UIDs per FETCH of sizes (servers limit a command line to ~64 KB)
SEEN, DELETED = b"\\Seen", b"\\Deleted"
MESSAGE_ID_HEADER = "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"


@dataclass(frozen=True)
class Store:
    """What a folder reader needs from the store."""

    writer: sessionmaker[Session]
    reader: sessionmaker[Session]  # imap_state.read_only(writer)
    box: SecretBox
    gate: WriteGate
    now: Callable[[], datetime]
    stored: Callable[[int], None]  # raw message committed: wake the worker


class FolderReader:
    """Reads `folder` over `client` until `stop` is set (then returns); raises when the connection
    or the store fails, leaving what was not committed unacknowledged on the server."""

    def __init__(
        self, client: IMAPClient, settings: ImapSettings, folder: str, store: Store, stop: threading.Event
    ) -> None:
        self.client = client
        self.settings = settings
        self.folder = folder
        self.store = store
        self.stop = stop
        self.uidvalidity = 0
        self.acked = 0

    def run(self) -> None:
        info = self.client.select_folder(self.folder)
        self.uidvalidity = int(info[b"UIDVALIDITY"])
        moving_to = self.settings.processed_folder
        if moving_to and not self.client.folder_exists(moving_to):
            self.client.create_folder(moving_to)
            log.info("imap: created the processed folder %s", moving_to)
        idle = self.settings.idle and self.client.has_capability("IDLE")
        log.info("imap %s: connected; news by %s", self.folder, "IDLE" if idle else "polling")
        while not self.stop.is_set():
            self._news_reported()  # what the SELECT or earlier commands said is covered below
            self.catch_up()
            if self._news_reported():
                continue  # a message arrived while catching up: the server said so already
            if idle:
                self._idle()
            else:
                self._poll()

    # ----- catching up

    def catch_up(self) -> None:
        """Store and acknowledge every message the folder has after the stored position."""
        position = imap_state.load_position(self.store.reader, self.folder)
        reset = False
        top = 0
        if position is None:
            uids, top = self._first_start()
            base = FolderPosition(self.uidvalidity, 0, 0)
        elif position.uidvalidity != self.uidvalidity:
            log.warning(
                "imap %s: UIDVALIDITY changed from %d to %d; reading the folder again, skipping "
                "messages already handled (by Message-ID)",
                self.folder,
                position.uidvalidity,
                self.uidvalidity,
            )
            uids, reset = self.client.search(["ALL"]), True
            base = FolderPosition(self.uidvalidity, 0, 0)
        else:
            base = position
            self.acked = max(self.acked, position.acked_uid)
            self._acknowledge_leftovers(position)
            uids = [
                uid
                for uid in self.client.search(["UID", f"{position.last_uid + 1}:*"])
                if uid > position.last_uid
            ]
        last = self._take(sorted(uids), base, reset) if uids else base.last_uid
        if last is not None and top > last:  # first start: read mail up to `top` is not taken
            self._save(FolderPosition(self.uidvalidity, top, top))

    def _first_start(self) -> tuple[list[int], int]:
        """Before any position is stored: every message when processed mail is moved away, else
        those not yet \\Seen (read mail was handled by people before ventanilla ran)."""
        everything = self.client.search(["ALL"])
        top = max(everything, default=0)
        taken = everything if self.settings.processed_folder else self.client.search(["UNSEEN"])
        taken = [uid for uid in taken if uid <= top]
        log.info("imap %s: first start; taking %d message(s)", self.folder, len(taken))
        return taken, top

    def _acknowledge_leftovers(self, position: FolderPosition) -> None:
        """Messages stored before an interruption but not yet acknowledged are acknowledged now."""
        if position.last_uid <= position.acked_uid:
            return
        span = ["UID", f"{position.acked_uid + 1}:{position.last_uid}"]
        criteria = span if self.settings.processed_folder else ["UNSEEN", *span]
        found = [uid for uid in self.client.search(criteria) if position.acked_uid < uid <= position.last_uid]
        if found:
            log.info(
                "imap %s: acknowledging %d message(s) stored before an interruption", self.folder, len(found)
            )
            self._acknowledge(found)

    def _take(self, uids: list[int], base: FolderPosition, reset: bool) -> int | None:
        """Store and acknowledge `uids` batch by batch; the last UID reached, None when stopped."""
        last = base.last_uid
        for start in range(0, len(uids), SIZES_PER_FETCH):  # command lines stay short
            chunk = uids[start : start + SIZES_PER_FETCH]
            sizes = self.client.fetch(chunk, ["RFC822.SIZE"])
            for batch in _batches([uid for uid in chunk if uid in sizes], sizes):
                if self.stop.is_set():
                    return None
                last = self._store_batch(batch, last, reset)
        if max(uids) > last:  # messages expunged meanwhile: move past them all the same
            last = max(uids)
            self._save(FolderPosition(self.uidvalidity, last, self.acked))
        return last

    def _store_batch(self, batch: list[int], last: int, reset: bool) -> int:
        """Commit `batch` with the folder's new position, then acknowledge it; the new last UID."""
        wanted = self._unknown(batch) if reset else batch
        fetched = self.client.fetch(wanted, ["BODY.PEEK[]"]) if wanted else {}
        messages = [
            FetchedMessage(uid, bytes(fetched[uid][b"BODY[]"]))
            for uid in wanted
            if uid in fetched and fetched[uid].get(b"BODY[]") is not None
        ]
        if len(messages) < len(wanted):
            log.warning(
                "imap %s: %d message(s) vanished before they could be fetched",
                self.folder,
                len(wanted) - len(messages),
            )
        last = max(last, *batch)
        raw_ids = imap_state.store_fetched(
            self.store.writer,
            self.store.box,
            self.store.gate,
            folder=self.folder,
            position=FolderPosition(self.uidvalidity, last, self.acked),
            messages=messages,
            received_at=self.store.now(),
        )
        for raw_id in raw_ids:
            self.store.stored(raw_id)
        self._acknowledge(batch)
        self.acked = last
        skipped = len(batch) - len(raw_ids)
        log.info(
            "imap %s: stored %d message(s), uid %d-%d%s",
            self.folder,
            len(raw_ids),
            batch[0],
            batch[-1],
            f" ({skipped} already handled or gone)" if skipped else "",
        )
        return last

    def _unknown(self, batch: list[int]) -> list[int]:
        """After a UIDVALIDITY change: the messages of `batch` whose Message-ID was never handled."""
        headers = self.client.fetch(batch, [MESSAGE_ID_HEADER])
        ids: dict[int, str] = {}
        for uid, data in headers.items():
            block = next((v for k, v in data.items() if k.startswith(b"BODY[HEADER")), None)
            found = _message_id(bytes(block)) if block is not None else None
            if found:
                ids[uid] = found
        known = imap_state.known_message_ids(self.store.reader, ids.values())
        return [uid for uid in batch if ids.get(uid) not in known]

    def _acknowledge(self, uids: Sequence[int]) -> None:
        if not uids:
            return
        target = self.settings.processed_folder
        if not target:
            self.client.add_flags(uids, [SEEN], silent=True)
        elif self.client.has_capability("MOVE"):
            self.client.move(uids, target)
        else:
            self.client.copy(uids, target)
            self.client.add_flags(uids, [DELETED], silent=True)
            if self.client.has_capability("UIDPLUS"):
                self.client.uid_expunge(uids)
            else:
                self.client.expunge()

    def _save(self, position: FolderPosition) -> None:
        imap_state.save_position(self.store.writer, self.store.gate, self.folder, position, self.store.now())

    # ----- waiting for news

    def _news_reported(self) -> bool:
        """Whether the server reported new messages (EXISTS) in answers to earlier commands; the
        report is consumed. imapclient keeps such untagged answers in its imaplib object."""
        untagged: dict[str, list[Any]] = self.client._imap.untagged_responses
        return untagged.pop("EXISTS", None) is not None

    def _idle(self) -> None:
        """IDLE until the folder has news, the IDLE is due for renewal, or stop is set."""
        self.client.idle()
        log.debug("imap %s: waiting for news (IDLE)", self.folder)
        deadline = time.monotonic() + IDLE_RENEW_SECONDS
        while not self.stop.is_set() and time.monotonic() < deadline:
            responses = self.client.idle_check(timeout=TICK_SECONDS)
            if any(is_bye(r) for r in responses):
                raise ConnectionLost("the server said BYE")
            if any(len(r) >= 2 and r[1] == b"EXISTS" for r in responses):
                break
            if not responses and peer_closed(self.client.socket()):
                raise ConnectionLost("the server closed the connection")
        self.client.idle_done()

    def _poll(self) -> None:
        """Wait `poll_seconds` (or until stop), then let the server report news."""
        log.debug("imap %s: waiting for news (polling)", self.folder)
        if not self.stop.wait(self.settings.poll_seconds):
            self.client.noop()


def _batches(uids: list[int], sizes: dict[int, dict[bytes, Any]]) -> Iterator[list[int]]:
    batch: list[int] = []
    total = 0
    for uid in uids:
        size = int(sizes[uid].get(b"RFC822.SIZE", 0))
        if batch and (len(batch) >= BATCH_MESSAGES or total + size > BATCH_BYTES):
            yield batch
            batch, total = [], 0
        batch.append(uid)
        total += size
    if batch:
        yield batch


def _message_id(header_block: bytes) -> str | None:
    """The Message-ID as the worker records it (parse_email's normal form), or None."""
    headers = header_block.rstrip(b"\r\n") + b"\r\nFrom: x@ventanilla.invalid\r\n\r\n"
    try:
        message = parse_email(headers, source="imap", received_at=datetime.now(UTC))
    except MalformedMessage:
        return None
    return None if message.external_id.endswith("@ventanilla.invalid") else message.external_id

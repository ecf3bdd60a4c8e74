"""SMTP intake throughput of `ventanilla serve` over concurrent connections, next to a bare aiosmtpd
handler that appends and fsyncs each message to a file (the floor for durable intake), measured in
the same run with the same client; plus end-to-end messages/s from `250` to every reply queued (SQLite)
and the peak RSS of the whole `serve` process tree (from /proc). Prints figures; never asserts.

Run: .venv/bin/python benchmarks/smtp_intake.py [--messages N] [--connections C]
Targets (issue): intake ratio >= 0.5 of the floor; end-to-end >= 20 msg/s; peak RSS < 400 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import smtplib
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "ventanilla" / "classifier" / "data"
SUPPORT = "soporte@saacg.example"
PAGE = os.sysconf("SC_PAGE_SIZE")


# ----- the floor: a bare aiosmtpd handler, one fsync per message (run as its own process)


class FsyncHandler:
    def __init__(self, path: Path) -> None:
        self.file = path.open("ab")

    def _append(self, data: bytes) -> None:
        self.file.write(len(data).to_bytes(8, "big") + data)
        self.file.flush()
        os.fsync(self.file.fileno())

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.to_thread(self._append, envelope.original_content or b"")
        return "250 2.0.0 OK"


def bare_server(port: int, path: Path) -> None:
    from aiosmtpd.smtp import SMTP as SmtpServer

    async def main() -> None:
        handler = FsyncHandler(path)
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: SmtpServer(handler, decode_data=False, enable_SMTPUTF8=True), "127.0.0.1", port
        )
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        server.close()
        await server.wait_closed()

    asyncio.run(main())


def intake_server(port: int, folder: Path) -> None:
    """serve's own SMTP edge and store (IntakeHandler + the group-committing RawBatcher on SQLite),
    no worker: what the intake costs by itself, without the worker competing for the database."""
    from ventanilla.bot.app import App
    from ventanilla.bot.settings import settings_from_dict
    from ventanilla.intake.smtp import IntakeHandler, start_smtp_server
    from ventanilla.store.db import upgrade
    from ventanilla.store.raw_batcher import RawBatcher

    app = App(settings_from_dict({"service": {"data_dir": str(folder / "intake-only")}}))
    upgrade(app.engine)

    batcher = RawBatcher(app.sessions, app.box, app.gate)
    batcher.start()

    async def main() -> None:
        handler = IntakeHandler(
            addresses=[SUPPORT],
            max_message_bytes=app.settings.smtp_intake.max_message_bytes,
            sink=batcher,
            clock=app.clock,
        )
        server = await start_smtp_server(handler, "127.0.0.1", port)
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        server.close()
        await server.wait_closed()

    asyncio.run(main())
    batcher.close()
    app.engine.dispose()


# ----- messages and the client


def corpus_messages(count: int) -> list[tuple[str, bytes]]:
    """`count` (sender, raw) pairs from the email requests of the corpus (labels that get a reply),
    each from its own address (the reply rate limit is per recipient) with its own Message-ID."""
    rows: list[dict[str, Any]] = []
    for name in ("dev.jsonl", "train.jsonl"):
        path = CORPUS / name
        if path.is_file():
            rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    rows = [r for r in rows if r.get("label") != "other" and r.get("body")]
    if not rows:
        sys.exit(f"no corpus in {CORPUS}")
    random.Random(11).shuffle(rows)
    messages = []
    for n in range(count):
        row = rows[n % len(rows)]
        sender = f"usuario{n}@municipio{n % 97}.gob.mx"
        msg = EmailMessage(policy=SMTP)
        msg["From"] = sender
        msg["To"] = SUPPORT
        msg["Subject"] = row.get("subject") or "Solicitud de soporte"
        msg["Message-ID"] = f"<bench-{n}-{time.time_ns()}@municipio.gob.mx>"
        msg.set_content(row["body"])
        messages.append((sender, msg.as_bytes()))
    return messages


def blast(port: int, messages: list[tuple[str, bytes]], connections: int) -> tuple[float, float, int]:
    """Send over `connections` concurrent SMTP sessions; (start, end of last 250, accepted)."""
    shares = [messages[i::connections] for i in range(connections)]
    accepted = [0] * connections
    barrier = threading.Barrier(connections + 1)
    ends = [0.0] * connections

    def worker(index: int) -> None:
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
            client.ehlo("bench.local")
            barrier.wait()
            for sender, raw in shares[index]:
                client.mail(sender)
                client.rcpt(SUPPORT)
                code, _ = client.data(raw)
                accepted[index] += code == 250
            ends[index] = time.perf_counter()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    return start, max(ends), sum(accepted)


# ----- process-tree memory


def tree_rss(root: int) -> int:
    """Resident bytes of `root` and all its descendants, read from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read().rsplit(b")", 1)[1].split()
            with open(f"/proc/{entry}/statm", "rb") as fh:
                rss[int(entry)] = int(fh.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
        parents[int(entry)] = int(stat[1])
    wanted, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in wanted:
                wanted.add(child)
                frontier.append(child)
    return sum(rss.get(pid, 0) for pid in wanted)


def vm_hwm(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class RssSampler(threading.Thread):
    def __init__(self, pid: int, every: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.peak = pid, every, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            self.done.wait(self.every)


# ----- helpers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(
    condition: Callable[[], bool], what: str, deadline: float = 300.0, every: float = 0.02
) -> float:
    end = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > end:
            sys.exit(f"timed out waiting for {what}")
        time.sleep(every)
    return time.perf_counter()


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def ventanilla() -> list[str]:
    script = Path(sys.executable).with_name("ventanilla")
    return [str(script)] if script.exists() else [sys.executable, "-m", "ventanilla.bot.cli"]


class Relay:
    """Where `serve` sends its replies: accepts and counts them."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.count = 0
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        return "250 OK"


# ----- the runs


def run_server(
    mode: str, label: str, messages: list[tuple[str, bytes]], connections: int, folder: Path
) -> float:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, __file__, mode, str(port), str(folder)], stdin=subprocess.DEVNULL, cwd=ROOT
    )
    try:
        wait_until(lambda: port_open(port) or process.poll() is not None, label)
        start, end, accepted = blast(port, messages, connections)
    finally:
        stop(process)
    rate = accepted / (end - start)
    print(f"{label:42}: {accepted} accepted in {end - start:6.2f} s = {rate:7.1f} msg/s")
    return rate


def run_serve(messages: list[tuple[str, bytes]], connections: int, folder: Path) -> tuple[float, float, int]:
    relay = Relay()
    relay.controller.start()
    port = free_port()
    data = folder / "data"
    config = folder / "ventanilla.toml"
    config.write_text(
        f'[service]\ndata_dir = "{data}"\nlog_level = "WARNING"\n\n[smtp_intake]\nport = {port}\n\n'
        f"[outbound]\nport = {relay.port}\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("VENTANILLA_")}
    began = time.perf_counter()
    with (folder / "serve.log").open("wb") as log:
        process = subprocess.Popen(
            [*ventanilla(), "--config", str(config), "serve"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            env=env,
        )
    sampler = RssSampler(process.pid)
    sampler.start()
    try:
        ready = wait_until(lambda: port_open(port) or process.poll() is not None, "serve to listen")
        if process.poll() is not None:
            sys.exit(f"serve exited: see {folder / 'serve.log'}")
        print(f"serve  ready to accept after {ready - began:5.2f} s (migrations, model load)")
        database = data / "ventanilla.db"
        start, end, accepted = blast(port, messages, connections)
        intake_rate = accepted / (end - start)
        print(
            f"{'serve  intake (SQLite, worker running)':42}: {accepted} accepted in {end - start:6.2f} s = "
            f"{intake_rate:7.1f} msg/s"
        )
        done = wait_until(lambda: _pending(database) == 0, "the worker to drain", every=0.05)
        replies, latencies = _replies(database)
        e2e_rate = accepted / (done - start)
        print(
            f"{'serve  end to end (250 -> reply queued)':42}: {accepted} handled in {done - start:6.2f} s = "
            f"{e2e_rate:7.1f} msg/s; {replies} replies queued"
        )
        if latencies:
            q = statistics.quantiles(latencies, n=20)
            print(
                f"{'serve  latency 250 -> reply queued':42}: "
                f"p50 {statistics.median(latencies):.2f} s, p95 {q[18]:.2f} s"
            )
        sending = time.perf_counter()
        wait_until(lambda: relay.count >= replies, "the replies to reach the relay", deadline=180, every=0.1)
        delivered = time.perf_counter()
        print(
            f"{'serve  outbox -> relay (after the worker)':42}: {relay.count} delivered, all sent "
            f"{delivered - start:6.2f} s after the first message "
            f"({replies / (delivered - start):5.1f} msg/s; "
            f"{delivered - sending:5.2f} s after the last was queued)"
        )
        hwm = vm_hwm(process.pid)
    finally:
        code = stop(process)
        sampler.done.set()
        sampler.join()
        relay.controller.stop()
    peak = max(sampler.peak, hwm)
    print(f"serve  stopped with exit code {code}; relay received {relay.count} replies")
    return intake_rate, e2e_rate, peak


def _pending(database: Path) -> int:
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as db:
            return int(db.execute("SELECT count(*) FROM raw_messages WHERE status = 'pending'").fetchone()[0])
    except sqlite3.Error:
        return -1


def _replies(database: Path) -> tuple[int, list[float]]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as db:
        rows = db.execute(
            "SELECT r.received_at, o.created_at FROM outbox o "
            "JOIN messages m ON m.ticket_id = o.ticket_id AND m.direction = 'in' "
            "JOIN raw_messages r ON r.id = m.raw_id"
        ).fetchall()
        count = int(db.execute("SELECT count(*) FROM outbox").fetchone()[0])
    latencies = [
        (datetime.fromisoformat(str(out)) - datetime.fromisoformat(str(received))).total_seconds()
        for received, out in rows
    ]
    return count, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=800)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--bare-server", nargs=2, metavar=("PORT", "DIR"), help=argparse.SUPPRESS)
    parser.add_argument("--intake-server", nargs=2, metavar=("PORT", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server:
        bare_server(int(args.bare_server[0]), Path(args.bare_server[1]) / "floor.mbox")
        return
    if args.intake_server:
        intake_server(int(args.intake_server[0]), Path(args.intake_server[1]))
        return
    messages = corpus_messages(args.messages)
    size = sum(len(raw) for _, raw in messages) / len(messages)
    print(
        f"{len(messages)} corpus messages (mean {size:.0f} bytes) over {args.connections} concurrent "
        f"SMTP connections; {os.cpu_count()} CPUs"
    )
    with tempfile.TemporaryDirectory(prefix="ventanilla-bench-") as tmp:
        folder = Path(tmp)
        floor = run_server(
            "--bare-server", "floor  bare aiosmtpd + fsync per message", messages, args.connections, folder
        )
        alone = run_server(
            "--intake-server", "intake alone (serve's handler + store)", messages, args.connections, folder
        )
        intake, e2e, peak = run_serve(messages, args.connections, folder)
    print()
    print(f"intake ratio serve / floor : {intake / floor:5.2f}   (target >= 0.5)")
    print(f"intake ratio alone / floor : {alone / floor:5.2f}   (the intake without the worker competing)")
    print(f"end to end                 : {e2e:5.1f} msg/s (target >= 20)")
    print(f"peak RSS of serve tree     : {peak / 2**20:5.0f} MB (target < 400)")


if __name__ == "__main__":
    main()

"""Memory of `ventanilla serve` (its whole process tree) while it takes one big message over SMTP
intake and answers it: the peak resident size next to the same serve idle, so the figure reads as
"how many times the message is held at once". Prints figures; never asserts.

Run: .venv/bin/python benchmarks/big_message.py [--mib N]   (default: a 20 MiB message)
"""

from __future__ import annotations

import argparse
import os
import smtplib
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from smtp_intake import SUPPORT, Relay, RssSampler, free_port, port_open, tree_rss, ventanilla, wait_until

BODY = "Buenos días, adjunto el respaldo de la base de datos que me pidieron. Versión 2026.\n"


def big_message(mib: int) -> bytes:
    """A request with one attachment, sized so the whole message on the wire is about `mib` MiB."""
    msg = EmailMessage(policy=SMTP)  # CRLF line ends, as every MTA sends
    msg["From"] = "Laura Méndez <contabilidad@municipio.gob.mx>"
    msg["To"] = SUPPORT
    msg["Subject"] = "Respaldo de la base de datos"
    msg.set_content(BODY)
    attachment = os.urandom(mib * 1024 * 1024 * 3 // 4)  # base64 grows it by 4/3
    msg.add_attachment(attachment, maintype="application", subtype="octet-stream", filename="respaldo.bak")
    return msg.as_bytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--mib", type=int, default=20)
    args = parser.parse_args()
    raw = big_message(args.mib)
    with tempfile.TemporaryDirectory(prefix="ventanilla-big-") as tmp:
        folder, relay, port = Path(tmp), Relay(), free_port()
        relay.controller.start()
        config = folder / "ventanilla.toml"
        config.write_text(
            f'[service]\ndata_dir = "{folder / "data"}"\nlog_level = "WARNING"\n\n'
            f"[smtp_intake]\nport = {port}\n\n[outbound]\nport = {relay.port}\n",
            encoding="utf-8",
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("VENTANILLA_")}
        with (folder / "serve.log").open("wb") as log:
            process = subprocess.Popen(
                [*ventanilla(), "--config", str(config), "serve"], stdout=log, stderr=log, env=env
            )
        try:
            wait_until(lambda: port_open(port) or process.poll() is not None, "serve to listen")
            time.sleep(1.0)
            idle = tree_rss(process.pid)
            sampler = RssSampler(process.pid, every=0.01)
            sampler.start()
            began = time.perf_counter()
            with smtplib.SMTP("127.0.0.1", port) as client:
                client.sendmail("contabilidad@municipio.gob.mx", [SUPPORT], raw)
            accepted = time.perf_counter()
            at_250 = sampler.peak
            wait_until(lambda: relay.count >= 1, "the reply", deadline=120)
            replied = time.perf_counter()
            time.sleep(0.5)
            sampler.done.set()
            sampler.join()
        finally:
            process.terminate()
            process.wait(timeout=60)
            relay.controller.stop()
    size, peak = len(raw) / 2**20, sampler.peak / 2**20
    print(f"one message of {size:.1f} MiB through serve (SMTP intake -> ticket -> reply):")
    print(f"  250 after {accepted - began:.2f} s; reply at the relay after {replied - began:.2f} s")
    by_250 = at_250 / 2**20
    print(f"  serve tree idle {idle / 2**20:.0f} MiB, peak {peak:.0f} MiB ({by_250:.0f} MiB by the 250)")
    print(f"  growth {peak - idle / 2**20:.0f} MiB = {(peak - idle / 2**20) / size:.1f} x the message")


if __name__ == "__main__":
    main()

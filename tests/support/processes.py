"""Start the real simulator and exporter as separate processes, the way users run them."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from exporter.config import DEMO_TOKEN
from tests.support.ports import free_port
from tests.support.wait import running, until_sync


@dataclass
class Process:
    popen: subprocess.Popen[bytes]
    url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> None:
        """SIGKILL: no cleanup, like a crash or an OOM kill."""
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=5)
        return self.popen.returncode


async def stop_child(process: asyncio.subprocess.Process, grace: float = 10) -> None:
    """SIGTERM an asyncio child still running, SIGKILL it after ``grace`` s, and reap it."""
    if process.returncode is not None:
        return
    process.terminate()
    try:
        await asyncio.wait_for(process.wait(), grace)
    except TimeoutError:
        process.kill()
        await process.wait()


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:  # an answer too; closed, or its socket leaks
        with error:
            return error.code


def wait_http(url: str, *, timeout: float = 60.0, process: Process | None = None) -> None:
    """Poll ``url`` until it answers 200; fail early (with its log) if ``process`` exits."""
    until_sync(
        lambda: _status(url),
        lambda code: code == 200,
        within=timeout,
        what=f"{url} answers 200",
        ignore=(urllib.error.URLError, ConnectionError, TimeoutError),
        alive=None if process is None else running(process.popen, process.log),
    )


def _start(args: Sequence[str], env: Mapping[str, str], log_path: Path, url: str) -> Process:
    log_file = log_path.open("wb")
    popen = subprocess.Popen(
        [sys.executable, "-m", "exporter", *args],
        env={**os.environ, **env},
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    log_file.close()
    return Process(popen, url, log_path)


@contextmanager
def simulator_process(
    tmp_path: Path, *, sites: int = 50, seed: int = 1, extra: Sequence[str] = ()
) -> Iterator[Process]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = _start(
        ["simulate", "--sites", str(sites), "--seed", str(seed), "--port", str(port), *extra],
        {},
        tmp_path / f"simulator-{port}.log",
        url,
    )
    try:
        wait_http(f"{url}/__sim/stats", process=proc)
        yield proc
    finally:
        proc.stop()


def exporter_env(simulator_url: str, *, redis_url: str | None = None) -> dict[str, str]:
    env = {"MIST_HOST": simulator_url, "MIST_APITOKEN": DEMO_TOKEN}
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def start_exporter(
    tmp_path: Path,
    env: Mapping[str, str],
    *,
    args: Sequence[str] = (),
    port: int | None = None,
) -> Process:
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    return _start(
        ["run", "--web.listen-address", f"127.0.0.1:{port}", *args],
        env,
        tmp_path / f"exporter-{port}.log",
        url,
    )


def start_demo(tmp_path: Path, *args: str) -> Process:
    """``mist-wan-exporter demo`` (simulator and exporter in one process) on a free port."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    listen = ["--web.listen-address", f"127.0.0.1:{port}"]
    return _start(["demo", *listen, *args], {}, tmp_path / f"demo-{port}.log", url)


@contextmanager
def exporter_process(
    tmp_path: Path,
    env: Mapping[str, str],
    *,
    args: Sequence[str] = (),
    ready: bool = True,
) -> Iterator[Process]:
    proc = start_exporter(tmp_path, env, args=args)
    try:
        wait_http(f"{proc.url}/{'readyz' if ready else 'healthz'}", timeout=60, process=proc)
        yield proc
    finally:
        proc.stop()

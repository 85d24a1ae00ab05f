"""A real redis-server for tests: a free loopback port, its own directory, no persistence."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import redis

from tests.support.ports import free_port
from tests.support.wait import running, until_sync


class RedisServer:
    """One redis-server process that tests can stop, kill and start again on the same port."""

    def __init__(self, directory: Path) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            raise RuntimeError("redis-server is not installed (make system-deps installs it)")
        self.executable = executable
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def client(self) -> redis.Redis:
        return redis.Redis(
            host="127.0.0.1", port=self.port, decode_responses=True, socket_timeout=2
        )

    def start(self, timeout: float = 30.0) -> None:
        """Start the server and wait until it answers PING."""
        args = [self.executable, "--port", str(self.port), "--bind", "127.0.0.1"]
        args += ["--save", "", "--appendonly", "no", "--dir", str(self.directory)]
        self.process = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.directory
        )
        try:
            until_sync(
                self._ping,
                within=timeout,
                what=f"redis-server answers PING on port {self.port}",
                every=0.02,
                ignore=(redis.ConnectionError,),
                alive=running(self.process),
            )
        except (TimeoutError, AssertionError):
            self.stop()
            raise

    def _ping(self) -> bool:
        with self.client() as client:
            return bool(client.ping())

    def stop(self) -> None:
        """Terminate the server (its data is gone: nothing is persisted)."""
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def kill(self) -> None:
        """SIGKILL, as a crash or an OOM kill would."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

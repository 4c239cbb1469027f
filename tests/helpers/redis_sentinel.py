"""A private Redis master, its replica and a Sentinel watching them, each on a free port in a temporary directory."""

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import redis

from tests.helpers.servers import free_port, wait_for_port

MASTER = "catalog"


class SentinelSet:
    """`redis-server` master and replica, and one `redis-server --sentinel` (quorum 1) that fails over after
    `down_after_ms` of silence. kill_master() kills the master outright (SIGKILL), as a crash would."""

    def __init__(self, *, down_after_ms: int = 1000):
        self.down_after_ms = down_after_ms
        self.workdir = Path(tempfile.mkdtemp(prefix="catalog-sentinel-"))
        self.ports = {"master": free_port(), "replica": free_port(), "sentinel": free_port()}
        self.processes: dict[str, subprocess.Popen] = {}

    @property
    def sentinels(self) -> str:
        return f"127.0.0.1:{self.ports['sentinel']}"

    def env(self) -> dict:
        """What a process of the project needs to use this set (settings: REDIS_SENTINELS)."""
        return {"REDIS_URL": None, "REDIS_SENTINELS": self.sentinels, "REDIS_SENTINEL_MASTER": MASTER}

    def _redis(self, name: str, *args: str) -> None:
        command = ["redis-server", "--port", str(self.ports[name]), "--bind", "127.0.0.1", "--dir", str(self.workdir)]
        self.processes[name] = subprocess.Popen(
            [*command, "--save", "", "--appendonly", "no", *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for_port(self.ports[name])

    def start(self) -> "SentinelSet":
        self._redis("master")
        self._redis("replica", "--replicaof", "127.0.0.1", str(self.ports["master"]))
        conf = self.workdir / "sentinel.conf"
        conf.write_text(
            "\n".join(
                [
                    f"port {self.ports['sentinel']}",
                    "bind 127.0.0.1",
                    f"dir {self.workdir}",
                    f"sentinel monitor {MASTER} 127.0.0.1 {self.ports['master']} 1",
                    f"sentinel down-after-milliseconds {MASTER} {self.down_after_ms}",
                    f"sentinel failover-timeout {MASTER} 10000",
                    f"sentinel parallel-syncs {MASTER} 1",
                ]
            )
            + "\n"
        )
        self.processes["sentinel"] = subprocess.Popen(
            ["redis-server", str(conf), "--sentinel"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for_port(self.ports["sentinel"])
        self.wait_until(lambda: self.client("replica").info("replication").get("master_link_status") == "up")
        self.wait_until(lambda: self.sentinel().execute_command("SENTINEL", "REPLICAS", MASTER))
        return self

    def client(self, name: str) -> redis.Redis:
        return redis.Redis(port=self.ports[name], socket_timeout=2)

    def sentinel(self) -> redis.Redis:
        return redis.Redis(port=self.ports["sentinel"], socket_timeout=2)

    def master_port(self) -> int:
        host, port = self.sentinel().execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER)
        return int(port)

    def kill_master(self) -> None:
        process = self.processes.pop("master")
        process.kill()
        process.wait(10)

    def wait_for_promotion(self, timeout: float = 30) -> float:
        """Wait until the Sentinel names the replica as master; returns when (time.monotonic())."""
        self.wait_until(lambda: self.master_port() == self.ports["replica"], timeout=timeout)
        return time.monotonic()

    @staticmethod
    def wait_until(check, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if check():
                    return
            except redis.RedisError:
                pass
            time.sleep(0.05)
        raise RuntimeError("the Redis set did not get there in time")

    def stop(self) -> None:
        for process in self.processes.values():
            process.kill()
            process.wait(10)
        self.processes.clear()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

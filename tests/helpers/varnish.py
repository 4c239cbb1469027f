"""A real varnishd with the shipped VCL (deploy/varnish/catalog.vcl), in a temporary directory, on a free port."""

import contextlib
import dataclasses
import http.server
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.helpers.servers import ROOT, free_port, wait_for_port

VCL = ROOT / "deploy" / "varnish" / "catalog.vcl"


class Varnish:
    """varnishd in the foreground, its work directory (-n) and backend.vcl in a temporary directory.

    `backend_port` is the web server's (backend.vcl says `backend default { … }`); `port` may be
    chosen before the web server starts, since the web server purges it (CATALOG_EDGE_PURGE_URLS).
    """

    def __init__(self, backend_port: int, *, port: int | None = None, backend_vcl: str | None = None):
        self.port = port or free_port()
        self.backend_port = backend_port
        self.backend_vcl = backend_vcl or f'backend default {{ .host = "127.0.0.1"; .port = "{backend_port}"; }}\n'
        self.workdir = None
        self.process = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Varnish":
        if not shutil.which("varnishd"):
            raise RuntimeError("varnishd is needed (Debian packages varnish and varnish-modules)")
        self.workdir = Path(tempfile.mkdtemp(prefix="catalog-varnish-"))
        (self.workdir / "backend.vcl").write_text(self.backend_vcl)
        self.process = subprocess.Popen(
            [
                "varnishd",
                "-F",
                "-j",
                "none",  # no privilege separation: the work directory is ours
                "-n",
                str(self.workdir / "n"),
                "-a",
                f"127.0.0.1:{self.port}",
                "-T",
                "127.0.0.1:0",
                "-f",
                str(VCL),
                "-p",
                f"vcl_path={self.workdir}:/usr/share/varnish/vcl",
                "-p",
                "thread_pools=1",
                "-p",
                "thread_pool_min=10",
                "-s",
                "malloc,64m",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(self.port, 60)
        except RuntimeError:
            self.stop()
            output = self.process.stdout.read().decode(errors="replace") if self.process.stdout else ""
            raise RuntimeError(f"varnishd did not start: {output[-3000:]}") from None
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 301 is an answer to look at, not to follow


_opener = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, *, method: str = "GET", headers=None, body: bytes | None = None, timeout: float = 15):
    """(status, headers, body) of one request, redirects not followed; HTTP errors are answers too."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def until(check, *, timeout: float = 10, every: float = 0.05):
    """Call `check` until it returns something true (returned) or `timeout` seconds pass (None)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(every)


@contextlib.contextmanager
def varnish(backend_port: int, **kwargs):
    with Varnish(backend_port, **kwargs) as server:
        yield server


@dataclasses.dataclass
class Asked:
    method: str
    path: str
    headers: dict
    body: bytes


class Scripted:
    """An HTTP server in a thread that answers each path as told in `routes`: (status, headers, body, seconds
    to wait first), else `reply` (status, body); it records every request (a backend for the edge, a CDN's
    API). Use it as a context manager, or close() it."""

    def __init__(self):
        self.routes: dict[str, tuple] = {}
        self.reply = (200, b"{}")
        self.asked: list[Asked] = []
        scripted = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                scripted.asked.append(Asked(self.command, self.path, dict(self.headers), body))
                default = (scripted.reply[0], {}, scripted.reply[1], 0)
                status, headers, body, delay = scripted.routes.get(self.path, default)
                time.sleep(delay)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_PURGE = do_GET  # noqa: N815

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def times(self, path: str) -> int:
        return sum(1 for asked in self.asked if asked.path == path)

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

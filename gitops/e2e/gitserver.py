"""A git smart-HTTP server on 127.0.0.1 (git's own git-http-backend behind http.server), push enabled.

    with GitServer(tmp / "git") as server:
        url = server.create_repo("fleet")        # http://127.0.0.1:PORT/fleet.git, empty, branch main
        run(["git", "push", url, "HEAD:main"], cwd=work)

Serves every bare repository under its root; runs in a daemon thread of this process. It binds to
127.0.0.1 unless a backend needs another local address (kind: the Docker network's gateway).
"""

from __future__ import annotations

import os
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from gitops.command import run
from gitops.e2e.procs import cgi
from gitops.errors import ToolError


def http_backend() -> str:
    out = run(["git", "--exec-path"], what="git --exec-path").stdout.strip()
    backend = Path(out) / "git-http-backend"
    if not backend.is_file():
        raise ToolError(f"git-http-backend not found in {out}; install git (Debian package `git`)")
    return str(backend)


class GitServer:
    def __init__(self, root: Path, host: str = "127.0.0.1") -> None:
        self.root = root
        self.host = host
        self.backend = ""
        self.httpd: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self.httpd is not None, "GitServer not started"
        return f"http://{self.host}:{self.httpd.server_address[1]}"

    def __enter__(self) -> GitServer:
        self.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.backend = http_backend()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self.serve()

            def do_POST(self) -> None:
                self.serve()

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's name
                return

            def body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                        if size == 0:
                            self.rfile.readline()
                            return b"".join(chunks)
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def serve(self) -> None:
                parts = urlsplit(self.path)
                data = self.body()
                env = {
                    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                    "GIT_PROJECT_ROOT": str(server.root),
                    "GIT_HTTP_EXPORT_ALL": "1",
                    "REMOTE_USER": "e2e",
                    "REMOTE_ADDR": self.client_address[0],
                    "REQUEST_METHOD": self.command,
                    "PATH_INFO": parts.path,
                    "QUERY_STRING": parts.query,
                    "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                    "CONTENT_LENGTH": str(len(data)),
                    "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
                    "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
                }
                raw = cgi([server.backend], env, data)
                head, _, payload = raw.partition(b"\r\n\r\n")
                if not _:
                    head, _, payload = raw.partition(b"\n\n")
                status = 200
                headers: list[tuple[str, str]] = []
                for line in head.decode(errors="replace").splitlines():
                    key, _, value = line.partition(":")
                    if key.lower() == "status":
                        status = int(value.strip().split()[0])
                    elif key:
                        headers.append((key.strip(), value.strip()))
                self.send_response(status)
                for key, value in headers:
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer((self.host, 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="e2e-git-server", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def create_repo(self, name: str) -> str:
        """An empty bare repository accepting pushes; returns its clone URL."""
        path = self.root / f"{name}.git"
        if path.exists():
            shutil.rmtree(path)
        run(["git", "init", "--quiet", "--bare", "--initial-branch=main", str(path)], what="git init --bare")
        run(["git", "config", "http.receivepack", "true"], cwd=path, what="git config http.receivepack")
        return f"{self.base_url}/{name}.git"

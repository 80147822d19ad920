"""Runs the app under uvicorn, in one process or several sharing one listening socket.

With several workers uvicorn binds the shared socket itself, as `socket.socket(family)`: protocol 0, not
`IPPROTO_TCP`. asyncio sets `TCP_NODELAY` only on connections accepted from a socket whose protocol says TCP, so
each worker's connections kept Nagle's algorithm on. A response's headers and body go out as two writes; the
body then waited for the client's delayed ACK, about 40 ms on Linux, on every keep-alive request after the first
(44 ms per sequential request with 2 workers against 2.9 ms with 1, docs/performance.md). Here the socket is
bound as uvicorn binds it and then named a TCP socket, so the workers' connections get `TCP_NODELAY` as a single
process's do.
"""

from __future__ import annotations

import socket
import sys

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

APP = "wrenchwork.app:create_app"
# uvicorn's supervisor restarts a worker that does not answer its ping within this many seconds, starting ones
# included. Its default of 5 s is shorter than a new worker's start on a busy 2-core machine (over a minute was
# seen): workers were killed half-started, over and over, and the server never came up.
WORKER_HEALTHCHECK_S = 60


class TcpConfig(uvicorn.Config):
    """uvicorn's configuration, with the listening socket it binds for several workers marked as TCP."""

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.proto == socket.IPPROTO_TCP:
            return sock
        # The same bound socket (the same file descriptor), declared with its protocol.
        tcp = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        tcp.set_inheritable(True)
        return tcp


def config(host: str, port: int, workers: int) -> TcpConfig:
    return TcpConfig(
        APP,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
        access_log=False,
        log_level="warning",
        proxy_headers=False,
    )


def run(host: str, port: int, workers: int) -> None:
    """Serves until interrupted, as `uvicorn.run` does with these settings; exits with uvicorn's startup-failure
    status when the single server process could not start."""
    settings = config(host, port, workers)
    server = uvicorn.Server(settings)
    try:
        if settings.workers > 1:
            Multiprocess(settings, sockets=[settings.bind_socket()]).run()
            return
        server.run()
    except KeyboardInterrupt:
        pass
    if settings.workers == 1 and not server.started:
        sys.exit(STARTUP_FAILURE)

"""`policylang serve` started as a process on loopback, for tests and the load benchmark.

Takes: the options of `policylang serve` (not `--port`, which is chosen here) and how long to wait.
Returns: `started(*options)`, the process and its port once `GET /healthz` answers 200.
Guarantees: binds 127.0.0.1 only; a service that exits or does not answer in time is killed,
and `ServiceDidNotStart` carries the end of what it wrote to standard error.
"""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import time

HOST = "127.0.0.1"


class ServiceDidNotStart(Exception):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def started(*options: str, timeout: float = 60) -> tuple[subprocess.Popen, int]:
    """`policylang serve OPTIONS` on a free port of loopback, once it answers `/healthz`."""
    port = free_port()
    service = subprocess.Popen([sys.executable, "-m", "policylang", "serve", "--host", HOST, "--port", str(port),
                                *options], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    while True:
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            try:
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return service, port
            finally:
                connection.close()
        except OSError:
            pass
        if service.poll() is not None or time.monotonic() > deadline:
            service.kill()
            raise ServiceDidNotStart("the service did not start: " + service.stderr.read().decode()[-2000:])
        time.sleep(0.1)

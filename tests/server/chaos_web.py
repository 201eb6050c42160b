"""The chaos test's web process: the chaos app on a threaded WSGI server, stopped gracefully
by SIGTERM (requests in flight finish, then the interpreter exits normally, so the inline
pool finishes the attempt it is in and leaves the rest pending), or killed by SIGKILL.

`python -m tests.server.chaos_web PORT`, with the chaos settings' environment.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.server.chaos_settings")

import django

django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402

from analytix_frontend.server import inline  # noqa: E402

# One sending thread: the test kills this process while that thread's request is held at the
# vendor, so no other attempt of this process is between its claim and the vendor.
inline.THREADS = int(os.environ.get("ANALYTIX_CHAOS_THREADS", "1"))
if os.environ.get("ANALYTIX_CHAOS_DISPATCH") == "celery":
    import tests.server.celery_app  # noqa: F401  (the project's Celery app, as in a real site)


class Server(ThreadingMixIn, WSGIServer):
    daemon_threads = False
    block_on_close = True  # a graceful stop lets the requests in flight finish


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def main() -> None:
    server = make_server(
        "127.0.0.1", int(sys.argv[1]), get_wsgi_application(), Server, QuietHandler
    )
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    server.serve_forever()
    server.server_close()


if __name__ == "__main__":
    main()

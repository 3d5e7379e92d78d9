"""A real HTTP receiver for webhook tests, and the worker run until a delivery's retries are done."""

import dataclasses
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from webhooks.tasks import deliver
from worker.retry import policy_for, retrying


@dataclasses.dataclass
class Received:
    path: str
    headers: dict
    body: bytes


class Receiver:
    """
    An HTTP server on 127.0.0.1 (a random port, its own thread) that records every request. `answers` is a
    list of (status, seconds to wait before answering) used in order; after it runs out: 200 at once.
    `check`, if set, is called with each Received: when it returns False the answer is 401.
    """

    def __init__(self):
        self.received = []
        self.answers = []
        self.check = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received = Received(self.path, dict(self.headers.items()), body)
                receiver.received.append(received)
                if receiver.check is not None and not receiver.check(received):
                    status, wait = 401, 0
                else:
                    status, wait = receiver.answers.pop(0) if receiver.answers else (200, 0)
                time.sleep(wait)
                reply = f"answer {status}".encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def allow_private_networks(settings):
    """Let deliveries reach 127.0.0.1 past the SSRF guard (off by default, as in production)."""
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True


@pytest.fixture
def receiver(allow_private_networks):
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def fast_retries():
    """The delivery task's real retry policy with its delays cut to milliseconds (same attempt count)."""
    original = policy_for(deliver.module_path)
    retrying(max_attempts=settings.WEBHOOK_MAX_ATTEMPTS, base_delay=0.01, max_delay=0.02, jitter=0)(deliver)
    yield
    retrying(**dataclasses.asdict(original))(deliver)


@pytest.fixture
def deliver_all(worker, django_capture_on_commit_callbacks):
    """Run the worker as retries fall due until no delivery task waits (on-commit work included)."""

    def run(timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with django_capture_on_commit_callbacks(execute=True):
                worker()
            waiting = DBTaskResult.objects.filter(
                task_path=deliver.module_path, status=TaskResultStatus.READY
            ).exists()
            if not waiting:
                return
            time.sleep(0.02)
        raise AssertionError("webhook deliveries still waiting after the timeout")

    return run

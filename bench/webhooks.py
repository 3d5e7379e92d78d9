"""
Webhook delivery throughput (issue 17): N deliveries through the real worker to a local receiver vs N
direct urllib POSTs of the same body to the same receiver, in the same run.

    .venv/bin/python bench/webhooks.py [--deliveries 1000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_hooks .venv/bin/python bench/webhooks.py

The receiver is a ThreadingHTTPServer on 127.0.0.1 in this process (its own thread), answering 200.
1. Baseline: N urllib.request POSTs of one delivery's signed body, one after another, from this process.
2. Enqueue: N Delivery rows (one bulk INSERT) and N deliver.enqueue() (one INSERT each), as the article
   signals do.
3. Worker: one `manage.py db_worker --batch` process sends them all (load the row, sign, POST, record the
   attempt, reset the endpoint's counter, record the task result), timed from its start (Django set-up
   included) to its exit. Every delivery must have succeeded and the receiver must have had 2N requests.

Without DATABASE_URL it uses a temporary SQLite file (migrated first); with one, that database must exist
(it is migrated, and its webhook and task rows are deleted before the run).
"""

import argparse
import os
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measuring import migrated_django  # noqa: E402 (after the path)


class Receiver(BaseHTTPRequestHandler):
    count = 0
    lock = threading.Lock()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with Receiver.lock:
            Receiver.count += 1
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def article_document(n):
    """A delivery body of a typical size (~3 KB), shaped as the API's article JSON (webhooks/payload.py)."""
    return {
        "event": "published",
        "occurred_at": "2026-12-07T10:00:00+00:00",
        "article": {
            "id": n,
            "headline": f"Council approves the new bridge, story {n}",
            "slug": f"story-{n}",
            "dek": "The vote ends a decade of debate.",
            "body": "<p>" + "The council voted seven to two on Monday evening. " * 50 + "</p>",
            "status": "published",
            "section": {"id": 1, "name": "Local", "slug": "local", "description": ""},
            "authors": [{"id": 1, "name": "Ana Reporter", "slug": "ana-reporter", "role": "reporting"}],
            "tags": [{"name": "Bridge", "slug": "bridge"}, {"name": "Council", "slug": "council"}],
            "lead_image": None,
            "published_at": "2026-12-07T10:00:00Z",
            "updated_at": None,
            "version": 3,
            "url": f"https://news.example.com/2026/12/07/story-{n}/",
        },
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--deliveries", type=int, default=1000)
    args = parser.parse_args()
    # The receiver is on 127.0.0.1: allow it past the SSRF guard, here and in the worker process.
    os.environ["WEBHOOKS_ALLOW_PRIVATE_NETWORKS"] = "1"
    env = migrated_django("webhooks")
    from django_tasks_db.models import DBTaskResult

    from webhooks.models import Delivery, Endpoint
    from webhooks.tasks import deliver, encode, signature

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"

    Endpoint.objects.all().delete()
    DBTaskResult.objects.filter(task_path=deliver.module_path).delete()
    endpoint = Endpoint.objects.create(name="Bench receiver", url=url, events=["published"])
    n = args.deliveries

    body = encode(article_document(0))
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Newsroom-Event": "published",
        "X-Newsroom-Delivery": "0",
        "X-Newsroom-Timestamp": timestamp,
        "X-Newsroom-Signature": signature(endpoint.secret, timestamp, body),
    }
    start = time.perf_counter()
    for _ in range(n):
        request = urllib.request.Request(url, data=body, method="POST", headers=headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
    baseline = time.perf_counter() - start

    start = time.perf_counter()
    deliveries = Delivery.objects.bulk_create(
        Delivery(endpoint=endpoint, event="published", article_id=i, payload=article_document(i))
        for i in range(n)
    )
    for delivery in deliveries:
        deliver.enqueue(delivery.pk)
    enqueue = time.perf_counter() - start

    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    worker = time.perf_counter() - start
    server.shutdown()
    done = Delivery.objects.filter(endpoint=endpoint, status=Delivery.Status.SUCCEEDED, attempts=1).count()
    assert done == n, f"{done} of {n} deliveries succeeded"
    assert Receiver.count == 2 * n, f"the receiver had {Receiver.count} requests, not {2 * n}"

    from django.db import connection

    vendor = connection.vendor
    print(f"{n} webhook deliveries (~{len(body):,} bytes each) to a local receiver, on {vendor}")
    print(f"  direct urllib POSTs {baseline * 1000:9.1f} ms  {n / baseline:8,.0f} /s  (baseline)")
    print(f"  create + enqueue    {enqueue * 1000:9.1f} ms  {n / enqueue:8,.0f} /s")
    print(
        f"  worker (1 process)  {worker * 1000:9.1f} ms  {n / worker:8,.0f} /s  "
        f"(ratio to the baseline's rate: {baseline / worker:.2f}; {worker / n * 1000:.2f} ms per delivery)"
    )


if __name__ == "__main__":
    main()

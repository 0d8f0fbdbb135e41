"""`GET /api/tasks/{id}` latency under local load against `reel serve` (issue 4), with python3 threads:
closed-loop clients on keep-alive connections, each request timed from send to last body byte."""

import http.client
import os
import random
import signal
import socket
import subprocess
import threading
import time

from .measure import percentile
from .report import Metric

CLIENTS = 8


def serve_available(reel):
    """None when `reel serve` exists in this build, else why the measurement is pending."""
    proc = subprocess.run([reel, "serve", "--help"], capture_output=True, text=True)
    if proc.returncode != 0 or "reel serve" not in proc.stdout:
        return "pending issue 4: `reel serve` is not in this build"
    return None


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(port, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"reel serve exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("reel serve did not answer /healthz")


def _client(port, ids, count, seed, latencies, errors):
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for _ in range(count):
        path = f"/api/tasks/{ids[rng.randrange(len(ids))]}"
        started = time.perf_counter()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            errors.append(str(error))
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            continue
        latencies.append(time.perf_counter() - started)
        if status != 200:
            errors.append(f"HTTP {status} for {path}")
    conn.close()


def _load(port, ids, total):
    latencies, errors = [], []
    per = max(1, total // CLIENTS)
    threads = [threading.Thread(target=_client, args=(port, ids, per, k, latencies, errors)) for k in range(CLIENTS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, time.perf_counter() - started


def serve_load(reel, root, ids, requests, log):
    admin, callbacks = _free_port(), _free_port()
    env = dict(os.environ, REEL_STORAGE=root, REEL_BIND=f"127.0.0.1:{admin}", REEL_CALLBACK_BIND=f"127.0.0.1:{callbacks}",
               REEL_CALLBACK_SECRET="bench-secret", TOPVIEW_API_KEY="bench", TOPVIEW_BASE_URL="http://127.0.0.1:9")
    env.pop("REEL_ADMIN_TOKEN", None)
    log(f"  case 6: reel serve on 127.0.0.1:{admin}, {requests} GET /api/tasks/{{id}} from {CLIENTS} clients")
    proc = subprocess.Popen([reel, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_healthy(admin, proc)
        _load(admin, ids, min(requests, 400))  # warm-up: connections, page cache, SQLite
        latencies, errors, wall = _load(admin, ids, requests)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if not latencies:
        return Metric("6", "GET /api/tasks/{id} p99 under load", f"no answer ({errors[:1]})", "≤ 5 ms", False)
    p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
    value = (f"p99 {p99:.2f} ms (p50 {p50:.2f}, max {max(latencies) * 1000:.1f}; {len(latencies) / wall:.0f} req/s, "
             f"{CLIENTS} keep-alive clients, {len(errors)} errors)")
    return Metric("6", "GET /api/tasks/{id} p99 under load", value, "≤ 5 ms", p99 <= 5.0 and not errors,
                  note=errors[0] if errors else "")

#!/usr/bin/env python3
"""Replays issue 9's attack list against fresh `reel serve` processes on 127.0.0.1 (bounded, loopback only).

Prints one line per check, load figures, then `N passed, M failed`; exits 1 when a check failed.
Usage: attack.py BIN_DIR   (the folder holding `reel` and `reel-sandbox`)
"""
import json, os, resource, shutil, signal, socket, stat, subprocess, sys, tempfile, threading, time

BIN = sys.argv[1]
REEL = os.path.join(BIN, "reel")
SANDBOX = os.path.join(BIN, "reel-sandbox")
SECRET = "attack-secret-0123456789"
TOKEN = "attack-admin-token-42"
passed, failed = [], []


def check(name, ok, detail=""):
    (passed if ok else failed).append(name)
    print(("ok    " if ok else "FAIL  ") + name + ("" if ok or not detail else f"  ({str(detail)[:300]})"), flush=True)


# --- HTTP on raw sockets (the target goes out byte for byte) ---------------------------------------------------------

def request(port, target, method="GET", headers=(), body=b"", timeout=10):
    """One request on its own connection; returns (status, headers dict lower-cased, body, seconds)."""
    start = time.monotonic()
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    head = f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    for k, v in headers:
        head += f"{k}: {v}\r\n"
    if body or method == "POST":
        head += f"Content-Length: {len(body)}\r\n"
    s.sendall(head.encode("latin-1") + b"\r\n" + body)
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    s.close()
    elapsed = time.monotonic() - start
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
    hdrs = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    if hdrs.get("transfer-encoding") == "chunked":
        out, rest2 = b"", rest
        while rest2:
            size_line, _, rest2 = rest2.partition(b"\r\n")
            size = int(size_line.split(b";")[0] or b"0", 16)
            if size == 0:
                break
            out, rest2 = out + rest2[:size], rest2[size + 2:]
        rest = out
    return status, hdrs, (b"" if method == "HEAD" else rest), elapsed


def closed_within(sock, seconds):
    """(closed?, bytes received) after waiting up to `seconds` for the server to close."""
    sock.settimeout(0.2)
    deadline, got = time.monotonic() + seconds, b""
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(4096)
            if not chunk:
                return True, got
            got += chunk
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return True, got
    return False, got


# --- processes -------------------------------------------------------------------------------------------------------

class Serve:
    def __init__(self, env, args=(), ulimit=None):
        cmd = [REEL, "serve", "--bind", "127.0.0.1:0", "--callback-bind", "127.0.0.1:0", "--preset", "240p", *args]
        if ulimit:
            cmd = ["/bin/sh", "-c", f"ulimit -n {ulimit} && exec \"$@\"", "sh"] + cmd
        self.log = tempfile.NamedTemporaryFile(prefix="attack-serve-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.monotonic() + 60
        self.callback = self.admin = None
        while time.monotonic() < deadline and self.proc.poll() is None:
            text = open(self.log.name, errors="replace").read()
            for line in text.splitlines():
                if line.startswith("reel serve: callbacks on http://"):
                    parts = line.split("http://")
                    self.callback = int(parts[1].split("/")[0].rsplit(":", 1)[1])
                    self.admin = int(parts[2].split("/")[0].rsplit(":", 1)[1])
            if self.admin:
                return
            time.sleep(0.1)
        raise RuntimeError("reel serve did not start: " + open(self.log.name, errors="replace").read()[-2000:])

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()

    def stderr(self):
        return open(self.log.name, errors="replace").read()

    def callback_post(self, task_id, extra=None, timeout=10):
        body = {"uuid": f"u-{time.monotonic_ns()}", "taskId": task_id, "bizType": "M2V_EXPORT", "status": "success"}
        body.update(extra or {})
        return request(self.callback, f"/callbacks/topview/{SECRET}", "POST", [("Content-Type", "application/json")],
                       json.dumps(body).encode(), timeout=timeout)


def run(args, env, timeout=20, stdin=subprocess.DEVNULL):
    try:
        p = subprocess.run([REEL, *args], env=env, stdin=stdin, capture_output=True, timeout=timeout)
        return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired:
        return "timeout", "", ""


def refuses_start(name, env, args=()):
    """`reel serve` with a bad setting must exit 2 at once, with a message, and never listen."""
    try:
        p = subprocess.run([REEL, "serve", "--bind", "127.0.0.1:0", "--callback-bind", "127.0.0.1:0", *args], env=env,
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
        err = p.stderr.decode(errors="replace")
        check(name, p.returncode == 2 and "callbacks on" not in err and err.strip() != "", f"rc={p.returncode} {err[-200:]}")
    except subprocess.TimeoutExpired:
        check(name, False, "still running after 20 s")


def main():
    work = tempfile.mkdtemp(prefix="reel-attack-")
    storage = os.path.join(work, "storage")
    sandbox_out = os.path.join(work, "sandbox.out")
    sandbox = subprocess.Popen([SANDBOX, "--port", "0", "--media-dir", os.environ.get("SANDBOX_MEDIA", ".build/sandbox-media")],
                               stdout=open(sandbox_out, "w"), stderr=subprocess.DEVNULL)
    serves = []
    try:
        url = None
        for _ in range(1200):
            text = open(sandbox_out).read()
            if "SANDBOX_URL=" in text:
                url = text.split("SANDBOX_URL=")[1].split()[0]
                break
            time.sleep(0.1)
        assert url and url.startswith("http://127.0.0.1:"), "the sandbox did not start"
        base = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
        env = dict(base, TOPVIEW_BASE_URL=url, TOPVIEW_API_KEY="sandbox-key", TOPVIEW_UID="attack",
                   TOPVIEW_RETRY_POLICY="fast", REEL_STORAGE=storage, REEL_CALLBACK_SECRET=SECRET, REEL_LOG_LEVEL="info")
        task = "ready-attack-1"
        rc, out, err = run(["archive", task, "--preset", "240p", "--json"], env, timeout=300)
        assert rc == 0, f"archive failed: {rc} {err[-500:]}"
        doc = json.loads(out)
        doc = doc[0] if isinstance(doc, list) else doc
        asset = next(a for a in doc["assets"] if a.get("source"))
        source = asset["source"]["path"]
        source_bytes = open(os.path.join(storage, source), "rb").read()
        size = len(source_bytes)
        task_dir = os.path.dirname(os.path.dirname(os.path.dirname(source)))
        os.symlink("/etc/passwd", os.path.join(storage, "x"))

        # ---- 1. files ----
        raise_limit = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(raise_limit[1], 8192), raise_limit[1]))
        a = Serve(env, ulimit=1024)
        serves.append(a)
        st, h, b, _ = request(a.admin, "/files/" + source)
        check("files: a recorded source is served whole", st == 200 and b == source_bytes, st)
        st, _, b, _ = request(a.admin, "/%66iles/" + source)
        check("files: an encoded path is decoded once (same file)", st == 200 and b == source_bytes, st)
        a.callback_post("ready-attack-queued")  # makes queue files
        time.sleep(0.5)
        queue_files = []
        for root, _, files in os.walk(os.path.join(storage, "queue")):
            queue_files += [os.path.relpath(os.path.join(root, f), storage) for f in files]
        hidden = ["index.sqlite", "index.sqlite-wal", "watch.json", "x", f"{task_dir}/manifest.json", f"{task_dir}/.lock",
                  f"{task_dir}/.staging/x", f"{task_dir}/.partial/x"] + queue_files[:3]
        bad = []
        for path in hidden:
            for target in ["/files/" + path, "/%66iles/" + path, "/files%2f" + path, "/files/" + path.replace("/", "%2F"),
                           "/files/" + path.replace(".", "%2e"), "/files/tasks/../" + path]:
                st, _, b, _ = request(a.admin, target)
                if st != 404 or b"root:" in b:
                    bad.append((target, st))
        check(f"files: {len(hidden)} hidden files under 6 encodings each are 404", not bad, bad[:5])
        with open(os.path.join(storage, task_dir, os.path.dirname(source).split(task_dir + "/")[1], "orphan.mp4"), "wb") as f:
            f.write(b"orphan")
        st, _, _, _ = request(a.admin, "/files/" + os.path.dirname(source) + "/orphan.mp4")
        check("files: an orphan file is 404", st == 404, st)
        os.remove(os.path.join(storage, os.path.dirname(source), "orphan.mp4"))
        # ---- 3. ranges, types, HEAD ----
        st, h, b, _ = request(a.admin, "/files/" + source, headers=[("Range", "bytes=-500")])
        check("ranges: bytes=-500 is the last 500 bytes",
              st == 206 and b == source_bytes[-500:] and h.get("content-range") == f"bytes {size-500}-{size-1}/{size}", (st, h.get("content-range")))
        for rng in ("bytes=-0", f"bytes={size}-", f"bytes={size+10}-{size+20}"):
            st, h, b, _ = request(a.admin, "/files/" + source, headers=[("Range", rng)])
            check(f"ranges: {rng} is 416 bytes */SIZE", st == 416 and h.get("content-range") == f"bytes */{size}", (st, h.get("content-range")))
        st, h, b, _ = request(a.admin, "/files/" + source, headers=[("Range", f"bytes={size-10}-{size+1000}")])
        check("ranges: a range past the end is clipped", st == 206 and b == source_bytes[-10:] and h.get("content-length") == "10", (st, h))
        st, h, b, _ = request(a.admin, "/files/" + source, headers=[("Range", "bytes=0-9,100-109")])
        multipart_ok = st == 206 and h.get("content-type", "").startswith("multipart/byteranges") and source_bytes[:10] in b \
            and source_bytes[100:110] in b and int(h.get("content-length", -1)) == len(b)
        check("ranges: several ranges are a correct multipart/byteranges (or 200 whole)", multipart_ok or (st == 200 and b == source_bytes), st)
        files = {"video/mp4": source}
        for key, ctype in (("poster", "image/jpeg"),):
            if asset.get(key):
                files[ctype] = asset[key]["path"]
        if asset.get("storyboard"):
            files["text/vtt"] = asset["storyboard"]["vtt"]
        for ctype, path in files.items():
            st, h, _, _ = request(a.admin, "/files/" + path)
            check(f"types: {os.path.basename(path)} is {ctype} with nosniff and Accept-Ranges",
                  st == 200 and h.get("content-type", "").startswith(ctype) and h.get("x-content-type-options") == "nosniff"
                  and h.get("accept-ranges") == "bytes", h)
        for route in ("/healthz", "/metrics", "/api/tasks", f"/api/tasks/{task}", "/", "/files/" + source):
            st, h, b, _ = request(a.admin, route, "HEAD")
            check(f"HEAD {route if len(route) < 40 else route[:20] + '…' + route[-16:]}", st == 200 and b == b"", st)
        # ---- 5. API, logs ----
        for q in ("script=abc", "verdict=bogus", "state=nope", "limit=0"):
            st, _, b, _ = request(a.admin, "/api/tasks?" + q)
            check(f"api: /api/tasks?{q} is 400 naming the parameter", st == 400 and q.split("=")[0].encode() in b, (st, b[:100]))
        forged = "t-1\n2026-11-30T00:00:00+0000 critical reelvault.serve: FORGED"
        a.callback_post(forged)
        a.callback_post("x" * 10000 + "\u0000", {"bizType": "M2V_EXPORT\u001b[31m"})
        a.callback_post("ok-1", {"bizType": "EVIL\nBIZ", "uuid": "u\n\u001b]0;t\u0007"})
        time.sleep(0.3)
        log = a.stderr()
        check("logs: a forged callback line is escaped", "\nFORGED" not in log and "\n2026-11-30T00:00:00+0000 critical" not in log)
        check("logs: no raw ESC/NUL/BEL, no 10k-character value", not any(c in log for c in "\x00\x1b\x07") and "x" * 300 not in log)
        # ---- 2. flood ----
        flood = []
        try:
            for _ in range(1100):
                flood.append(socket.create_connection(("127.0.0.1", a.callback), timeout=5))
        except OSError as e:
            check("flood: 1100 idle sockets opened", False, e)
        time.sleep(0.5)
        lat = []
        for _ in range(100):
            st, _, _, t = request(a.admin, "/healthz", timeout=5)
            lat.append(t if st == 200 else 99)
        lat.sort()
        p99 = lat[98]
        check(f"flood: /healthz answers within 1 s under 1100 idle callback sockets (p99 {p99*1000:.1f} ms)", lat[-1] < 1, lat[-5:])
        st, _, _, t = a.callback_post("ready-attack-flood")
        check(f"flood: a valid callback is acknowledged within 5 s ({t*1000:.0f} ms)", st == 200 and t < 5, st)
        acked, stop_at = [0], time.monotonic() + 5
        def sender(i):
            n = 0
            while time.monotonic() < stop_at:
                try:
                    st, _, _, _ = a.callback_post(f"notfound-load-{i}-{n % 50}")
                    if st == 200:
                        acked[0] += 1
                except OSError:
                    pass
                n += 1
        threads = [threading.Thread(target=sender, args=(i,)) for i in range(4)]
        [t.start() for t in threads]
        held = []
        # keep 1000 idle sockets open meanwhile (re-opened as the service evicts them)
        lat2 = []
        while time.monotonic() < stop_at:
            st, _, _, t = request(a.admin, "/healthz", timeout=5)
            lat2.append(t)
            time.sleep(0.05)
        [t.join() for t in threads]
        lat2.sort()
        print(f"load: {acked[0] / 5:.0f} callbacks acknowledged/s with 1100 idle sockets opened on the callback port; "
              f"admin /healthz p99 {lat2[int(len(lat2) * 0.99) - 1] * 1000:.1f} ms over {len(lat2)} requests", flush=True)
        for s in flood:
            s.close()
        check("flood: no 'Too many open files'", "Too many open files" not in a.stderr())
        # ---- 4. restarts do not burn attempts ----
        a.callback_post("stall-attack-restart")
        for i in range(6):
            time.sleep(2)
            a.stop(signal.SIGTERM)
            a = Serve(env)
            serves.append(a)
        time.sleep(1)
        a.stop(signal.SIGKILL)
        rc, out, err = run(["jobs", "ls", "--json"], env)
        jobs = [j for j in json.loads(out or "[]") if j.get("taskId") == "stall-attack-restart"] if rc == 0 else []
        job = jobs[0] if jobs else {}
        # Pending with 0 attempts, or done by its one real attempt: never failed by the interruptions.
        check("restarts: six SIGTERMs and a SIGKILL leave the job unfailed with its attempts unchanged",
              job and job.get("state") in ("pending", "running", "done") and job.get("attempts", 9) <= (1 if job.get("state") == "done" else 0),
              job or (rc, err[-200:]))
        # ---- 2b. timeouts (short ones), bearer, healthz on a vanished root ----
        storage_b = os.path.join(work, "storage-b")
        env_b = dict(env, REEL_STORAGE=storage_b, REEL_ADMIN_TOKEN=TOKEN)
        b_serve = Serve(env_b, ["--http-idle-timeout", "2", "--http-header-timeout", "2"])
        serves.append(b_serve)
        for port, name in ((b_serve.admin, "admin"), (b_serve.callback, "callback")):
            s = socket.create_connection(("127.0.0.1", port))
            ok, _ = closed_within(s, 4)
            check(f"timeouts: an idle socket on the {name} port is closed within 2 + 2 s", ok)
            s = socket.create_connection(("127.0.0.1", port))
            start, got408 = time.monotonic(), False
            for ch in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaa":
                try:
                    s.send(bytes([ch]))
                except OSError:
                    break
                closed, got = closed_within(s, 0.5)
                if closed or got:
                    got408 = got.startswith(b"HTTP/1.1 408")
                    break
            check(f"timeouts: a header sent a byte at a time on the {name} port is cut with 408 within 2 + 2 s",
                  got408 and time.monotonic() - start < 4.5, time.monotonic() - start)
        s = socket.create_connection(("127.0.0.1", b_serve.callback))
        s.send(f"POST /callbacks/topview/{SECRET} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n".encode())
        start, got408 = time.monotonic(), False
        while time.monotonic() - start < 14:
            try:
                s.send(b"{")
            except OSError:
                break
            closed, got = closed_within(s, 1)
            if closed or got:
                got408 = got.startswith(b"HTTP/1.1 408")
                break
        check("timeouts: a body at 1 byte/s is cut with 408 within 10 + 2 s", got408 and time.monotonic() - start < 12.5,
              time.monotonic() - start)
        for scheme in ("Bearer", "bearer", "BEARER"):
            st, _, _, _ = request(b_serve.admin, "/api/tasks", headers=[("Authorization", f"{scheme} {TOKEN}")])
            check(f"auth: Authorization: {scheme} … works", st == 200, st)
        st, _, _, _ = request(b_serve.admin, "/api/tasks")
        check("auth: no token is 401", st == 401, st)
        os.rename(storage_b, storage_b + "-gone")
        time.sleep(1.2)
        st, _, body, _ = request(b_serve.admin, "/healthz")
        check("healthz: 503 with a short reason and no path when the storage root is gone",
              st == 503 and b"/" not in body and body.strip() != b"", (st, body))
        b_serve.stop()
        # ---- 5. settings and CLI ----
        fifo = os.path.join(work, "fifo")
        os.mkfifo(fifo)
        for sub in ("probe", "verify"):
            rc, _, err = run(["media", sub, fifo], env, timeout=10)
            check(f"cli: reel media {sub} on a FIFO exits 2 at once", rc == 2, (rc, err[-200:]))
        rc, _, err = run(["media", "verify", os.path.join(storage, source), "--tolerance-ms=9223372036854776"], env)
        check("cli: --tolerance-ms=9223372036854776 is a usage error (exit 2), no trap", rc == 2, (rc, err[-200:]))
        refuses_start("settings: REEL_CALLBACK_SECRET=ééééééééé", dict(env, REEL_CALLBACK_SECRET="ééééééééé"))
        refuses_start("settings: REEL_NOTIFY_URL=file://…", dict(env, REEL_NOTIFY_URL="file:///etc/passwd"))
        refuses_start("settings: REEL_NOTIFY_URL on a link-local address", dict(env, REEL_NOTIFY_URL="http://169.254.169.254/x"))
        refuses_start("settings: REEL_LOG_LEVEL=bogus", dict(env, REEL_LOG_LEVEL="bogus"))
        for v in ("abc", "-1"):
            refuses_start(f"settings: REEL_MIN_FREE_MB={v}", dict(env, REEL_MIN_FREE_MB=v))
        for v in ("1.5", "0x10"):
            refuses_start(f"settings: REEL_WORKERS={v}", dict(env, REEL_WORKERS=v))
        refuses_start("settings: TOPVIEW_BASE_URL=http://169.254.169.254/", dict(env, TOPVIEW_BASE_URL="http://169.254.169.254/"))
        rc, _, err = run(["archive", "ready-x"], dict(env, TOPVIEW_BASE_URL="http://169.254.169.254/"))
        check("settings: reel archive refuses a link-local base URL (exit 2)", rc == 2, (rc, err[-200:]))
        rc, _, err = run(["archive", "ready-x"], dict(env, TOPVIEW_BASE_URL="http://example.com/"))
        check("settings: reel archive refuses a plain-http base URL off loopback (exit 2)", rc == 2, (rc, err[-200:]))
        refuses_start("settings: an admin listener off loopback without a token", env, ["--bind", "0.0.0.0:0"])
        # ---- 5b. a read-only storage root (root only: bind mounts) ----
        if os.geteuid() == 0:
            ro = os.path.join(work, "ro")
            os.mkdir(ro)
            if subprocess.run(["mount", "--bind", storage, ro]).returncode == 0:
                subprocess.run(["mount", "-o", "remount,bind,ro", ro])
                env_ro = dict(env, REEL_STORAGE=ro)
                for args in (["ls"], ["show", task], ["verify", "--all", "--no-decode"], ["jobs", "ls"], ["watch", "ls"]):
                    rc, out, err = run(args, env_ro, timeout=60)
                    check(f"read-only root: reel {' '.join(args)} works", rc == 0, (rc, out[-300:], err[-200:]))
                subprocess.run(["umount", ro])
            else:
                print("skip  read-only root: mount --bind not permitted here")
        else:
            print("skip  read-only root: needs root for a bind mount")
    finally:
        for s in serves:
            if s.proc.poll() is None:
                s.stop(signal.SIGKILL)
        sandbox.kill()
        subprocess.run(["umount", os.path.join(work, "ro")], stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(passed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Sends N TopView callbacks to a running `reel serve` on 127.0.0.1 and checks that none was lost.

Used by Tools/callback-load.sh (which starts the sandbox and the service); python3 standard library only.

Every callback is a documented body (uuid, bizType M2V_EXPORT, taskId, status, errorMsg, result) with its own uuid;
each distinct task id is sent --copies times, shuffled, from --threads threads on keep-alive connections. Checked:
every answer is HTTP 200 with the documented acknowledgement echoing its uuid and Topview-Uid; then every distinct
task id has exactly one job (`reel jobs ls --json`), the service logged exactly one new job per task id, and
`reel_callbacks_total` counts the distinct ids as queued and the rest as duplicates.
"""
import argparse
import http.client
import json
import random
import re
import subprocess
import sys
import threading
import time
import urllib.request
import uuid as uuidlib
from concurrent.futures import ThreadPoolExecutor


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, required=True, help="callbacks to send (N)")
    parser.add_argument("--copies", type=int, default=2, help="callbacks per distinct task id (duplicates are normal)")
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--callback-port", type=int, required=True)
    parser.add_argument("--admin-port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--scenario", default="html", help="sandbox scenario prefix of the task ids")
    parser.add_argument("--reel", required=True, help="path of the reel binary")
    parser.add_argument("--storage", required=True)
    parser.add_argument("--serve-log", required=True, help="the service's stderr, to count new jobs per task")
    args = parser.parse_args()

    run = uuidlib.uuid4().hex[:6]
    distinct = max(1, args.count // max(1, args.copies))
    tasks = [f"{args.scenario}-load-{run}-{i:05d}" for i in range(distinct)]
    calls = [(tasks[i % distinct], uuidlib.uuid4().hex) for i in range(args.count)]
    random.shuffle(calls)
    path = f"/callbacks/topview/{args.secret}"

    local = threading.local()
    failures = []
    lock = threading.Lock()

    def connection():
        if getattr(local, "conn", None) is None:
            local.conn = http.client.HTTPConnection("127.0.0.1", args.callback_port, timeout=60)
        return local.conn

    def send(call):
        task, uuid = call
        uid = f"load-{run}"
        body = json.dumps({"uuid": uuid, "bizType": "M2V_EXPORT", "taskId": task, "status": "success", "errorMsg": "",
                           "result": {"taskId": task, "status": "success", "previewVideos": [], "exportVideos": []}})
        headers = {"Content-Type": "application/json", "Topview-Uid": uid}
        for attempt in range(2):
            try:
                conn = connection()
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    local.conn = None
                break
            except (http.client.HTTPException, OSError) as error:
                local.conn = None
                if attempt == 1:
                    with lock:
                        failures.append(f"{task} {uuid}: {error!r}")
                    return
        expected = {"code": "200", "message": "Success", "result": {"uuid": uuid, "topviewUid": uid, "result": "success"}}
        try:
            ack = json.loads(data)
        except ValueError:
            ack = None
        if response.status != 200 or ack != expected:
            with lock:
                failures.append(f"{task} {uuid}: HTTP {response.status} {data[:200]!r}")

    print(f"callback-load: sending {args.count} callbacks for {distinct} task ids from {args.threads} threads", file=sys.stderr)
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        list(pool.map(send, calls))
    elapsed = time.monotonic() - start
    acknowledged = args.count - len(failures)
    print(f"callback-load: {acknowledged}/{args.count} acknowledged in {elapsed:.2f} s: {acknowledged / elapsed:.0f} callbacks/s")

    problems = list(failures[:20])
    if failures:
        problems.insert(0, f"{len(failures)} callbacks not acknowledged as documented")

    # Every distinct task id queued exactly once.
    jobs = json.loads(subprocess.run([args.reel, "jobs", "ls", "--json", "--storage", args.storage],
                                     check=True, capture_output=True, text=True).stdout)
    per_task = {}
    for job in jobs:
        per_task[job["taskId"]] = per_task.get(job["taskId"], 0) + 1
    missing = [t for t in tasks if t not in per_task]
    doubled = [t for t, n in per_task.items() if n != 1]
    strangers = [t for t in per_task if t not in set(tasks)]
    if missing or doubled or strangers:
        problems.append(f"jobs: {len(missing)} task ids without a job, {len(doubled)} with several, {len(strangers)} unknown")
    with open(args.serve_log, encoding="utf-8", errors="replace") as log:
        accepted = re.findall(r"job\.new=(true|false) task\.id=(\S+) .*callback accepted", log.read())
    new_per_task = {}
    for new, task in accepted:
        if new == "true":
            new_per_task[task] = new_per_task.get(task, 0) + 1
    if len(accepted) != acknowledged:
        problems.append(f"log: {len(accepted)} 'callback accepted' lines for {acknowledged} acknowledged callbacks")
    once = sum(1 for t in tasks if new_per_task.get(t) == 1)
    if once != distinct:
        problems.append(f"log: {distinct - once} task ids not queued exactly once")
    metrics = urllib.request.urlopen(f"http://127.0.0.1:{args.admin_port}/metrics", timeout=30).read().decode()
    def counter(result):
        match = re.search(r'^reel_callbacks_total\{result="%s"\} (\S+)$' % result, metrics, re.M)
        return float(match.group(1)) if match else -1
    queued, duplicate = counter("queued"), counter("duplicate")
    if queued != distinct or queued + duplicate != acknowledged:
        problems.append(f"metrics: queued {queued:.0f}, duplicate {duplicate:.0f} for {distinct} ids and {acknowledged} callbacks")

    if problems:
        print("callback-load: LOST OR WRONG:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    print(f"callback-load: none lost: {args.count} acknowledged with their uuid; {distinct} task ids queued exactly once "
          f"(jobs {len(jobs)}, queued {queued:.0f}, duplicates {duplicate:.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

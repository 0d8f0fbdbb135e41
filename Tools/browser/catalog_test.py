#!/usr/bin/env python3
"""The catalog pages in a real browser: headless Chromium driven over the W3C WebDriver protocol (chromedriver),
with nothing but Python's standard library.

Usage: catalog_test.py --url http://127.0.0.1:PORT --token TOKEN --shots DIR [--chromedriver PATH] [--chromium PATH]

Against a running `reel serve` (admin token set) whose catalog holds archived videos (Tools/browser-test.sh makes one):
signs in through /login, loads /, searches, filters by verdict, pages, opens a task page, plays a video until its
currentTime > 0, hovers two points of the storyboard timeline and checks that the sprite tile changes, checks that
the browser console has no error on any page, and saves a screenshot of each step. Exits 1 on the first failure.
"""
import argparse
import base64
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


class Failure(Exception):
    pass


class Driver:
    def __init__(self, chromedriver, chromium):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.process = subprocess.Popen([chromedriver, f"--port={self.port}", "--allowed-ips=127.0.0.1"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(100):
            try:
                self.call("GET", "/status")
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        options = {"args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000",
                            "--autoplay-policy=no-user-gesture-required", "--mute-audio", "--no-first-run"]}
        if chromium:
            options["binary"] = chromium
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": options,
                                                 "goog:loggingPrefs": {"browser": "ALL"}}}}
        self.session = self.call("POST", "/session", caps)["sessionId"]

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read() or b"{}").get("value")
        except urllib.error.HTTPError as error:
            raise Failure(f"WebDriver {method} {path}: {error.read().decode(errors='replace')[:500]}")

    def s(self, method, path, body=None):
        return self.call(method, f"/session/{self.session}{path}", body)

    def go(self, url):
        self.s("POST", "/url", {"url": url})

    def url(self):
        return self.s("GET", "/url")

    def find(self, css, many=False):
        found = self.s("POST", "/elements", {"using": "css selector", "value": css})
        if not many and not found:
            raise Failure(f"no element matches {css!r} on {self.url()}")
        return [f[ELEMENT] for f in found] if many else found[0][ELEMENT]

    def text(self, css):
        return self.s("GET", f"/element/{self.find(css)}/text")

    def type(self, css, text):
        element = self.find(css)
        self.s("POST", f"/element/{element}/clear", {})
        self.s("POST", f"/element/{element}/value", {"text": text})

    def click(self, css):
        self.s("POST", f"/element/{self.find(css)}/click", {})

    def js(self, script, *args):
        return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def hover(self, css, x_offset):
        """Moves the pointer to `x_offset` pixels from the element's centre (WebDriver actions)."""
        element = self.find(css)
        self.s("POST", "/actions", {"actions": [{"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
                                                  "actions": [{"type": "pointerMove", "duration": 50, "x": x_offset, "y": 0,
                                                               "origin": {ELEMENT: element}}]}]})

    def console(self):
        return self.s("POST", "/se/log", {"type": "browser"}) or []

    def screenshot(self, path):
        with open(path, "wb") as f:
            f.write(base64.b64decode(self.s("GET", "/screenshot")))

    def wait(self, what, condition, seconds=20):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            time.sleep(0.2)
        raise Failure(f"timed out after {seconds} s waiting for {what} on {self.url()}")

    def quit(self):
        try:
            self.s("DELETE", "")
        finally:
            self.process.terminate()
            self.process.wait(10)


def run(args):
    driver = Driver(args.chromedriver, args.chromium)
    shot = 0
    problems = []

    def step(name):
        nonlocal shot
        shot += 1
        driver.screenshot(os.path.join(args.shots, f"{shot:02d}-{name}.png"))
        errors = [entry for entry in driver.console() if entry.get("level") in ("SEVERE", "ERROR")]
        if errors:
            problems.append(f"console errors at {name}: {errors}")
        print(f"browser: {name}: ok ({driver.url()})")

    def expect(ok, what):
        if not ok:
            raise Failure(what)

    try:
        base = args.url.rstrip("/")
        driver.go(base + "/")
        driver.wait("the sign-in form", lambda: "/login" in driver.url())
        step("login-form")
        driver.type("input[name=token]", args.token)
        driver.click("form.login button")
        driver.wait("the catalog", lambda: driver.find("h1 .count", many=True))
        total = driver.text("h1 .count")
        expect(total.endswith("tasks") and int(total.split()[0]) >= 3, f"the total: {total!r}")
        step("catalog")

        first_id = driver.text("a.task-id")
        driver.type("input[name=q]", first_id[:-1])
        driver.click("form.filters button")
        driver.wait("the search", lambda: "q=" in driver.url())
        ids = [driver.s("GET", f"/element/{e}/text") for e in driver.find("a.task-id", many=True)]
        expect(first_id in ids and all(i.startswith(first_id[:-1]) for i in ids), f"search for {first_id[:-1]!r} gave {ids}")
        step("search")

        driver.go(base + "/")
        driver.js("document.querySelector('select[name=verdict]').value = 'mismatch';")
        driver.click("form.filters button")
        driver.wait("the verdict filter", lambda: "verdict=mismatch" in driver.url())
        badges = [driver.s("GET", f"/element/{e}/text") for e in driver.find("tbody tr", many=True)]
        expect(badges and all("mismatch" in b for b in badges), f"rows under verdict=mismatch: {badges}")
        step("filter-mismatch")

        driver.go(base + "/?per_page=1")
        driver.click("nav.pager a[rel=next]")
        driver.wait("page 2", lambda: "page=2" in driver.url())
        expect(driver.text("nav.pager a[aria-current=page]") == "2", "page 2 is the current page")
        step("page-2")

        driver.go(base + "/")
        video_row = driver.js("""
            const rows = [...document.querySelectorAll('tbody tr')];
            const row = rows.find(r => r.querySelector('td.poster img'));
            return row ? row.querySelector('a.task-id').getAttribute('href') : null;""")
        expect(video_row, "a task with a poster on the first page")
        driver.go(base + video_row)
        driver.wait("the task page's player", lambda: driver.find("video", many=True))
        step("task-page")

        driver.js("const v = document.querySelector('video'); v.muted = true; v.play();")
        driver.wait("the video to play", lambda: driver.js("return document.querySelector('video').currentTime") > 0)
        step("playing")

        driver.wait("the storyboard cues", lambda: driver.js(
            "return performance.getEntriesByType('resource').some(e => e.name.endsWith('.vtt'))"))
        width = driver.js("return document.querySelector('.storyboard').getBoundingClientRect().width")
        positions = []
        for fraction in (-0.4, 0.4):
            driver.hover(".storyboard", int(width * fraction))
            position = driver.wait("a storyboard tile", lambda: driver.js(
                "const t = document.querySelector('.storyboard .tile');"
                "return t && !t.hidden && t.style.backgroundImage ? t.style.backgroundPosition : null"))
            positions.append(position)
        expect(positions[0] != positions[1], f"the tile did not change between two points: {positions}")
        step("storyboard-hover")

        driver.hover(".storyboard", int(width * 0.25))
        driver.s("POST", "/actions", {"actions": [{"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
                                                    "actions": [{"type": "pointerDown", "button": 0}, {"type": "pointerUp", "button": 0}]}]})
        seeked = driver.wait("the click to seek", lambda: driver.js("return document.querySelector('video').currentTime"))
        print(f"browser: a click on the timeline seeked the player to {seeked:.2f} s")
        step("storyboard-click")
    finally:
        driver.quit()
    if problems:
        raise Failure("; ".join(problems))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--shots", required=True)
    parser.add_argument("--chromedriver", default="chromedriver")
    parser.add_argument("--chromium", default=None)
    args = parser.parse_args()
    os.makedirs(args.shots, exist_ok=True)
    started = time.monotonic()
    try:
        run(args)
    except Failure as failure:
        print(f"browser: FAILED: {failure} (screenshots in {args.shots})", file=sys.stderr)
        return 1
    print(f"browser: every step passed in {time.monotonic() - started:.1f} s; screenshots in {args.shots}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

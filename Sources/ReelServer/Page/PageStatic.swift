import Hummingbird
import NIOCore

/// The pages' stylesheet and script, served by the app itself under `/static/` (no CDN, nothing inline).
enum PageStatic {
    static func respond(_ name: String) -> Response? {
        let (body, type): (String, String)
        switch name {
        case "reel.css": (body, type) = (css, "text/css; charset=utf-8")
        case "storyboard.js": (body, type) = (storyboardScript, "text/javascript; charset=utf-8")
        case "favicon.svg": (body, type) = (favicon, "image/svg+xml")
        default: return nil
        }
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "public, max-age=300"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    /// A film frame: browsers ask for an icon on every page, and a missing one is a console error.
    static let favicon = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#222"/>\
        <path d="M6 4.5v7l5.5-3.5z" fill="#fff"/></svg>
        """

    static let css = """
        body{font:14px system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
        header.top{display:flex;justify-content:space-between;align-items:center;padding:.5em 1.5em;background:#222}
        header.top a.brand{color:#fff;font-weight:600;text-decoration:none}header.top button{font-size:.85em}
        main{padding:1em 1.5em}h1{font-size:1.4em;margin:.3em 0}h1 small{font-weight:normal;color:#666;font-size:.65em}
        form.filters{display:flex;flex-wrap:wrap;gap:.6em 1em;align-items:center;margin:.6em 0}
        nav.pager{margin:.6em 0}nav.pager a,nav.pager span{display:inline-block;min-width:1.8em;padding:.15em .4em;text-align:center}
        nav.pager a[aria-current]{background:#222;color:#fff;border-radius:3px;text-decoration:none}
        table.tasks{border-collapse:collapse;width:100%;background:#fff}table.tasks th,table.tasks td{padding:.35em .6em;border-bottom:1px solid #e4e4e4;text-align:left;vertical-align:middle}
        td.poster img{height:48px;width:auto;display:block}a.task-id{font-family:ui-monospace,monospace}
        .badge{display:inline-block;padding:.05em .45em;border-radius:3px;font-size:.85em;background:#eee}
        .badge.match,.state.archived{color:#17702a}.badge.mismatch,.badge.undecodable,.badge.failed,.state.attention,.err,.fixity-problem{color:#b00020}
        .badge.unreported,.badge.pending,.state.pending,.warn{color:#8a6d00}.note,.skipped{color:#777}
        section.asset{background:#fff;border:1px solid #e4e4e4;border-radius:4px;padding:.6em 1em;margin:.8em 0}
        section.asset h2{font-size:1.1em;margin:.2em 0}figure.player{margin:.4em 0;max-width:640px}
        video{width:100%;max-height:360px;background:#000}img.picture{max-width:100%;height:auto}
        .storyboard{position:relative;height:14px;margin-top:4px;background:#ddd;border-radius:3px;cursor:pointer}
        .storyboard .tile{position:absolute;bottom:18px;border:1px solid #222;background-repeat:no-repeat;pointer-events:none}
        .stills{display:flex;flex-wrap:wrap;gap:.6em}.stills figure{margin:0}.stills img{height:90px;width:auto}
        .stills figcaption{font-size:.8em;color:#666}ul.files{padding-left:1.3em}
        """

    /// Storyboard scrubbing: each `.storyboard` element (`aria-label="storyboard timeline"`) reads its WebVTT
    /// (`data-vtt`), shows the sprite tile (`#xywh=`) for the time under the pointer while hovering or dragging, and a
    /// click seeks its player (`data-player`). Styles are set through the CSSOM, which CSP allows, not inline.
    static let storyboardScript = """
        "use strict";
        (function () {
          function seconds(text) {
            var p = text.trim().split(":").map(Number);
            return p.length === 3 ? p[0] * 3600 + p[1] * 60 + p[2] : p[0] * 60 + p[1];
          }
          function parse(vtt, base) {
            var cues = [];
            vtt.split(/\\r?\\n\\r?\\n/).forEach(function (block) {
              var lines = block.split(/\\r?\\n/), at = lines.findIndex(function (l) { return l.indexOf("-->") >= 0; });
              if (at < 0 || !lines[at + 1]) return;
              var times = lines[at].split("-->"), target = lines[at + 1].trim(), hash = target.indexOf("#xywh=");
              if (hash < 0) return;
              var xywh = target.slice(hash + 6).split(",").map(Number);
              cues.push({ start: seconds(times[0]), end: seconds(times[1]), url: new URL(target.slice(0, hash), base).href,
                          x: xywh[0], y: xywh[1], w: xywh[2], h: xywh[3] });
            });
            return cues;
          }
          function setUp(bar) {
            var player = document.getElementById(bar.dataset.player), tile = bar.querySelector(".tile");
            var cues = [], dragging = false;
            function duration() { return Number(bar.dataset.duration) || (player && player.duration) || 0; }
            var vttURL = new URL(bar.dataset.vtt, document.baseURI);
            fetch(vttURL, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : ""; })
              .then(function (text) { cues = parse(text, vttURL); });
            function timeAt(event) {
              var box = bar.getBoundingClientRect();
              var f = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
              return { t: f * duration(), x: f * box.width };
            }
            function show(event) {
              var at = timeAt(event), cue = cues.find(function (c) { return at.t >= c.start && at.t < c.end; }) || cues[cues.length - 1];
              bar.setAttribute("aria-valuenow", at.t.toFixed(2));
              if (!cue) return;
              tile.hidden = false;
              tile.style.width = cue.w + "px";
              tile.style.height = cue.h + "px";
              tile.style.left = Math.max(0, Math.min(bar.clientWidth - cue.w, at.x - cue.w / 2)) + "px";
              tile.style.backgroundImage = "url(\\"" + cue.url + "\\")";
              tile.style.backgroundPosition = -cue.x + "px " + -cue.y + "px";
              tile.dataset.start = String(cue.start);
            }
            bar.addEventListener("pointermove", function (e) { show(e); if (dragging && player) player.currentTime = timeAt(e).t; });
            bar.addEventListener("pointerdown", function (e) { dragging = true; bar.setPointerCapture(e.pointerId); show(e); });
            bar.addEventListener("pointerup", function (e) { dragging = false; if (player) player.currentTime = timeAt(e).t; });
            bar.addEventListener("pointerleave", function () { if (!dragging) tile.hidden = true; });
            bar.addEventListener("keydown", function (e) {
              if (!player) return;
              if (e.key === "ArrowRight") player.currentTime = Math.min(duration(), player.currentTime + 1);
              if (e.key === "ArrowLeft") player.currentTime = Math.max(0, player.currentTime - 1);
            });
          }
          document.querySelectorAll(".storyboard[data-vtt]").forEach(setUp);
        })();

        """
}

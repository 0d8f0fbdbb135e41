import Catalog
import Foundation
import Hummingbird

/// The catalog page for people: each task with its poster, the duration verdict (reported vs measured),
/// its renditions with links, and a player for each video.
struct CatalogPage: Sendable {
    let catalog: Catalog
    let pageSize: Int

    func render(_ request: Request) async throws -> Response {
        let offset = max(0, request.uri.queryParameters.get("offset", as: Int.self) ?? 0)
        var summaries = try await catalog.list(filter: TaskFilter(limit: pageSize + 1, offset: offset))
        let more = summaries.count > pageSize
        if more { summaries.removeLast() }
        var html = Self.head
        html += "<h1>ReelVault catalog</h1>\n"
        if summaries.isEmpty { html += "<p class=empty>No task archived yet. Try <code>reel archive TASK</code>.</p>\n" }
        for summary in summaries {
            // The index holds only ids the catalog accepted; one that is not is nothing to show.
            guard let id = try? TaskID(validating: summary.taskId) else { continue }
            do {
                if let manifest = try await catalog.manifest(for: id) { html += task(manifest) }
            } catch {
                // Shown where the task would be (`reel verify` tells more), not skipped without a word.
                html += "<section class=task><h2>\(esc(summary.taskId))</h2>\n<p class=err>manifest not readable: \(esc("\(error)"))</p></section>\n"
            }
        }
        html += "<nav>"
        if offset > 0 { html += "<a href=\"/?offset=\(max(0, offset - pageSize))\">← newer</a> " }
        if more { html += "<a href=\"/?offset=\(offset + pageSize)\">older →</a>" }
        html += "</nav></body></html>\n"
        return Reply.text(html, contentType: "text/html; charset=utf-8")
    }

    private func task(_ m: TaskManifest) -> String {
        var html = "<section class=task><h2>\(esc(m.taskId)) <small>\(esc(m.kind)) · upstream \(esc(m.status ?? "unknown"))"
        html += " · <a href=\"/api/tasks/\(url(m.taskId))\">JSON</a></small></h2>\n"
        if let e = m.errorMsg { html += "<p class=err>\(esc(e))</p>\n" }
        if let f = m.fixity {
            let result = f.problems == 0 ? "every file whole" : "\(f.problems) problem\(f.problems == 1 ? "" : "s")"
            html += "<p class=\"fixity\(f.problems == 0 ? "" : " err")\">fixity: \(result), checked \(esc(Self.iso(f.checkedAt)))"
            if let repair = f.repair { html += "; repair: \(esc(repair))" }
            html += "</p>\n"
        }
        html += "<div class=assets>\n"
        for a in m.assets {
            let label = a.role == .preview || a.role == .export ? "script" : "output"
            html += "<article class=\"asset \(a.state.rawValue)\"><h3>\(label) \(a.scriptId) · \(a.role.rawValue) · \(a.state.rawValue)</h3>\n"
            if let v = a.verification {
                html += "<p class=\"verdict \(esc(v.verdict))\"><b>\(esc(v.verdict))</b> — reported \(sec(a.reportedDurationUs)), measured \(sec(v.measuredDurationUs))"
                if let d = v.deltaUs { html += ", delta \(String(format: "%+.3f", Double(d) / 1e6)) s (tolerance \(sec(v.toleranceUs)))" }
                html += ", \(v.frames) frames, \(v.decodeErrors) decode errors</p>\n"
                if let warning = v.desyncWarning { html += "<p class=\"warn\">warning: \(esc(warning)) (beyond the tolerance)</p>\n" }
            }
            if let e = a.error { html += "<p class=err>\(esc(e.code)): \(esc(e.message))</p>\n" }
            if let note = Self.notes[a.state] { html += "<p class=note>\(note)</p>\n" }
            html += "<div class=media>"
            if let p = a.poster {
                html += "<a href=\"/files/\(url(p.path))\"><img class=poster src=\"/files/\(url(p.path))\" width=\(p.width) height=\(p.height) alt=\"poster of script \(a.scriptId) \(a.role.rawValue)\"></a>"
            }
            if let s = a.source {
                switch a.role {
                case .image:
                    // A raster image (the archive refuses anything else), shown as one, lazily.
                    let size = a.width.flatMap { w in a.height.map { " width=\(w) height=\($0)" } } ?? ""
                    html += "<a href=\"/files/\(url(s.path))\"><img class=picture loading=lazy src=\"/files/\(url(s.path))\"\(size) alt=\"image \(a.scriptId)\"></a>"
                case .audio:
                    html += "<audio controls preload=none src=\"/files/\(url(s.path))\"></audio>"
                default:
                    // Plays the smallest rendition when there is one (the source can be large); every file is linked below.
                    let play = a.renditions.min { $0.bytes < $1.bytes }?.path ?? s.path
                    html += "<video controls preload=none \(a.poster.map { "poster=\"/files/\(url($0.path))\"" } ?? "") src=\"/files/\(url(play))\"></video>"
                }
            }
            html += "</div>\n<ul>"
            if let s = a.source {
                html += "<li><a href=\"/files/\(url(s.path))\">source</a> \(s.bytes) bytes\(a.format.map { ", \(esc($0))" } ?? "")</li>"
            }
            for r in a.renditions {
                html += "<li><a href=\"/files/\(url(r.path))\">\(esc(r.preset))</a> \(r.width)×\(r.height), \(r.bytes) bytes</li>"
            }
            for s in a.skippedPresets { html += "<li class=skipped>\(esc(s.preset)) skipped: \(esc(s.reason))</li>" }
            if let b = a.storyboard { html += "<li><a href=\"/files/\(url(b.vtt))\">storyboard</a></li>" }
            html += "</ul></article>\n"
        }
        return html + "</div></section>\n"
    }

    /// Words for the states that have no files to show.
    static let notes: [AssetState: String] = [
        .absent: "Not requested upstream yet (an export is made on request); archived when it appears.",
        .pending: "Being archived, or waiting for the task to settle.",
    ]

    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    private func sec(_ us: Int64?) -> String { us.map { String(format: "%.3f s", Double($0) / 1e6) } ?? "—" }
    private func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
    private func url(_ path: String) -> String {
        path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "?#"))) ?? path
    }

    static let head = """
    <!doctype html><html lang=en><head><meta charset=utf-8><title>ReelVault catalog</title>
    <meta name=viewport content="width=device-width,initial-scale=1">
    <style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}section.task{border-top:1px solid #ccc;padding:.5em 0}
    h2{margin:.4em 0}h2 small{font-weight:normal;color:#666;font-size:.7em}h3{margin:.2em 0;font-size:1em}
    .assets{display:flex;flex-wrap:wrap;gap:1em 2.5em}article.asset{margin:.3em 0 .8em 1em;max-width:36em}
    .media{display:flex;gap:1em;align-items:flex-start}img.poster{border:1px solid #ddd;height:180px;width:auto}
    video{height:240px;width:auto;max-width:100%;background:#000}img.picture{height:240px;width:auto;border:1px solid #ddd}ul{margin:.4em 0;padding-left:1.4em}
    .verdict{margin:.3em 0}.verdict.match{color:#17702a}.verdict.mismatch,.verdict.undecodable,.err{color:#b00020}
    .verdict.unreported,.warn{color:#8a6d00}.note,.skipped{color:#777}nav{margin-top:1em}</style></head><body>

    """
}

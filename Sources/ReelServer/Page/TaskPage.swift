import Catalog
import Foundation
import Hummingbird

/// `/tasks/{taskId}`: one task — a player per video (its smallest rendition, the source when there is none) with a
/// storyboard timeline under it, a line per asset with the verdict and the reported and measured seconds, the stills,
/// the renditions with MiB and size, skipped presets once, the last fixity check and when it ran, links to every file
/// and to the JSON. A recorded file that is missing from the store is said as a fixity problem, not shown broken.
struct TaskPage: Sendable {
    let catalog: Catalog
    let signedIn: Bool

    func render(_ raw: String) async throws -> Response {
        guard let id = try? TaskID(validating: raw) else {
            return PageResponse.problem(.badRequest, heading: "Bad request", message: "That is not a valid task id.", signedIn: signedIn)
        }
        guard let m = try await catalog.manifest(for: id) else {
            return PageResponse.problem(.notFound, heading: "Not found", message: "Task \(id) is not in the catalog.", signedIn: signedIn)
        }
        var assets: [Asset] = []
        for (n, a) in m.assets.enumerated() { assets.append(await asset(a, number: n, task: id)) }
        let fixity = m.fixity.map { f in
            Fixity(cls: f.problems == 0 ? "" : "err", result: f.problems == 0 ? "every file whole" : "\(f.problems) problem\(f.problems == 1 ? "" : "s")",
                   checkedAt: PageResponse.iso(f.checkedAt), repair: f.repair)
        }
        let view = View(title: m.taskId, signedIn: signedIn, scrubbing: assets.contains { $0.video?.storyboard != nil },
                        taskId: m.taskId, kind: m.kind, status: m.status ?? "unknown", state: TaskSummary(m).taskState.rawValue,
                        jsonHref: PageLinks.taskJSON(m.taskId), errorMsg: m.errorMsg, fixity: fixity, assets: assets)
        return PageResponse.html(await PageTemplates.renderOffPool("task", view))
    }

    struct View {
        let title: String
        let signedIn: Bool
        let scrubbing: Bool
        let taskId: String
        let kind: String
        let status: String
        let state: String
        let jsonHref: String
        let errorMsg: String?
        let fixity: Fixity?
        let assets: [Asset]
    }

    struct Fixity { let cls: String; let result: String; let checkedAt: String; let repair: String? }
    struct Storyboard { let vtt: String; let durationSeconds: String }
    struct Video { let playerId: String; let src: String; let posterSrc: String?; let storyboard: Storyboard?; let caption: String }
    struct Image { let src: String; let width: Int?; let height: Int?; let alt: String }
    struct Still { let src: String; let width: Int; let height: Int; let alt: String; let caption: String }
    struct File { let href: String; let name: String; let detail: String }
    struct Asset {
        let label: String
        let state: String
        let verdict: String?
        let reported: String
        let measured: String
        let delta: String?
        let frames: Int
        let decodeErrors: Int
        let warning: String?
        let error: String?
        let note: String?
        let video: Video?
        let audio: String?
        let image: Image?
        let hasStills: Bool
        let stills: [Still]
        let problems: [String]
        let files: [File]
        let skipped: [String]
    }

    private func asset(_ a: AssetRecord, number: Int, task: TaskID) async -> Asset {
        let label = "\(a.role == .preview || a.role == .export ? "Script" : "Output") \(a.scriptId) · \(a.role.rawValue)"
        var problems: [String] = []
        func present(_ path: String, _ what: String) async -> Bool {
            guard await PageResponse.isMissing(path, in: catalog, task: task) else { return true }
            problems.append("\(what) is missing from the store (fixity problem: reel verify \(task) --repair makes it again)")
            return false
        }
        let v = a.verification
        var video: Video?
        var audio: String?
        var image: Image?
        if let s = a.source {
            switch a.role {
            case .image:
                if await present(s.path, "the image") {
                    image = Image(src: PageLinks.file(s.path), width: a.width, height: a.height, alt: "image \(a.scriptId)")
                }
            case .audio:
                if await present(s.path, "the audio") { audio = PageLinks.file(s.path) }
            default:
                // The smallest rendition plays (the source can be large); the source when there is none.
                let smallest = a.renditions.min { $0.bytes < $1.bytes }
                let play = smallest?.path ?? s.path
                if await present(play, smallest == nil ? "the source" : "the \(smallest!.preset) rendition") {
                    var poster: String?
                    if let p = a.poster, await present(p.path, "the poster") { poster = PageLinks.file(p.path) }
                    var storyboard: Storyboard?
                    // The timeline spans the measured duration (else the reported one, else what the player reads).
                    let us = v?.measuredDurationUs ?? a.reportedDurationUs ?? a.renditions.first?.durationUs
                    if let b = a.storyboard, await present(b.vtt, "the storyboard"), await present(b.sprite, "the storyboard sprite") {
                        storyboard = Storyboard(vtt: PageLinks.file(b.vtt), durationSeconds: us.map { String(format: "%.3f", Double($0) / 1e6) } ?? "")
                    }
                    video = Video(playerId: "player-\(number)", src: PageLinks.file(play), posterSrc: poster, storyboard: storyboard,
                                  caption: smallest.map { "playing the \($0.preset) rendition (\($0.width)×\($0.height))" } ?? "playing the source")
                }
            }
        }
        var stills: [Still] = []
        for t in a.thumbnails where await present(t.path, "a still") {
            stills.append(Still(src: PageLinks.file(t.path), width: t.width, height: t.height, alt: "still at \(seconds(t.timeUs))",
                                caption: seconds(t.timeUs)))
        }
        var files: [File] = []
        if let s = a.source { files.append(File(href: PageLinks.file(s.path), name: "source", detail: "\(mib(s.bytes))\(a.format.map { ", \($0)" } ?? "")")) }
        if let c = a.cover { files.append(File(href: PageLinks.file(c.path), name: "cover", detail: mib(c.bytes))) }
        if let p = a.poster { files.append(File(href: PageLinks.file(p.path), name: "poster", detail: "\(p.width)×\(p.height)")) }
        for r in a.renditions {
            files.append(File(href: PageLinks.file(r.path), name: r.preset, detail: "\(r.width)×\(r.height), \(mib(r.bytes))"))
        }
        if let b = a.storyboard {
            files.append(File(href: PageLinks.file(b.sprite), name: "storyboard sprite", detail: ""))
            files.append(File(href: PageLinks.file(b.vtt), name: "storyboard WebVTT", detail: ""))
        }
        var seen = Set<String>()
        let skipped = a.skippedPresets.filter { seen.insert($0.preset).inserted }.map { "\($0.preset) skipped: \($0.reason)" }
        return Asset(
            label: label, state: a.state.rawValue, verdict: v?.verdict, reported: seconds(a.reportedDurationUs),
            measured: seconds(v?.measuredDurationUs), delta: v?.deltaUs.map { String(format: "%+.3f s (tolerance %.3f s)", Double($0) / 1e6, Double(v!.toleranceUs) / 1e6) },
            frames: v?.frames ?? 0, decodeErrors: v?.decodeErrors ?? 0, warning: v?.desyncWarning,
            error: a.error.map { "\($0.code): \($0.message)" }, note: CatalogListPage.notes[a.state], video: video, audio: audio, image: image,
            hasStills: !stills.isEmpty, stills: stills, problems: problems, files: files, skipped: skipped)
    }

    private func seconds(_ us: Int64?) -> String { us.map { String(format: "%.3f s", Double($0) / 1e6) } ?? "—" }
    private func mib(_ bytes: Int64) -> String { String(format: "%.2f MiB", Double(bytes) / 1_048_576) }
}

extension CatalogListPage {
    /// Words for the states that have no files to show.
    static let notes: [AssetState: String] = [
        .absent: "Not requested upstream yet (an export is made on request); archived when it appears.",
        .pending: "Being archived, or waiting for the task to settle.",
    ]
}

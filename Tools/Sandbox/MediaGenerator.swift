import Foundation
import Logging

/// Makes the sandbox's media with the ffmpeg CLI, once: every file is written under a temporary name and
/// renamed into place, so an interrupted or concurrent run never leaves a half-written file behind.
struct MediaGenerator {
    let directory: URL
    let logger: Logger

    /// One file the sandbox serves and how to make it.
    private struct Recipe {
        let name: String
        let make: (_ output: String) throws -> Void
    }

    func generateMissing() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for recipe in recipes() {
            let target = directory.appendingPathComponent(recipe.name)
            if FileManager.default.fileExists(atPath: target.path) { continue }
            let started = ContinuousClock.now
            let ext = target.pathExtension
            let temporary = directory.appendingPathComponent(".\(recipe.name).\(getpid()).\(UUID().uuidString.prefix(8)).\(ext)")
            defer { try? FileManager.default.removeItem(at: temporary) }
            try recipe.make(temporary.path)
            if rename(temporary.path, target.path) != 0 {
                throw SandboxError("cannot rename \(temporary.path) to \(target.path): errno \(errno)")
            }
            logger.info("generated media", metadata: ["media.file": "\(recipe.name)", "media.seconds": "\(ContinuousClock.now - started)"])
        }
    }

    private func recipes() -> [Recipe] {
        let dir = directory.path
        return [
            Recipe(name: "demo.mp4") { out in
                try video(out, size: "1080x1920", seconds: "36.096", pattern: "testsrc2", tone: 440)
            },
            Recipe(name: "small.mp4") { out in
                try video(out, size: "360x640", seconds: "4", pattern: "testsrc2", tone: 660)
            },
            // The file that replaces small.mp4 at the same URL in the `changing` scenario: same duration,
            // different pictures and sound, so its bytes and hash differ.
            Recipe(name: "small-alt.mp4") { out in
                try video(out, size: "360x640", seconds: "4", pattern: "testsrc", tone: 880)
            },
            Recipe(name: "truncated.mp4") { out in
                let whole = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/small.mp4"))
                try whole.prefix(whole.count * 6 / 10).write(to: URL(fileURLWithPath: out))
            },
            Recipe(name: "demo.jpg") { out in try cover(from: "\(dir)/demo.mp4", to: out) },
            Recipe(name: "small.jpg") { out in try cover(from: "\(dir)/small.mp4", to: out) },
            // The outputs of the image and voice kinds.
            Recipe(name: "picture.png") { out in
                try ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=640x480", "-frames:v", "1", "-f", "image2", "-c:v", "png", out])
            },
            Recipe(name: "picture.webp") { out in
                try ffmpeg(["-f", "lavfi", "-i", "testsrc=size=512x512", "-frames:v", "1", "-f", "webp", "-c:v", "libwebp", out])
            },
            Recipe(name: "voice.m4a") { out in
                try ffmpeg(["-f", "lavfi", "-i", "sine=frequency=330:sample_rate=44100", "-t", "2.5", "-c:a", "aac",
                            "-ac", "1", "-f", "ipod", out])
            },
            // What an image kind must refuse: a script in an SVG, served as an image.
            Recipe(name: "page.svg") { out in
                let svg = #"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>"#
                try Data(svg.utf8).write(to: URL(fileURLWithPath: out))
            },
        ]
    }

    private func video(_ output: String, size: String, seconds: String, pattern: String, tone: Int) throws {
        try ffmpeg([
            "-f", "lavfi", "-i", "\(pattern)=size=\(size):rate=30",
            "-f", "lavfi", "-i", "sine=frequency=\(tone):sample_rate=48000",
            "-t", seconds,
            "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-r", "30",
            "-c:a", "aac", "-ar", "48000", "-ac", "2",
            "-movflags", "+faststart", "-f", "mp4", output,
        ])
    }

    private func cover(from video: String, to output: String) throws {
        try ffmpeg(["-ss", "1", "-i", video, "-frames:v", "1", "-q:v", "3", "-f", "image2", output])
    }

    private func ffmpeg(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y"] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SandboxError("ffmpeg failed (\(process.terminationStatus)): \(String(decoding: message, as: UTF8.self))")
        }
    }
}

struct SandboxError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

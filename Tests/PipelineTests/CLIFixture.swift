import Catalog
import Foundation
import Testing
import TopView

/// One end-to-end test's world: a sandbox of the TopView API over real HTTP, a fresh storage root, and a
/// distinctive API key that must never show up in any output or stored file.
struct ReelBench: Sendable {
    let sandbox: SandboxProcess
    /// The storage root (`REEL_STORAGE`); not created until `reel` creates it.
    let storage: URL
    let apiKey: String
    /// What else every run gets (an object store's settings).
    var extra: [String: String] = [:]

    /// The environment every run gets: the sandbox, the key, the storage root and a one-rung ladder.
    var environment: [String: String] {
        ["TOPVIEW_BASE_URL": sandbox.url, "TOPVIEW_API_KEY": apiKey, "TOPVIEW_UID": "tests",
         "REEL_STORAGE": storage.path, "REEL_LADDER": "240p"].merging(extra) { _, new in new }
    }

    /// Runs `reel arguments…`; `environment` adds to (or, with nil, removes from) the bench's environment.
    /// Every run is checked for the API key in its output.
    func reel(_ arguments: String..., environment changes: [String: String?] = [:], timeout: Duration = .seconds(240)) async throws -> ReelResult {
        try await ReelProcess.start(arguments, environment: environment(changes)).wait(timeout: timeout).checkedForKey(apiKey)
    }

    /// Starts `reel arguments…` without waiting for it.
    func start(_ arguments: String..., environment changes: [String: String?] = [:], directory: URL? = nil,
               terminal: Bool = false, columns: Int? = nil) throws -> ReelProcess {
        try ReelProcess.start(arguments, environment: environment(changes), directory: directory, terminal: terminal, columns: columns)
    }

    func environment(_ changes: [String: String?]) -> [String: String] {
        var result = environment
        for (name, value) in changes { result[name] = value }
        return result
    }

    /// `reel show TASK --json`, as raw JSON (to check keys and nulls) and as a typed manifest.
    func show(_ task: String) async throws -> (json: JSONValue, manifest: TaskManifest) {
        let result = try await reel("show", task, "--json")
        try #require(result.status == 0, "\(result)")
        let json = try JSONValue.parse(Array(result.stdout.utf8))
        let manifest = try CatalogJSON.decoder().decode(TaskManifest.self, from: Data(result.stdout.utf8))
        return (json, manifest)
    }

    /// `reel ls --json [filters…]`: the listed task ids, in order.
    func ls(_ filters: String...) async throws -> [String] {
        let result = try await ReelProcess.start(["ls", "--json"] + filters, environment: environment).wait()
        try #require(result.status == 0, "\(result)")
        let json = try JSONValue.parse(Array(result.stdout.utf8))
        return try #require(json.arrayValue).compactMap { $0["taskId"]?.stringValue }
    }

    /// The absolute URL of a path the manifest gives relative to the storage root.
    func file(_ relative: String) -> URL { storage.appendingPathComponent(relative) }

    /// The media GETs the sandbox saw for a task.
    func mediaRequests(_ task: String) async throws -> [SandboxRequest] {
        try await sandbox.requests(taskId: task)
    }

    /// Every regular file under the storage root, relative path → (size, inode, modification time).
    func snapshot() -> [String: FileStamp] {
        var stamps: [String: FileStamp] = [:]
        guard let walker = FileManager.default.enumerator(atPath: storage.path) else { return stamps }
        while let relative = walker.nextObject() as? String {
            var info = stat()
            guard stat(storage.appendingPathComponent(relative).path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            stamps[relative] = FileStamp(size: Int64(info.st_size), inode: UInt64(info.st_ino),
                                         modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
        }
        return stamps
    }

    /// Fails the test if any file under the storage root (manifests, index, media) contains the API key.
    func expectKeyNowhereInStorage(sourceLocation: SourceLocation = #_sourceLocation) {
        let needle = Data(apiKey.utf8)
        for relative in snapshot().keys {
            guard let data = FileManager.default.contents(atPath: storage.appendingPathComponent(relative).path) else { continue }
            #expect(data.range(of: needle) == nil, "the API key is in \(relative)", sourceLocation: sourceLocation)
        }
    }
}

struct FileStamp: Equatable, Sendable {
    let size: Int64
    let inode: UInt64
    let modified: Int64
}

/// Runs `body` with a fresh sandbox and storage root; afterwards checks that the key is nowhere in the
/// storage, stops the sandbox and removes the storage.
func withBench<T>(extra: [String: String] = [:], _ body: (ReelBench) async throws -> T) async throws -> T {
    try await withSandbox { sandbox in
        let storage = FileManager.default.temporaryDirectory.appendingPathComponent("reel-cli-\(UUID().uuidString)", isDirectory: true)
        let bench = ReelBench(sandbox: sandbox, storage: storage, apiKey: "tvk-SECRET-\(UUID().uuidString)", extra: extra)
        defer { try? FileManager.default.removeItem(at: storage) }
        let result = try await body(bench)
        bench.expectKeyNowhereInStorage()
        return result
    }
}

/// A unique task id of a sandbox scenario (`ready-1a2b3c4d`).
func taskId(_ scenario: String) -> String {
    "\(scenario)-\(UUID().uuidString.prefix(8).lowercased())"
}

extension ReelResult {
    /// Records an issue if stdout or stderr contains `key`.
    func checkedForKey(_ key: String, sourceLocation: SourceLocation = #_sourceLocation) -> ReelResult {
        #expect(!stdout.contains(key), "the API key is on stdout of \(arguments)", sourceLocation: sourceLocation)
        #expect(!stderr.contains(key), "the API key is on stderr of \(arguments)", sourceLocation: sourceLocation)
        return self
    }
}

/// ffprobe and sha256sum: independent oracles for what the catalog claims.
enum Oracle {
    struct Probe: Sendable {
        let width: Int
        let height: Int
        /// The first video stream's duration, µs.
        let videoDurationUs: Int64?
        /// The container's duration, µs.
        let formatDurationUs: Int64?
    }

    static func sha256sum(_ file: URL) throws -> String {
        try DownloadFixtures.sha256sum(file)
    }

    static func size(_ file: URL) throws -> Int64 {
        try DownloadFixtures.size(file)
    }

    /// `ffprobe` of the first video stream (an image counts as one).
    static func probe(_ file: URL) throws -> Probe {
        let output = try command("ffprobe", "-v", "error", "-select_streams", "v:0",
                                 "-show_entries", "stream=width,height,duration:format=duration", "-of", "json", file.path)
        let json = try JSONValue.parse(Array(output.utf8))
        let stream = try #require(json["streams"]?.arrayValue?.first, "ffprobe found no video stream in \(file.path)")
        func microseconds(_ value: JSONValue?) -> Int64? {
            value?.lenientString.flatMap(Double.init).map { Int64(($0 * 1_000_000).rounded()) }
        }
        return Probe(
            width: Int(stream["width"]?.lenientString ?? "") ?? -1,
            height: Int(stream["height"]?.lenientString ?? "") ?? -1,
            videoDurationUs: microseconds(stream["duration"]),
            formatDurationUs: microseconds(json["format"]?["duration"])
        )
    }

    static func command(_ arguments: String...) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

extension JSONValue {
    /// The keys of an object (empty for anything else).
    var keys: Set<String> { objectValue.map { Set($0.keys) } ?? [] }

    var int64Value: Int64? { lenientString.flatMap { Int64($0) } }
}

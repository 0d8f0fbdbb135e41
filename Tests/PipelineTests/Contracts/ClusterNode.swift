import Catalog
import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing
import TopView

/// One `reel serve` process of a test deployment: its roles, its shared PostgreSQL and the bench's storage root.
struct ClusterNode: Sendable {
    let process: ReelProcess
    let roles: String
    /// 0 without the callbacks role.
    let callbackPort: Int
    let adminPort: Int

    static let secret = "cluster-secret-0123456789"

    /// Starts `reel serve --roles roles` on loopback ports and waits for the line naming them.
    /// `database` nil: the embedded backend (the processes share the bench's storage root).
    static func start(_ bench: ReelBench, database: String?, roles: String, environment changes: [String: String?] = [:]) async throws -> ClusterNode {
        var changes = changes
        changes["REEL_DATABASE_URL"] = .some(database)
        changes["REEL_CALLBACK_SECRET"] = secret
        if changes["REEL_WATCH_INTERVAL"] == nil { changes["REEL_WATCH_INTERVAL"] = "1" }
        if changes["REEL_LOG_LEVEL"] == nil { changes["REEL_LOG_LEVEL"] = "info" }
        if changes["REEL_WORKERS"] == nil { changes["REEL_WORKERS"] = "2" }
        let arguments = ["serve", "--roles", roles, "--storage", bench.storage.path, "--callback-bind", "127.0.0.1:0",
                         "--bind", "127.0.0.1:0", "--preset", "240p"]
        let process = try ReelProcess.start(arguments, environment: bench.environment(changes))
        guard await process.waitForStderr(containing: "admin on http://", timeout: .seconds(60)),
              let line = process.stderrSoFar.split(separator: "\n").first(where: { $0.hasPrefix("reel serve: ") && $0.contains("admin on http://") }),
              let admin = Self.port(after: "admin on http://", in: line) else {
            process.kill(SIGKILL)
            throw ServeTestError(description: "reel serve --roles \(roles) did not start: \(try await process.wait(timeout: .seconds(10)))")
        }
        return ClusterNode(process: process, roles: roles, callbackPort: Self.port(after: "callbacks on http://", in: line) ?? 0, adminPort: admin)
    }

    static func port(after marker: String, in line: Substring) -> Int? {
        guard let range = line.range(of: marker) else { return nil }
        return line[range.upperBound...].prefix { $0 != "/" }.split(separator: ":").last.flatMap { Int($0) }
    }

    var pid: Int32 { process.pid }
    /// The job owner this process claims with (`host:pid`).
    var owner: String { "\(Self.hostname):\(pid)" }
    static let hostname: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, 255)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    func callback(_ body: Data) async throws -> HTTPReply {
        try await LoopbackHTTP.send(port: callbackPort, method: "POST", target: "/callbacks/topview/\(Self.secret)",
                                    headers: [("Content-Type", "application/json"), ("Topview-Uid", "uid-tests")], body: body)
    }

    func admin(_ target: String) async throws -> HTTPReply {
        try await LoopbackHTTP.send(port: adminPort, method: "GET", target: target, headers: [], body: Data())
    }

    /// SIGTERM and the exit (SIGKILL after `timeout`).
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM, timeout: Duration = .seconds(40)) async throws -> ReelResult {
        process.kill(signal)
        return try await process.wait(timeout: timeout)
    }
}

/// Runs `body` with a bench (sandbox, storage root) and a fresh migrated PostgreSQL; every node `body` registers is
/// killed afterwards whatever happens, its log attached to the test when it failed.
func withCluster(store: ClusterStore = .local, _ body: @Sendable (ReelBench, PostgresClient, String, ClusterNodes) async throws -> Void) async throws {
    try await PostgresTestDatabase.withDatabase { client, url in
        try await withBench(extra: store.settings(database: url)) { bench in
            defer { store.removeScratch() }
            let nodes = ClusterNodes()
            do {
                try await body(bench, client, url, nodes)
            } catch {
                for node in nodes.all { node.process.kill(SIGCONT) }
                for node in nodes.all { Issue.record("\(node.roles) \(node.pid): \(node.process.stderrSoFar.suffix(4000))") }
                for node in nodes.all { _ = try? await node.stop(SIGKILL, timeout: .seconds(10)) }
                throw error
            }
            for node in nodes.all where node.process.process.isRunning {
                node.process.kill(SIGCONT)
                _ = try? await node.stop(SIGKILL, timeout: .seconds(10))
            }
        }
    }
}

/// Where a test deployment keeps the catalog's bytes: the bench's storage root, or a fresh prefix of the test bucket
/// (with one scratch directory: the processes of one machine).
enum ClusterStore: Sendable, CustomStringConvertible {
    case local
    case s3(prefix: String, scratch: URL)

    static func freshS3() -> ClusterStore {
        .s3(prefix: "cluster-\(UUID().uuidString.prefix(8).lowercased())",
            scratch: FileManager.default.temporaryDirectory.appendingPathComponent("reel-scratch-\(UUID().uuidString)"))
    }

    var description: String {
        switch self {
        case .local: "local"
        case .s3: "s3"
        }
    }

    var isS3: Bool { if case .s3 = self { true } else { false } }

    /// What every `reel` of the bench gets: the store's settings, and the database (`reel show` reads an object store's
    /// manifests through the deployment).
    func settings(database: String) -> [String: String] {
        switch self {
        case .local: [:]
        case .s3(let prefix, let scratch): S3Oracle.settings(prefix: prefix, scratch: scratch).merging(["REEL_DATABASE_URL": database]) { $1 }
        }
    }

    func removeScratch() {
        if case .s3(_, let scratch) = self { try? FileManager.default.removeItem(at: scratch) }
    }

    /// Every file the store holds for `task`, relative to the catalog root (`tasks/<shard>/<task>/…`).
    func files(ofTask task: String, bench: ReelBench) async throws -> [String] {
        switch self {
        case .local:
            return bench.files(ofTask: task)
        case .s3(let prefix, _):
            let shard = CatalogLayout.shard(of: try TaskID(validating: task))
            return try await S3Oracle.keys(under: "\(prefix)/tasks/\(shard)/\(task)/").map { String($0.dropFirst(prefix.count + 1)) }
        }
    }

    /// Files of a task its manifest does not account for (``ReelBench/unaccountedFiles(ofTask:manifest:)`` on any store).
    func unaccountedFiles(ofTask task: String, manifest: TaskManifest, bench: ReelBench) async throws -> [String] {
        let listed = Set(manifest.referencedPaths)
        return try await files(ofTask: task, bench: bench).filter { path in
            !listed.contains(path) && !path.hasSuffix("/manifest.json") && !path.hasSuffix("/.lock")
        }
    }
}

/// The nodes a cluster test started.
final class ClusterNodes: Sendable {
    private let nodes = Mutex<[ClusterNode]>([])
    var all: [ClusterNode] { nodes.withLock { $0 } }

    func start(_ bench: ReelBench, _ database: String?, roles: String, _ environment: [String: String?] = [:]) async throws -> ClusterNode {
        let node = try await ClusterNode.start(bench, database: database, roles: roles, environment: environment)
        nodes.withLock { $0.append(node) }
        return node
    }
}

extension PostgresClient {
    /// The first column of the first row of `query`, decoded, or nil.
    func value<T: PostgresDecodable & Sendable>(_ query: PostgresQuery, as: T.Type = T.self) async throws -> T? {
        for try await value in try await self.query(query, logger: PostgresTestDatabase.logger).decode(T.self) { return value }
        return nil
    }

    /// Polls until `condition` holds for `query`'s value; false after `timeout`.
    func waitFor<T: PostgresDecodable & Sendable>(_ query: PostgresQuery, as: T.Type = T.self, timeout: Duration = .seconds(120),
                                                  _ condition: (T?) -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(try await value(query, as: T.self)) { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}

import DurableFiles
import Foundation
import GRDB
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension CatalogIndex {
    /// Where a read-only index's rows come from.
    enum ReadOnlySource: String, Sendable {
        /// `index.sqlite` opened read-only, its WAL included (a writable directory, or a WAL with its `-shm`).
        case file
        /// `index.sqlite` opened with `immutable=1` (a read-only medium without a WAL to replay).
        case immutableFile
        /// An in-memory index built from the manifests (no usable `index.sqlite`).
        case manifests
    }

    /// Opens the index of a read-only catalog: nothing is created, written or rebuilt on disk.
    ///
    /// A shared lock on `lockURL` is taken only if that file exists and opens, so that a rebuild in progress is not
    /// read half-done. SQLite needs care with a WAL database here (measured with SQLite 3.40): a read-only
    /// connection must create `-wal` and `-shm` when they are missing, which a read-only directory refuses
    /// (`SQLITE_CANTOPEN`); with both present it reads, WAL included, even when they are read-only. So:
    /// - a writable directory, or a non-empty `-wal` (with its `-shm`): a plain read-only connection;
    /// - a read-only directory without a `-wal` to replay: `immutable=1` (nothing can change the file there);
    /// - no `index.sqlite`, another schema version, or a connection that cannot read (a `-wal` without its `-shm`,
    ///   a damaged file): an in-memory index built from the manifests (one scan), logged.
    static func openReadOnly(url: URL, lockURL: URL, logger: Logger, scan: ManifestScan) throws(CatalogError) -> CatalogIndex {
        let path = url.path
        let lock = FileLock(sharedExisting: lockURL.path)
        defer { lock?.close() }
        try fileIO { () throws(FileError) in try lock?.lockBlocking() }
        if FileIO.isRegularFile(path) {
            let source = readOnlySource(path)
            do {
                let queue = try openFile(path, immutable: source == .immutableFile)
                let version = try queue.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
                if version == schemaVersion {
                    logger.debug("index opened read-only", metadata: ["catalog.index": "\(path)", "catalog.index.source": "\(source)"])
                    return CatalogIndex(database: queue, path: path)
                }
                logger.notice("index has another schema version; listing from the manifests (`reel reindex` on a writable root rebuilds it)", metadata: [
                    "catalog.index": "\(path)", "catalog.index.version": "\(version)",
                ])
            } catch {
                logger.notice("index cannot be read read-only; listing from the manifests (`reel reindex` on a writable root rebuilds it)", metadata: [
                    "catalog.index": "\(path)", "error": "\(error)",
                ])
            }
        }
        do {
            let memory = try DatabaseQueue(configuration: configuration(readonly: false))
            let count = try memory.write { db in
                try createSchema(db)
                return try insertAll(db, scan: scan)
            }
            logger.debug("index built in memory from the manifests", metadata: [
                "catalog.index": "\(path)", "catalog.index.source": "\(ReadOnlySource.manifests)", "catalog.index.tasks": "\(count)",
            ])
            return CatalogIndex(database: memory, path: path)
        } catch let error as CatalogError {
            throw error
        } catch {
            throw .index(path, error)
        }
    }

    /// How `index.sqlite` at `path` can be opened read-only (see ``openReadOnly(url:lockURL:logger:scan:)``).
    static func readOnlySource(_ path: String) -> ReadOnlySource {
        let directory = (path as NSString).deletingLastPathComponent
        if access(directory, W_OK) == 0 { return .file }
        if let wal = FileIO.size(path + "-wal"), wal > 0 { return .file }
        return .immutableFile
    }

    private static func openFile(_ path: String, immutable: Bool) throws -> DatabaseQueue {
        try DatabaseQueue(path: immutable ? "file:\(uriEscaped(path))?immutable=1" : path,
                          configuration: configuration(readonly: true))
    }

    private static func configuration(readonly: Bool) -> Configuration {
        var configuration = Configuration()
        configuration.label = "reelvault.index"
        configuration.readonly = readonly
        configuration.busyMode = .timeout(busyTimeout)
        return configuration
    }

    /// `path` for a `file:` URI: everything but unreserved characters and `/` percent-encoded.
    static func uriEscaped(_ path: String) -> String {
        var escaped = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                escaped.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                escaped += String(format: "%%%02X", byte)
            }
        }
        return escaped
    }
}

import DurableFiles
import Foundation
import ReelBasics

/// The embedded ``WorkerRegistry``: one small JSON file per process, `<root>/workers/<owner>.json`, replaced
/// atomically at each beat. Processes share it on one machine (one storage root).
public struct FileWorkerRegistry: WorkerRegistry {
    public let directory: URL
    static let maximumBytes: Int64 = 64 << 10

    public init(root: URL) {
        directory = root.appendingPathComponent("workers", isDirectory: true)
    }

    public func beat(_ record: WorkerRecord, forgetAfter: Duration) async throws {
        var record = record
        record.heartbeatAt = StoredJSON.now()
        record.startedAt = StoredJSON.milliseconds(record.startedAt)
        try FileIO.createDirectories(directory.path)
        try FileIO.writeAtomically(try StoredJSON.encoder().encode(record), to: file(record.id))
        for old in try await list().workers
        where old.id != record.id && record.heartbeatAt.timeIntervalSince(old.heartbeatAt) > forgetAfter.inSeconds {
            try? FileIO.removeFile(file(old.id).path) // best effort: another process may forget it first
        }
    }

    public func remove(_ id: String) async throws {
        try FileIO.removeFile(file(id).path)
    }

    public func list() async throws -> WorkerListing {
        var workers: [WorkerRecord] = []
        for name in FileIO.names(in: directory.path) where name.hasSuffix(".json") {
            // A file that vanished or does not decode (written by hand, cut by a full disk) is not a process.
            guard let data = try? FileIO.readFile(directory.appendingPathComponent(name).path, limit: Self.maximumBytes),
                  let record = try? StoredJSON.decoder().decode(WorkerRecord.self, from: data) else { continue }
            workers.append(record)
        }
        return WorkerListing(now: Date(), workers: workers.sorted { $0.id < $1.id })
    }

    private func file(_ id: String) -> URL {
        directory.appendingPathComponent(JobOwner.fileStem(id) + ".json")
    }
}

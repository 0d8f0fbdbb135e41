import Catalog
import Pipeline

/// What `reel archive --json` prints for one task: the `reel show --json` document (or, when the run never got as far
/// as a manifest — a task not found, a refused key — the same shape with no assets) and `outcome`: the task's own
/// exit code, its name, why, and the upstream error code behind a failed query.
struct ArchiveReport: Encodable {
    let manifest: TaskManifest
    let outcome: ArchiveOutcome

    private enum Keys: String, CodingKey { case outcome }
    private enum OutcomeKeys: String, CodingKey { case exitCode, result, message, upstreamCode }

    func encode(to encoder: any Encoder) throws {
        try manifest.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        var nested = container.nestedContainer(keyedBy: OutcomeKeys.self, forKey: .outcome)
        try nested.encode(outcome.status.rawValue, forKey: .exitCode)
        try nested.encode(Self.name(outcome.status), forKey: .result)
        try nested.encode(outcome.message.flatMap { $0.isEmpty ? nil : $0 }, forKey: .message)
        try nested.encode(outcome.upstreamCode, forKey: .upstreamCode)
    }

    static func name(_ status: ArchiveStatus) -> String {
        switch status {
        case .ok: "ok"
        case .attention: "attention"
        case .usage: "usage"
        case .notSettled: "notSettled"
        case .unavailable: "unavailable"
        }
    }
}

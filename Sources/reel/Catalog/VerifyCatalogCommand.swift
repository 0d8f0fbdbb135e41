import ArgumentParser
import Catalog
import Foundation
import ReelBasics
import Media

struct VerifyCatalogCommand: ConfiguredCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Audit the catalog's fixity: re-hash every catalogued file against its manifest, re-decode the archived "
            + "sources, report changed, missing and untracked files.",
        discussion: """
        reel verify TASK...   or   reel verify --all. Exit 0 when clean, 1 when something was found.

        EXAMPLES:
          reel verify TASK
          reel verify --all --no-decode
          reel verify --all --json
        """)

    @Argument(help: "Task ids (or --all).") var tasks: [String] = []
    @Flag(name: .long, help: "Check the whole catalog.") var all = false
    @Flag(name: .customLong("no-decode"), help: "Only re-hash; do not re-decode the sources.") var noDecode = false
    @OptionGroup var storage: StorageOptions
    @Flag(name: .long, help: "Print a JSON array of findings ({\"kind\", \"taskId\", \"path\", \"detail\"}); [] when clean.")
    var json = false

    func validate() throws {
        if all == !tasks.isEmpty { throw ValidationError("give task ids or --all") }
    }

    var configurationFlags: ConfigurationFlags { ConfigurationFlags(storage: storage) }

    func run(_ configuration: ReelConfiguration) async throws {
        let ids = try validTaskIDs(tasks)
        let catalog = try configuration.storage.openCatalog(.readOnly)
        var findings: [VerifyFinding] = []
        var targets = ids
        if all {
            findings = try await catalog.verifyAll().map(VerifyFinding.init)
            targets = catalog.allTaskIDs()
        } else {
            for id in ids {
                let inCatalog = try catalog.manifest(for: id) != nil ? true : try await !catalog.store.files(of: id).isEmpty
                guard inCatalog else {
                    findings.append(VerifyFinding(kind: "notInCatalog", taskId: id.rawValue, path: catalog.layout.relativePath(of: catalog.layout.taskDirectory(id)),
                                                  detail: "no such task in the catalog at \(catalog.root.path)"))
                    continue
                }
                findings += try await catalog.verify(id).map(VerifyFinding.init)
            }
        }
        if !noDecode {
            for id in targets {
                findings += await redecode(id, catalog: catalog, skipping: Set(findings.map(\.path)))
            }
        }
        if json { try Output.json(findings) } else {
            for f in findings { Output.line(f.description) }
            Output.line(findings.isEmpty ? "catalog is clean" : "\(findings.count) problem(s)")
        }
        if !findings.isEmpty { throw ReelExit(code: ReelExit.attention, message: "") }
    }

    /// Decodes every archived source of the task again and compares with its recorded verification.
    /// Sources already found changed or missing are skipped (they are reported already).
    private func redecode(_ id: TaskID, catalog: Catalog, skipping: Set<String>) async -> [VerifyFinding] {
        // A manifest that cannot be read is a finding of the fixity check already (unparsableManifest).
        guard let manifest = try? catalog.manifest(for: id) else { return [] }
        var findings: [VerifyFinding] = []
        for asset in manifest.assets {
            guard let source = asset.source, let recorded = asset.verification, !skipping.contains(source.path) else { continue }
            do {
                let reported = asset.reportedDurationUs
                let now = try await catalog.store.withLocalFile(relativePath: source.path) { url in
                    try await MediaEngine.verify(url.path, reportedUs: reported)
                }
                if now.verdict.rawValue != recorded.verdict || now.frames != recorded.frames || now.decodeErrors != recorded.decodeErrors {
                    findings.append(VerifyFinding(
                        kind: "decodeMismatch", taskId: id.rawValue, path: source.path,
                        detail: "decodes as \(now.verdict.rawValue) (\(now.frames) frames, \(now.decodeErrors) decode errors); "
                            + "the manifest says \(recorded.verdict) (\(recorded.frames) frames, \(recorded.decodeErrors) decode errors)"))
                }
            } catch {
                findings.append(VerifyFinding(kind: "decodeMismatch", taskId: id.rawValue, path: source.path, detail: "does not decode: \(error)"))
            }
        }
        return findings
    }
}

/// One finding of `reel verify`: a fixity problem, or a source that no longer decodes as recorded.
/// Printed with the keys of ``FixityProblem``: `kind`, `taskId`, `path`, `detail`.
struct VerifyFinding: Encodable, CustomStringConvertible {
    var kind: String
    var taskId: String?
    var path: String
    var detail: String

    init(kind: String, taskId: String?, path: String, detail: String) {
        self.kind = kind
        self.taskId = taskId
        self.path = path
        self.detail = detail
    }

    init(_ problem: FixityProblem) {
        self.init(kind: problem.kind.rawValue, taskId: problem.taskId, path: problem.path, detail: problem.detail)
    }

    /// The human line: the path and the detail can quote untracked file names and upstream text, so both are escaped.
    var description: String { "\(kind) \(SafeText.escape(path, limit: 1024)): \(SafeText.escape(detail, limit: 1024))" }

    private enum CodingKeys: String, CodingKey { case kind, taskId, path, detail }

    /// Every key is written, `null` when absent.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(taskId, forKey: .taskId)
        try c.encode(path, forKey: .path)
        try c.encode(detail, forKey: .detail)
    }
}

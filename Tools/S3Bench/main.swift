// reel-s3-bench: one upload or one download through the project's S3 client, timed, for Tools/bench/s3.sh.
//
//   reel-s3-bench put FILE KEY [SHA256]
//                                uploads FILE to KEY as an archive commit does (S3AssetStore.commit). With SHA256 (the
//                                archive's case: a source's digest comes from its download, a derived file's from its
//                                record), it goes up with the bytes: one PUT, or parts each hashed as they go with the
//                                whole checked beside them; without, the commit hashes the file first. FILE itself is
//                                kept (a hard link of it is what the commit consumes)
//   reel-s3-bench get KEY FILE   downloads KEY to FILE (S3Client.download: ranged GETs in parallel above 32 MiB, each
//                                written at its place, fsynced)
//
// Settings from the environment: REEL_S3_ENDPOINT (http:// only for loopback), REEL_TEST_S3_BUCKET, AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (optional), AWS_REGION (default us-east-1); addressing is path-style.
// Prints `<seconds> <MiB/s> <sha256>` on stdout (for put, the SHA-256 the store recorded) and a readable line on
// stderr. Exit 2 for a usage or setting error, 1 for a failed transfer.
import Catalog
import Foundation
import ObjectStore
import ReelBasics

func fail(_ message: String, status: Int32) -> Never {
    FileHandle.standardError.write(Data("reel-s3-bench: \(message)\n".utf8))
    exit(status)
}

let usage = "usage: reel-s3-bench put FILE KEY [SHA256] | get KEY FILE"
let arguments = CommandLine.arguments.dropFirst()
guard let verb = arguments.first, arguments.count == 3 || (verb == "put" && arguments.count == 4),
      verb == "put" || verb == "get" else { fail(usage, status: 2) }
let known = arguments.count == 4 ? arguments.last : nil
let (first, second) = (arguments[arguments.startIndex + 1], arguments[arguments.startIndex + 2])

let environment = ProcessInfo.processInfo.environment
func setting(_ name: String, default value: String? = nil) -> String {
    guard let found = environment[name].flatMap({ $0.isEmpty ? nil : $0 }) ?? value else { fail("\(name) is not set", status: 2) }
    return found
}

let client: S3Client
do {
    let location = try S3Location(store: "s3://" + setting("REEL_TEST_S3_BUCKET"), endpoint: setting("REEL_S3_ENDPOINT"),
                                  pathStyle: true, region: setting("AWS_REGION", default: "us-east-1"))
    client = S3Client(location: location,
                      credentials: S3Credentials(accessKeyId: setting("AWS_ACCESS_KEY_ID"),
                                                 secretAccessKey: setting("AWS_SECRET_ACCESS_KEY"),
                                                 sessionToken: environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }))
} catch {
    fail("\(error)", status: 2)
}

/// Uploads `file` to `key` the way the archive commits a file, from a hard link (the commit removes what it uploads).
func put(_ file: URL, key: String, sha256: String?) async throws -> (bytes: Int64, sha256: String) {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("reel-s3-bench-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let staged = file.deletingLastPathComponent().appendingPathComponent(".reel-s3-bench-\(UUID().uuidString)")
    try FileManager.default.linkItem(at: file, to: staged)
    defer { try? FileManager.default.removeItem(at: staged) }
    let store = S3AssetStore(client: client, scratch: CatalogLayout(root: scratch))
    try await store.commit(staged: staged, to: key, sha256: sha256)
    guard let head = try await client.head(key) else { fail("no object \(SafeText.escape(key, limit: 200)) after its upload", status: 1) }
    return (head.size, head.sha256 ?? "?")
}

let clock = ContinuousClock()
let start = clock.now
let result: (bytes: Int64, sha256: String)
do {
    if verb == "put" {
        result = try await put(URL(fileURLWithPath: first), key: second, sha256: known)
    } else {
        guard let bytes = try await client.download(first, to: URL(fileURLWithPath: second)) else {
            fail("no object \(SafeText.escape(first, limit: 200))", status: 1)
        }
        result = (bytes, "-") // the script checks the file with sha256sum
    }
} catch {
    fail("\(verb) failed: \(error)", status: 1)
}
let elapsed = start.duration(to: clock.now)
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
let rate = Double(result.bytes) / 1_048_576 / max(seconds, 1e-9)
let (secondsText, rateText) = (String(format: "%.3f", seconds), String(format: "%.1f", rate))
print("\(secondsText) \(rateText) \(result.sha256)")
FileHandle.standardError.write(Data("reel-s3-bench: \(verb) \(result.bytes) bytes in \(secondsText) s (\(rateText) MiB/s)\n".utf8))

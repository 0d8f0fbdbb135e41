import Catalog
import Foundation
import Testing
import TopView

/// Two upstream items with one `scriptId` and role (the sandbox's `duplicate` scenario: two previews of script 0 at
/// different URLs): the first is archived, the asset records `upstream.duplicate_item` naming both URLs without their
/// query strings, and `reel archive` exits 1, on every run while the upstream keeps the duplicate.
@Suite struct DuplicateItemTests {
    @Test func theFirstIsArchivedAndTheDuplicateIsReportedWithExitOne() async throws {
        try await withBench { bench in
            let task = taskId("duplicate")
            let run = try await bench.reel("archive", task)
            #expect(run.status == 1, "\(run)")
            #expect(run.stderr.contains("upstream lists 2 items for script 0 preview"), "\(run)")

            let (json, manifest) = try await bench.show(task)
            ArchiveContract.check(json, storage: bench.storage)
            #expect(manifest.assets.count == 2, "one asset per script and role: \(manifest.assets)")
            let preview = try #require(manifest.asset(scriptId: 0, role: .preview))
            #expect(preview.state == .archived)
            let error = try #require(preview.error, "the duplicate is reported, not dropped silently")
            #expect(error.code == "upstream.duplicate_item")
            let first = "\(bench.sandbox.url)/media/\(task)/preview-0.mp4"
            let second = "\(bench.sandbox.url)/media/\(task)/preview-0-again.mp4"
            #expect(error.message.contains("\(first), \(second)"), "both URLs, the archived one first: \(error.message)")
            #expect(!error.message.contains("?") && !error.message.contains("Signature"), "\(error.message)")
            #expect(preview.source?.url == first, "the first item is the one archived")
            #expect(try Oracle.sha256sum(bench.file(try #require(preview.source).path)) == preview.source?.sha256)
            #expect(manifest.asset(scriptId: 0, role: .export)?.error == nil)

            // Only the kept item was downloaded.
            let requests = try await bench.mediaRequests(task)
            let fetched = Set(requests.map(\.path))
            #expect(!fetched.contains { $0.hasSuffix("preview-0-again.mp4") }, "\(fetched)")

            // A rerun keeps the archived asset (nothing downloaded again) and still asks for attention, as JSON too.
            let again = try await bench.reel("archive", task, "--json")
            #expect(again.status == 1, "\(again)")
            let outcome = try JSONValue.parse(Array(again.stdout.utf8))["outcome"]
            #expect(outcome?["result"]?.stringValue == "attention", "\(again.stdout)")
            #expect(outcome?["message"]?.stringValue?.contains(second) == true, "\(again.stdout)")
            #expect(try await bench.mediaRequests(task).count == requests.count, "the rerun downloads nothing")
        }
    }
}

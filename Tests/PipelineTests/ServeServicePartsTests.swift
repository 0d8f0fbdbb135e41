import Catalog
import Foundation
import Testing
@testable import Pipeline

/// The service's small parts, directly: stage timing from archive events, the upstream code of an outcome, and
/// the `show --json` document.
@Suite("reel serve: service parts")
struct ServeServicePartsTests {
    @Test func stageClockTimesEachItemsStages() async throws {
        let clock = StageClock()
        clock.observe(.querying(task: "t", attempt: 1))
        try await Task.sleep(for: .milliseconds(20))
        clock.observe(.stage(task: "t", scriptId: 0, role: "preview", stage: "download"))
        clock.observe(.stage(task: "t", scriptId: 0, role: "export", stage: "download"))
        clock.observe(.progress(task: "t", scriptId: 0, role: "preview", stage: "download", fraction: 0.5))
        try await Task.sleep(for: .milliseconds(20))
        clock.observe(.stage(task: "t", scriptId: 0, role: "preview", stage: "process"))
        clock.observe(.assetDone(task: "t", scriptId: 0, role: "preview", state: "archived", detail: "match"))
        clock.observe(.querying(task: "t", attempt: 2))  // a re-query for a fresh URL is not a second query stage
        clock.observe(.taskDone(task: "t", status: .ok, message: nil))
        let stages = clock.durations.map(\.stage)
        #expect(stages.sorted() == ["download", "download", "process", "query"], "\(stages)")
        let query = try #require(clock.durations.first { $0.stage == "query" })
        #expect(query.duration >= .milliseconds(20))
        #expect(clock.durations.allSatisfy { $0.duration >= .zero })
    }

    @Test func theShowDocumentIsTheStoredManifestWithANewline() throws {
        var manifest = TaskManifest(taskId: try TaskID(validating: "ready-1"), kind: "m2v", createdAt: Date(timeIntervalSince1970: 1_700_000_000.25))
        manifest.status = "success"
        let data = try ShowDocument.encode(manifest)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.hasPrefix("{\n  \"archivedAt\" : null,\n  \"assets\" : ["), "pretty, sorted keys")
        #expect(text.hasSuffix("}\n"))
        #expect(data.dropLast() == (try CatalogJSON.encoder(pretty: true).encode(manifest)))
        #expect(try CatalogJSON.decoder().decode(TaskManifest.self, from: data) == manifest)
    }

    @Test func onlyAJobThatChangedTheManifestNotifies() throws {
        let id = try TaskID(validating: "ready-1")
        let before = TaskManifest(taskId: id, kind: "m2v", status: "success", createdAt: Date(timeIntervalSince1970: 1000))
        var touched = before
        touched.updatedAt = Date(timeIntervalSince1970: 2000)
        touched.createdAt = Date(timeIntervalSince1970: 999.999)
        #expect(WorkerPool.hasNews(before: nil, after: before))
        #expect(!WorkerPool.hasNews(before: before, after: touched))
        var archived = touched
        archived.assets = [AssetRecord(scriptId: 0, role: .export, state: .archived)]
        #expect(WorkerPool.hasNews(before: before, after: archived))
        var failed = touched
        failed.status = "fail"
        #expect(WorkerPool.hasNews(before: before, after: failed))
    }
}

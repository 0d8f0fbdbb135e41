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

    @Test(arguments: [
        ("TopView answered code 4004: Resource not found!. Check the task id.", "4004"),
        ("TopView stayed unavailable after 6 attempts (last code 5003: Server is busy). Try again later.", "5003"),
        ("TopView answered HTTP 502 without an API envelope: html. Temporary; retry later.", "http_502"),
        ("TopView could not be reached or gave an unusable answer: refused. Check the network.", "transport"),
    ])
    func upstreamCodesComeFromTheOutcome(_ message: String, _ code: String) {
        #expect(JobMetrics.upstreamCode(in: message) == code)
    }

    @Test func otherOutcomesHaveNoUpstreamCode() {
        for message in [nil, "script 0 preview: duration mismatch", "catalog: disk full", "answered code 4004"] as [String?] {
            #expect(JobMetrics.upstreamCode(in: message) == nil, "\(String(describing: message))")
        }
    }

    @Test func theShowDocumentIsTheStoredManifestWithANewline() throws {
        var manifest = TaskManifest(taskId: try TaskID(validating: "ready-1"), kind: "m2v", createdAt: Date(timeIntervalSince1970: 1_700_000_000.25))
        manifest.status = "success"
        let data = try ShowDocument.encode(manifest)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.hasPrefix("{\n  \"assets\" : ["), "pretty, sorted keys")
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

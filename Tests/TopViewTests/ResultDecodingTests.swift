import Foundation
import Testing
import TopView

@Suite("Liberal decoding of task results")
struct ResultDecodingTests {
    private func parse(_ text: String) throws -> JSONValue {
        try JSONValue.parse(Array(text.utf8))
    }

    @Test func jsonValueKeepsTypesApart() throws {
        let value = try parse(#"{"a": true, "b": 1, "c": "1", "d": null, "e": [false, 2.5], "f": {}}"#)
        #expect(value["a"] == .bool(true))
        #expect(value["b"] == .number(1))
        #expect(value["c"] == .string("1"))
        #expect(value["d"] == .null)
        #expect(value["e"] == .array([.bool(false), .number(2.5)]))
        #expect(value["f"] == .object([:]))
        #expect(value["missing"] == nil)
        let roundTrip = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
        #expect(roundTrip == value)
    }

    @Test func itemsWithoutUsableScriptIdAreNumberedByIndexWithoutCollisions() throws {
        let result = try parse(#"""
        {"taskId": "t", "status": "running",
         "previewVideos": [
           {"status": "success"},
           {"scriptId": 0, "status": "running"},
           null,
           {"scriptId": "x", "status": "init"},
           {"scriptId": 1.5},
           {"scriptId": 7}
         ],
         "exportVideos": [{"scriptId": null}]}
        """#)
        let snapshot = try M2VKind.snapshot(from: result)
        let previews = snapshot.items.filter { $0.role == "preview" }.map(\.scriptId)
        // index 0 is claimed by the explicit 0 -> smallest free id (1); index 3 is free; index 4 is free; 7 explicit.
        #expect(previews == [1, 0, 3, 4, 7])
        #expect(snapshot.items.filter { $0.role == "export" }.map(\.scriptId) == [0])
        #expect(!snapshot.isSettled)
    }

    @Test func durationsAcceptNumbersAndNumericStrings() throws {
        let result = try parse(#"""
        {"taskId": "t", "status": "success", "previewVideos": [
          {"scriptId": 0, "videoDuration": 36096000},
          {"scriptId": 1, "videoDuration": 36096000.0},
          {"scriptId": 2, "videoDuration": "36096000"},
          {"scriptId": 3, "videoDuration": " 1.5e6 "},
          {"scriptId": 4, "videoDuration": -5},
          {"scriptId": 5, "videoDuration": "soon"},
          {"scriptId": 6, "videoDuration": {"us": 1}},
          {"scriptId": 7}
        ]}
        """#)
        let durations = try M2VKind.snapshot(from: result).items.map(\.reportedDurationUs)
        #expect(durations == [36_096_000, 36_096_000, 36_096_000, 1_500_000, nil, nil, nil, nil])
    }

    @Test func nullFieldsEverywhereAreFine() throws {
        let result = try parse(#"""
        {"taskId": "t", "status": null, "errorMsg": null, "previewVideos": [
          {"scriptId": 0, "status": null, "title": null, "videoUrl": null, "coverUrl": "", "videoDuration": null}]}
        """#)
        let snapshot = try M2VKind.snapshot(from: result)
        #expect(snapshot.items == [VideoItem(scriptId: 0, role: "preview")])
        #expect(snapshot.status == nil)
        #expect(!snapshot.isSettled)
    }

    @Test func resultsThatCannotIdentifyTheTaskAreRefused() throws {
        for text in [#"null"#, #"[]"#, #"{"status": "success"}"#, #"{"taskId": ""}"#,
                     #"{"taskId": "t", "previewVideos": {"scriptId": 0}}"#] {
            #expect(throws: TopViewError.invalidResult) { try M2VKind.snapshot(from: try parse(text)) }
        }
    }

    @Test func taskStatusFallsBackToTaskStatusField() throws {
        let snapshot = try M2VKind.snapshot(from: try parse(#"{"taskId": 123, "taskStatus": "failed", "errorMsg": "boom"}"#))
        #expect(snapshot.taskId == "123")
        #expect(snapshot.status == "failed")
        #expect(snapshot.errorMsg == "boom")
        #expect(snapshot.isSettled)
        #expect(snapshot.isFailed)
    }

    @Test func settledNeedsTerminalTaskAndNoItemInProgress() {
        func snapshot(_ status: String?, _ items: [String?]) -> TaskSnapshot {
            TaskSnapshot(
                taskId: "t", kind: "m2v", status: status, errorMsg: nil,
                items: items.enumerated().map { VideoItem(scriptId: $0.offset, role: "preview", status: $0.element) }
            )
        }
        #expect(snapshot("success", ["success", nil, "fail"]).isSettled)
        #expect(snapshot("fail", []).isSettled)
        #expect(snapshot("FAILED", ["success"]).isSettled)
        #expect(!snapshot("success", ["success", "running"]).isSettled)
        #expect(!snapshot("success", ["init"]).isSettled)
        #expect(!snapshot("running", ["success"]).isSettled)
        #expect(!snapshot("init", []).isSettled)
        #expect(!snapshot(nil, []).isSettled)
    }

    @Test func registryFindsKindsByNameAndBizType() throws {
        func id(_ kind: (any TaskKind.Type)?) -> ObjectIdentifier? { kind.map { ObjectIdentifier($0) } }
        let m2v = ObjectIdentifier(M2VKind.self)
        #expect(id(TaskKinds.kind(named: "m2v")) == m2v)
        #expect(id(TaskKinds.kind(named: "M2V")) == m2v)
        #expect(TaskKinds.kind(named: "avatar") == nil)
        for bizType in ["M2V_PREVIEW", "M2V_EXPORT", "m2v_export"] {
            #expect(id(TaskKinds.kind(forBizType: bizType)) == m2v)
        }
        for bizType in ["SCRAPER", "M2V_SCRIPT", "", "M2V"] {
            #expect(TaskKinds.kind(forBizType: bizType) == nil, "a script or a scrape is not media")
        }
        #expect(TaskKinds.all.count == 14, "every kind of topview-kinds.md that yields media (TaskKindsTests)")
        #expect(M2VKind.queryPath == "/v1/m2v/task/query")
    }
}

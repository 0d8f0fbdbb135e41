import Foundation
import Testing
import TopView

@Suite("Callbacks")
struct CallbackTests {
    private func decode(_ text: String, maxBytes: Int = CallbackNotice.defaultMaxBytes) throws(CallbackError) -> CallbackNotice {
        try CallbackNotice.decode(Array(text.utf8), maxBytes: maxBytes)
    }

    @Test func decodesResultAsObject() throws {
        let notice = try decode(#"""
        {"uuid": "u-1", "bizType": "M2V_EXPORT", "taskId": "t-1", "status": "success", "errorMsg": null,
         "extra": 1, "result": {"taskId": "t-1", "status": "success", "exportVideos": []}}
        """#)
        #expect(notice.uuid == "u-1")
        #expect(notice.bizType == "M2V_EXPORT")
        #expect(notice.taskId == "t-1")
        #expect(notice.status == "success")
        #expect(notice.errorMsg == nil)
        #expect(notice.result?["status"] == .string("success"))
        let snapshot = try M2VKind.snapshot(from: try #require(notice.result))
        #expect(snapshot.taskId == "t-1")
    }

    @Test func decodesResultAsJSONString() throws {
        let notice = try decode(#"""
        {"uuid": "u-2", "taskId": "t-2", "status": "fail", "errorMsg": "boom",
         "result": "{\"taskId\": \"t-2\", \"status\": \"fail\"}"}
        """#)
        #expect(notice.result == .object(["taskId": .string("t-2"), "status": .string("fail")]))
        #expect(notice.bizType == nil)
        #expect(notice.errorMsg == "boom")
    }

    @Test func decodableConformanceAgrees() throws {
        let data = Data(#"{"uuid":"u","taskId":"t","result":null}"#.utf8)
        let notice = try JSONDecoder().decode(CallbackNotice.self, from: data)
        #expect(notice == CallbackNotice(uuid: "u", taskId: "t"))
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(CallbackNotice.self, from: Data(#"{"uuid":"u"}"#.utf8))
        }
    }

    @Test(arguments: [
        ("<html>nope</html>", CallbackError.notJSON),
        ("", .notJSON),
        (#"{"uuid": "u", "taskId": "t""#, .notJSON),
        (#"["uuid"]"#, .notAnObject),
        (#"{"taskId": "t"}"#, .missingField("uuid")),
        (#"{"uuid": "", "taskId": "t"}"#, .missingField("uuid")),
        (#"{"uuid": "u", "taskId": null}"#, .missingField("taskId")),
        (#"{"uuid": 5, "taskId": "t"}"#, .wrongType(field: "uuid", expected: "a string")),
        (#"{"uuid": "u", "taskId": ["t"]}"#, .wrongType(field: "taskId", expected: "a string")),
        (#"{"uuid": "u", "taskId": "t", "status": {}}"#, .wrongType(field: "status", expected: "a string or null")),
        (#"{"uuid": "u", "taskId": "t", "result": 42}"#,
         .wrongType(field: "result", expected: "an object or a JSON string containing an object")),
        (#"{"uuid": "u", "taskId": "t", "result": "not json"}"#,
         .wrongType(field: "result", expected: "an object or a JSON string containing an object")),
        (#"{"uuid": "u", "taskId": "t", "result": "[1]"}"#,
         .wrongType(field: "result", expected: "an object or a JSON string containing an object")),
    ])
    func malformedCallbacksGetTypedErrors(body: String, expected: CallbackError) {
        #expect(throws: expected) { try decode(body) }
    }

    @Test func oversizedCallbackIsRefusedBeforeParsing() {
        let body = #"{"uuid": "u", "taskId": "t", "pad": ""# + String(repeating: "x", count: 2_000) + #""}"#
        #expect(throws: CallbackError.tooLarge(limit: 1_000)) { try decode(body, maxBytes: 1_000) }
        #expect(throws: Never.self) { try decode(body, maxBytes: 10_000) }
        let error = CallbackError.tooLarge(limit: 1_000)
        #expect(error.description.contains("1000"))
        #expect(CallbackError.missingField("uuid").field == "uuid")
    }

    @Test func acknowledgementHasTheDocumentedShape() throws {
        let ack = CallbackAcknowledgement(uuid: "u-9", topviewUid: "uid-42")
        let json = try JSONValue.parse(ack.jsonBytes())
        #expect(json == .object([
            "code": .string("200"),
            "message": .string("Success"),
            "result": .object([
                "uuid": .string("u-9"),
                "topviewUid": .string("uid-42"),
                "result": .string("success"),
            ]),
        ]))
        let viaEncoder = try JSONValue.parse(Array(JSONEncoder().encode(ack)))
        #expect(viaEncoder == json)
        let noUid = try JSONValue.parse(CallbackAcknowledgement(uuid: "u", topviewUid: nil).jsonBytes())
        #expect(noUid["result"]?["topviewUid"] == .string(""))
    }
}

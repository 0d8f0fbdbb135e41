import Testing
import TopView

@Suite("TopViewClient over loopback HTTP")
struct ClientQueryTests {
    @Test func decodesTheFragmentExample() async throws {
        try await withLoopbackServer([.json(fragmentExample)]) { server in
            let snapshot = try await makeClient(server).query(kind: M2VKind.self, taskId: fragmentTaskId)
            #expect(snapshot.taskId == fragmentTaskId)
            #expect(snapshot.kind == "m2v")
            #expect(snapshot.status == "success")
            #expect(snapshot.errorMsg == nil)
            #expect(snapshot.items.count == 2)
            let preview = try #require(snapshot.items.first { $0.role == "preview" })
            #expect(preview.scriptId == 0)
            #expect(preview.status == "success")
            #expect(preview.reportedDurationUs == 36_096_000)
            #expect(preview.videoURL?.hasSuffix("487a84446461405088b751861d497dfd_topview.ai.mp4") == true)
            #expect(preview.coverURL?.hasSuffix(".jpg") == true)
            #expect(preview.isReady)
            let export = try #require(snapshot.items.first { $0.role == "export" })
            #expect(export == VideoItem(scriptId: 0, role: "export"))
            #expect(!export.isReady)
            #expect(snapshot.isSettled)
        }
    }

    @Test func sendsPathQueryAndHeaders() async throws {
        try await withLoopbackServer([.json(fragmentExample)]) { server in
            _ = try await makeClient(server).query(kind: M2VKind.self, taskId: fragmentTaskId)
            let request = try #require(server.requests.first)
            #expect(server.requests.count == 1)
            #expect(request.method == "GET")
            #expect(request.uri == "/v1/m2v/task/query?taskId=\(fragmentTaskId)")
            #expect(request.header("Authorization") == "Bearer \(testKey)")
            #expect(request.header("Topview-Uid") == testUid)
            #expect(request.header("Accept") == "application/json")
        }
    }

    @Test func omitsTheUidHeaderWhenNoUid() async throws {
        try await withLoopbackServer([.json(fragmentExample)]) { server in
            _ = try await makeClient(server, uid: nil).query(kind: M2VKind.self, taskId: fragmentTaskId)
            let request = try #require(server.requests.first)
            #expect(request.header("Topview-Uid") == nil)
            #expect(request.header("Authorization") == "Bearer \(testKey)")
        }
    }

    @Test func percentEncodesTheTaskId() async throws {
        let taskId = "a b/c?d&e=é"
        let body = #"{"code":"200","message":"ok","result":{"taskId":"a b/c?d&e=é","status":"running"}}"#
        try await withLoopbackServer([.json(body)]) { server in
            let snapshot = try await makeClient(server).query(kind: M2VKind.self, taskId: taskId)
            #expect(snapshot.taskId == taskId)
            #expect(server.requests.first?.uri == "/v1/m2v/task/query?taskId=a%20b%2Fc%3Fd%26e%3D%C3%A9")
        }
    }

    @Test func toleratesTrailingSlashInBaseURL() async throws {
        try await withLoopbackServer([.json(fragmentExample)]) { server in
            let client = makeClient(baseURL: server.baseURL + "/")
            _ = try await client.query(kind: M2VKind.self, taskId: fragmentTaskId)
            #expect(server.requests.first?.uri.hasPrefix("/v1/m2v/task/query?") == true)
        }
    }

    @Test func ignoresUnknownFieldsAndAcceptsNumericCodeAndLooseNumbers() async throws {
        let body = #"""
        {"code": 200, "message": "Success", "traceId": "x", "extra": {"deep": [1, 2, {"a": null}]},
         "result": {"taskId": "t1", "status": "success", "productName": "shoe", "costCredit": 3.5,
           "previewVideos": [
             {"scriptId": "2", "status": "success", "videoUrl": "https://x.cloudfront.net/a.mp4",
              "videoDuration": "1500000", "videoEtag": "abc", "scenes": [{"k": 1}]},
             {"scriptId": 3.0, "status": "fail", "videoDuration": 2500000.6, "title": "Third"}
           ],
           "exportVideos": null}}
        """#
        try await withLoopbackServer([.json(body)]) { server in
            let snapshot = try await makeClient(server).query(kind: M2VKind.self, taskId: "t1")
            #expect(snapshot.items == [
                VideoItem(scriptId: 2, role: "preview", status: "success",
                          videoURL: "https://x.cloudfront.net/a.mp4", reportedDurationUs: 1_500_000),
                VideoItem(scriptId: 3, role: "preview", status: "fail", title: "Third", reportedDurationUs: 2_500_001),
            ])
            #expect(snapshot.isSettled)
        }
    }

    @Test func refusesAnAnswerAboutAnotherTask() async throws {
        let body = #"{"code":"200","message":"ok","result":{"taskId":"other","status":"success"}}"#
        try await withLoopbackServer([.json(body)]) { server in
            let error = await expectTopViewError { try await makeClient(server, retry: .fast).query(kind: M2VKind.self, taskId: "mine") }
            #expect(error == .invalidResult)
            #expect(error?.disposition == .permanent)
            #expect(server.requests.count == 1)
        }
    }

    @Test func missingKeySendsNothing() async throws {
        try await withLoopbackServer([.json(fragmentExample)]) { server in
            for key in [nil, ""] as [String?] {
                let error = await expectTopViewError {
                    try await makeClient(server, retry: .fast, apiKey: key).query(kind: M2VKind.self, taskId: fragmentTaskId)
                }
                #expect(error == .missingCredentials)
                #expect(error?.disposition == .credentials)
                #expect(error?.description.contains("TOPVIEW_API_KEY") == true)
            }
            #expect(server.requests.isEmpty)
        }
    }

    @Test func keyWithLineBreakIsRefusedWithoutEchoingIt() async throws {
        try await withLoopbackServer([.json(fragmentExample)]) { server in
            let badKey = "abc\r\nX-Evil: 1"
            let error = await expectTopViewError {
                try await makeClient(server, apiKey: badKey).query(kind: M2VKind.self, taskId: fragmentTaskId)
            }
            #expect(error == .invalidConfiguration)
            #expect(error?.description.contains("abc") == false)
            #expect(server.requests.isEmpty)
        }
    }

    @Test func nonHTTPBaseURLIsAConfigurationError() async throws {
        let error = await expectTopViewError {
            try await makeClient(baseURL: "ftp://example.invalid").query(kind: M2VKind.self, taskId: "t")
        }
        #expect(error == .invalidConfiguration)
    }
}

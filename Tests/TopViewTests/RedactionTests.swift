import Foundation
import ReelTestSupport
import Testing
import TopView
import ReelBasics

@Suite("The API key never leaks")
struct RedactionTests {
    @Test func configurationPrintsNoKey() {
        let config = TopViewConfiguration(apiKey: testKey, uid: testUid)
        let texts = [
            String(describing: config),
            String(reflecting: config),
            "\(config)",
            { var out = ""; dump(config, to: &out); return out }(),
        ]
        for text in texts {
            #expect(!text.contains(testKey), "leaked in: \(text)")
        }
        #expect(String(describing: config).contains("apiKey: <redacted>"))
        #expect(String(describing: TopViewConfiguration()).contains("apiKey: nil"))
    }

    /// The environment is read by `reel`'s configuration (`ReelConfigurationTests`); here, what an unset value means.
    @Test func defaults() {
        let empty = TopViewConfiguration()
        #expect(empty.baseURL == "https://api.topview.ai")
        #expect(empty.apiKey == nil)
        #expect(empty.uid == nil)
        #expect(empty.requestTimeout == .seconds(30))
        #expect(empty.maxBodyBytes == 4 * 1024 * 1024)
        #expect(empty.retry == RetryPolicy())
    }

    @Test func errorsAndLogsCarryNoKey() async throws {
        // The upstream echoes the key back in its message: the client must not repeat it.
        let echo = ScriptedResponse.envelope(code: "4002", message: "bad signature for \(testKey)")
        let scripts: [[ScriptedResponse]] = [
            [echo],
            [.envelope(code: "5000")],
            [.html(status: 502)],
            [ScriptedResponse(status: 401, headers: [], body: Array("Bearer \(testKey) rejected".utf8))],
        ]
        let logs = LogCapture()
        var errors: [TopViewError] = []
        for script in scripts {
            try await withLoopbackServer(script) { server in
                let error = await expectTopViewError {
                    try await makeClient(server, retry: .fast, logger: logs.logger()).query(kind: M2VKind.self, taskId: "t")
                }
                if let error { errors.append(error) }
            }
        }
        let refusing = try RefusingPort() // refused for as long as the test holds it
        defer { withExtendedLifetime(refusing) {} }
        let deadURL = refusing.url
        if let error = await expectTopViewError({
            try await makeClient(baseURL: deadURL, retry: .fast, requestTimeout: .milliseconds(300), logger: logs.logger()).query(kind: M2VKind.self, taskId: "t")
        }) {
            errors.append(error)
        }
        #expect(errors.count == 5)
        for error in errors {
            for text in [error.description, String(reflecting: error), error.message, "\(error.underlying.map { "\($0)" } ?? "")"] {
                #expect(!text.contains(testKey), "leaked in: \(text)")
            }
        }
        #expect(errors[0].message.contains("<redacted>"))
        #expect(!logs.records.isEmpty)
        for record in logs.records {
            #expect(!record.message.contains(testKey))
            for (key, value) in record.metadata {
                #expect(!value.contains(testKey), "leaked in metadata \(key)")
            }
        }
    }

    @Test func snapshotJSONCarriesNoKey() async throws {
        try await withLoopbackServer([.json(fragmentExample)]) { server in
            let snapshot = try await makeClient(server).query(kind: M2VKind.self, taskId: fragmentTaskId)
            let encoded = try JSONEncoder().encode(snapshot)
            #expect(!String(decoding: encoded, as: UTF8.self).contains(testKey))
            #expect(try JSONDecoder().decode(TaskSnapshot.self, from: encoded) == snapshot)
        }
    }

    @Test(arguments: [
        ("https://aigc.s3.amazonaws.com/v/a.mp4?X-Amz-Signature=abc&X-Amz-Expires=3600", "https://aigc.s3.amazonaws.com/v/a.mp4"),
        ("https://user:pa%40ss@host.example:8443/p/q.jpg?sig=1#frag", "https://host.example:8443/p/q.jpg"),
        ("https://d1.cloudfront.net/x.mp4#t=10", "https://d1.cloudfront.net/x.mp4"),
        ("https://d1.cloudfront.net/x.mp4", "https://d1.cloudfront.net/x.mp4"),
        ("https://host/path@with-at?x=1", "https://host/path@with-at"),
        ("not a url?token=1", "not a url"),
        ("", ""),
    ])
    func redactedURLDropsSecrets(input: String, expected: String) {
        #expect(redactedURL(input) == expected)
    }
}

import Catalog
import Foundation
import Hummingbird
import HummingbirdTesting
import Pipeline
import Prometheus
@testable import ReelServer
import Testing
import TopView

/// The admin listener's routes in process (`app.test(.router)`) over a real catalog on disk (``ServedCatalogFixture``):
/// the bearer token on every route but `/healthz`, the task API and the catalog page. The same responder as
/// `reel serve`'s; `/files` over real sockets is ``ServeFilesTests``', the work behind the numbers the binary tests'.
@Suite struct AdminRouteTests {
    static func withRoutes(adminToken: String? = nil,
                           _ body: @Sendable (ServedCatalogFixture, any TestClientProtocol) async throws -> Void) async throws {
        let fixture = try await ServedCatalogFixture.make()
        defer { fixture.remove() }
        let configuration = ServerConfiguration(callbackPort: 0, callbackSecret: "route-secret-0123456789", adminPort: 0,
                                                adminToken: adminToken)
        let routes = AdminRoutes(configuration: configuration, catalog: try Catalog(root: fixture.root), queue: MemoryJobQueue(),
                                 registry: PrometheusCollectorRegistry(), logger: quietLogger)
        let app = Application(responder: routes.responder(), logger: quietLogger)
        try await app.test(.router) { client in try await body(fixture, client) }
    }

    @Test func theAdminTokenGuardsEverythingButHealth() async throws {
        let token = "admin-token-\(UUID().uuidString)"
        try await Self.withRoutes(adminToken: token) { fixture, client in
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            for target in ["/api/tasks", "/api/tasks/\(fixture.taskId)", "/metrics", "/", "/files/\(fixture.sourcePath)",
                           "/files/index.sqlite", "/%66iles/\(fixture.sourcePath)"] {
                for authorization in [nil, "Bearer wrong", token, "Basic \(token)", "Bearer"] {
                    var headers = HTTPFields()
                    if let authorization { headers[.authorization] = authorization }
                    let response = try await client.execute(uri: target, method: .get, headers: headers)
                    #expect(response.status == .unauthorized, "\(target) with \(authorization ?? "nothing")")
                    #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true, "\(target)")
                }
                for scheme in ["Bearer", "bearer", "BEARER"] {
                    let response = try await client.execute(uri: target, method: .get, headers: [.authorization: "\(scheme) \(token)"])
                    #expect(response.status != .unauthorized, "\(target) with the token")
                }
            }
            let file = try await client.execute(uri: "/files/\(fixture.sourcePath)", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(file.status == .ok && Data(buffer: file.body) == fixture.recorded[fixture.sourcePath])
        }
    }

    @Test func theTaskAPIAnswersTheStoredDocumentAndRefusesBadIds() async throws {
        try await Self.withRoutes { fixture, client in
            let list = try await client.execute(uri: "/api/tasks", method: .get)
            #expect(list.status == .ok && list.headers[.contentType]?.hasPrefix("application/json") == true)
            let tasks = try JSONValue.parse(Array(buffer: list.body))["tasks"]?.arrayValue ?? []
            #expect(tasks.compactMap { $0["taskId"]?.stringValue } == [fixture.taskId])
            let one = try await client.execute(uri: "/api/tasks/\(fixture.taskId)", method: .get)
            #expect(one.status == .ok)
            #expect(try JSONValue.parse(Array(buffer: one.body))["taskId"]?.stringValue == fixture.taskId)
            #expect(try await client.execute(uri: "/api/tasks/missing-task-1", method: .get).status == .notFound)
            for target in ["/api/tasks/..%2Fetc%2Fpasswd", "/api/tasks/.hidden", "/api/tasks/%2e%2e"] {
                let status = try await client.execute(uri: target, method: .get).status
                #expect([.badRequest, .notFound].contains(status), "\(target): \(status)")
            }
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.status == .ok && page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(String(buffer: page.body).contains(fixture.taskId))
            let head = try await client.execute(uri: "/api/tasks", method: .head)
            #expect(head.status == .ok && head.body.readableBytes == 0, "HEAD works on every GET route")
        }
    }

    @Test func metricsArePrometheusText() async throws {
        try await Self.withRoutes { _, client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
        }
    }
}

extension AdminRouteTests {
    /// An image task and a voice-over beside the fixture's M2V task: the task pages show the image as an image and the
    /// audio with a player, `/api/tasks?kind=` filters by kind and refuses an unknown one.
    @Test func otherKindsOnThePageAndInTheAPI() async throws {
        try await Self.withRoutes { fixture, client in
            let catalog = try Catalog(root: fixture.root)
            for (id, kind, role, file) in [("pic-1", "text2image", AssetRole.image, "source.png"), ("voice-1", "text2voice", .audio, "source.m4a")] {
                let taskId = try TaskID(validating: id)
                let path = try catalog.layout.assetPath(taskId, scriptId: 0, role: role, .original(ext: (file as NSString).pathExtension))
                try FileManager.default.createDirectory(at: fixture.root.appendingPathComponent(path).deletingLastPathComponent(),
                                                        withIntermediateDirectories: true)
                try Data([1, 2, 3]).write(to: fixture.root.appendingPathComponent(path))
                let asset = AssetRecord(scriptId: 0, role: role, state: .archived,
                                        source: FileRecord(path: path, bytes: 3, sha256: String(repeating: "0", count: 64)),
                                        format: role == .image ? "png" : "m4a", width: role == .image ? 640 : nil, height: role == .image ? 480 : nil)
                try await catalog.save(TaskManifest(taskId: taskId, kind: kind, status: "success", assets: [asset]))
            }
            let list = String(buffer: try await client.execute(uri: "/", method: .get).body)
            #expect(list.contains(">pic-1</a>") && list.contains(">voice-1</a>"), "\(list)")
            let picture = String(buffer: try await client.execute(uri: "/tasks/pic-1", method: .get).body)
            #expect(picture.contains("<img class=\"picture\" src=\"/files/tasks/") && picture.contains("width=\"640\" height=\"480\""), "\(picture)")
            let voice = String(buffer: try await client.execute(uri: "/tasks/voice-1", method: .get).body)
            #expect(voice.contains("<audio controls preload=\"none\" src=\"/files/tasks/"), "\(voice)")
            let images = try await client.execute(uri: "/api/tasks?kind=text2image", method: .get)
            #expect(try JSONValue.parse(Array(buffer: images.body))["tasks"]?.arrayValue?.compactMap { $0["taskId"]?.stringValue } == ["pic-1"])
            let unknown = try await client.execute(uri: "/api/tasks?kind=avatar", method: .get)
            #expect(unknown.status == .badRequest && String(buffer: unknown.body).contains("text2voice"))
            let png = try await client.execute(uri: "/files/tasks/\(CatalogLayout.shard(of: try TaskID(validating: "pic-1")))/pic-1/0/image/source.png", method: .get)
            #expect(png.status == .ok && png.headers[.contentType] == "image/png")
        }
    }
}

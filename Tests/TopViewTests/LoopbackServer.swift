import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// One scripted answer of the loopback server.
struct ScriptedResponse: Sendable {
    enum Delivery: Sendable {
        /// Head and whole body with `Content-Length`.
        case normal
        /// Body in several chunks without `Content-Length`.
        case chunked
        /// Never answer.
        case hang
        /// Head with the full `Content-Length`, then only this many body bytes, then silence.
        case stallAfter(Int)
    }

    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]
    var delivery: Delivery = .normal

    static func json(_ text: String, status: Int = 200) -> ScriptedResponse {
        ScriptedResponse(status: status, headers: [("Content-Type", "application/json")], body: Array(text.utf8))
    }

    static func envelope(code: String, message: String = "msg", status: Int = 200) -> ScriptedResponse {
        json(#"{"code":"\#(code)","message":"\#(message)","result":null}"#, status: status)
    }

    static func html(status: Int = 200) -> ScriptedResponse {
        ScriptedResponse(
            status: status,
            headers: [("Content-Type", "text/html")],
            body: Array("<!DOCTYPE html><html><body>Bad Gateway</body></html>".utf8)
        )
    }
}

/// What the server saw of one request.
struct RecordedRequest: Sendable {
    var method: String
    var uri: String
    var headers: [(String, String)]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

/// A tiny HTTP/1.1 server on 127.0.0.1 that answers scripted responses in order (the last one repeats)
/// and records every request.
final class LoopbackServer: Sendable {
    private struct State {
        var script: [ScriptedResponse]
        var requests: [RecordedRequest] = []
    }

    private let state: Mutex<State>
    private let channel: Mutex<(any Channel)?> = Mutex(nil)
    private let boundPort = Atomic<Int>(0)

    private init(script: [ScriptedResponse]) {
        precondition(!script.isEmpty)
        state = Mutex(State(script: script))
    }

    var port: Int { boundPort.load(ordering: .acquiring) }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    var requests: [RecordedRequest] { state.withLock { $0.requests } }

    static func start(_ script: [ScriptedResponse]) async throws -> LoopbackServer {
        let server = LoopbackServer(script: script)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(ScriptHandler(server: server))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        server.boundPort.store(channel.localAddress?.port ?? 0, ordering: .releasing)
        server.channel.withLock { $0 = channel }
        return server
    }

    func shutdown() async throws {
        let channel = self.channel.withLock { value in
            defer { value = nil }
            return value
        }
        try await channel?.close()
    }

    fileprivate func answer(_ request: RecordedRequest) -> ScriptedResponse {
        state.withLock { state in
            state.requests.append(request)
            return state.script.count > 1 ? state.script.removeFirst() : state.script[0]
        }
    }
}

/// Runs `body` with a started server and always shuts it down.
func withLoopbackServer<T>(
    _ script: [ScriptedResponse],
    _ body: (LoopbackServer) async throws -> T
) async throws -> T {
    let server = try await LoopbackServer.start(script)
    do {
        let value = try await body(server)
        try await server.shutdown()
        return value
    } catch {
        try? await server.shutdown()
        throw error
    }
}

private final class ScriptHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let server: LoopbackServer
    private var head: HTTPRequestHead?

    init(server: LoopbackServer) { self.server = server }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head else { return }
            let recorded = RecordedRequest(
                method: head.method.rawValue,
                uri: head.uri,
                headers: head.headers.map { ($0.name, $0.value) }
            )
            respond(server.answer(recorded), context: context)
        }
    }

    private func respond(_ response: ScriptedResponse, context: ChannelHandlerContext) {
        var headers = HTTPHeaders(response.headers)
        let status = HTTPResponseStatus(statusCode: response.status)
        switch response.delivery {
        case .hang:
            return
        case .normal:
            headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: response.body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        case .chunked:
            headers.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            var offset = 0
            let chunk = 64 * 1024
            while offset < response.body.count {
                let end = min(offset + chunk, response.body.count)
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: response.body[offset..<end])))), promise: nil)
                offset = end
            }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        case .stallAfter(let count):
            headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            let part = response.body.prefix(count)
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: part)))), promise: nil)
        }
    }
}

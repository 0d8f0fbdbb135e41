import Foundation
import Testing
@testable import ReelServer

/// The connection guard of both listeners over real sockets: idle connections, slow headers and slow bodies are
/// closed (408 where a request was under way); over the cap, the callback listener evicts its longest-idle connection
/// and the admin listener closes the newcomer.
///
/// Load-proof: timeouts are tiny and checked from below (nothing is closed before its timeout, which a slow machine
/// cannot break), while "it is closed" waits up to a minute, a bound only a guard that never fires reaches. The cap
/// tests run with timeouts of ten minutes, so that a close within the minute can only be the cap's doing.
@Suite struct ServeConnectionLimitTests {
    /// Timeouts a test outlasts at once.
    static let tiny = HTTPLimits(idleTimeout: .milliseconds(300), headerTimeout: .milliseconds(300), minBodyBytesPerSecond: 1024,
                                 bodyRateWindow: .milliseconds(500), callbackMaxConnections: 4, adminMaxConnections: 3)
    /// Timeouts no test reaches: only the caps close anything.
    static let patient = HTTPLimits(idleTimeout: .seconds(600), headerTimeout: .seconds(600), minBodyBytesPerSecond: 1024,
                                    bodyRateWindow: .seconds(600), callbackMaxConnections: 4, adminMaxConnections: 3)
    /// Long enough for any machine: reached only when the server never closes.
    static let generous = Duration.seconds(60)

    static func withServe(_ limits: HTTPLimits = tiny, _ body: @Sendable (InProcessServe) async throws -> Void) async throws {
        let fixture = try await ServedCatalogFixture.make()
        defer { fixture.remove() }
        try await InProcessServe.with(root: fixture.root, limits: limits) { serve in try await body(serve) }
    }

    /// Sends `head`, then `filler` one byte every 50 ms until the server answers or closes (or ``generous`` passes):
    /// what the server sent before closing (nil when it never closed) and the time from the first byte.
    static func trickle(port: Int, head: String, filler: UInt8) async throws -> (reply: String?, after: Duration) {
        try await offPool {
            // Before the connection exists, so the server's timers cannot have started earlier than this clock.
            let start = ContinuousClock.now
            let socket = try RawSocket(port: port)
            socket.send(Array(head.utf8))
            while !socket.isReadable, ContinuousClock.now - start < generous {
                if !socket.send([filler]) { break }
                Thread.sleep(forTimeInterval: 0.05)
            }
            let reply = socket.readUntilClosed(within: generous)
            return (reply.map { String(decoding: $0, as: UTF8.self) }, ContinuousClock.now - start)
        }
    }

    @Test func idleConnectionsAreClosedAfterTheirTimeout() async throws {
        try await Self.withServe { serve in
            for port in [serve.adminPort, serve.callbackPort] {
                let closed = try await offPool { () -> (Data?, Duration) in
                    // Before the connection exists, so the server's timers cannot have started earlier than this clock.
                    let start = ContinuousClock.now
                    let socket = try RawSocket(port: port)
                    return (socket.readUntilClosed(within: Self.generous), ContinuousClock.now - start)
                }
                #expect(closed.0 != nil, "port \(port): an idle connection is still open after a minute")
                #expect(closed.0?.isEmpty == true, "an idle connection is closed without an answer")
                #expect(closed.1 >= Self.tiny.idleTimeout, "closed before the idle timeout: \(closed.1)")
            }
        }
    }

    @Test func aConnectionIdleAfterARequestIsClosedToo() async throws {
        try await Self.withServe { serve in
            let result = try await offPool { () -> Data? in
                let socket = try RawSocket(port: serve.adminPort)
                socket.send(Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
                return socket.readUntilClosed(within: Self.generous)
            }
            let text = String(decoding: try #require(result, "kept open a minute after its answer"), as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test func aHeaderSentAByteAtATimeIsCutWith408() async throws {
        try await Self.withServe { serve in
            for port in [serve.adminPort, serve.callbackPort] {
                let (reply, after) = try await Self.trickle(port: port, head: "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ",
                                                            filler: UInt8(ascii: "a"))
                let text = try #require(reply, "port \(port): a trickled header is still open after a minute")
                #expect(text.hasPrefix("HTTP/1.1 408"), "port \(port): \(text)")
                #expect(after >= Self.tiny.headerTimeout, "cut before the header timeout: \(after)")
            }
        }
    }

    @Test func aBodySlowerThanTheMinimumRateIsCutWith408() async throws {
        try await Self.withServe { serve in
            let head = "POST /callbacks/topview/\(serve.secret) HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"
            let (reply, after) = try await Self.trickle(port: serve.callbackPort, head: head, filler: UInt8(ascii: "{"))
            let text = try #require(reply, "a trickled body is still open after a minute")
            #expect(text.hasPrefix("HTTP/1.1 408"), "\(text)")
            #expect(after >= Self.tiny.bodyRateWindow, "cut before a whole rate window: \(after)")
        }
    }

    @Test func aBodyAtAGoodRateIsNotCut() async throws {
        // The same minimum rate over a window no pause of a loaded machine reaches.
        try await Self.withServe(Self.patient) { serve in
            let body = callbackBody(taskId: "rate-ok-1")
            let reply = try await offPool { () -> Data? in
                let socket = try RawSocket(port: serve.callbackPort)
                socket.send(Array("POST /callbacks/topview/\(serve.secret) HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: \(body.count)\r\n\r\n".utf8))
                socket.send(body.prefix(body.count / 2))
                Thread.sleep(forTimeInterval: 0.5)
                socket.send(body.dropFirst(body.count / 2))
                return socket.readUntilClosed(within: Self.generous)
            }
            let text = String(decoding: try #require(reply), as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 200"), "\(text)")
        }
    }

    @Test func aFullCallbackListenerEvictsItsLongestIdleConnection() async throws {
        try await Self.withServe(Self.patient) { serve in
            // Four connections made idle one after the other (each after an answered request): their order is the
            // server's, whatever the scheduling.
            let sockets = try await offPool { () -> [RawSocket] in
                try (0..<4).map { _ in
                    let socket = try RawSocket(port: serve.callbackPort)
                    guard socket.exchange("GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n")?.hasPrefix("HTTP/1.1 404") == true else {
                        throw LoopbackHTTPError(description: "no answer on a held callback connection")
                    }
                    return socket
                }
            }
            // A fifth connection, a real callback: it gets in, and the oldest idle socket is closed for it.
            let reply = try await serve.callback(callbackBody(taskId: "evict-1"))
            #expect(reply.status == 200, "\(reply)")
            let closed = try await offPool { sockets[0].readUntilClosed(within: Self.generous) != nil }
            #expect(closed, "the longest-idle connection was not evicted")
            // The others are open and still answer (their timeouts are ten minutes away).
            let others = try await offPool { sockets[1...].map { $0.exchange("GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n") != nil } }
            #expect(others == [true, true, true], "\(others)")
        }
    }

    @Test func aFullAdminListenerClosesTheNewcomer() async throws {
        try await Self.withServe(Self.patient) { serve in
            let result = try await offPool { () -> (Bool, [Bool]) in
                var held: [RawSocket] = []
                for _ in 0..<3 {
                    let socket = try RawSocket(port: serve.adminPort)
                    guard socket.exchange("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")?.hasPrefix("HTTP/1.1 200") == true else {
                        throw LoopbackHTTPError(description: "no answer on a held admin connection")
                    }
                    held.append(socket)
                }
                let extra = try RawSocket(port: serve.adminPort)
                let extraClosed = extra.readUntilClosed(within: Self.generous) != nil
                return (extraClosed, held.map { $0.exchange("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")?.hasPrefix("HTTP/1.1 200") == true })
            }
            #expect(result.0, "a connection over the admin cap was not closed")
            #expect(result.1 == [true, true, true], "held connections stopped answering: \(result.1)")
        }
    }

    @Test func capsAreFittedUnderTheDescriptorLimit() {
        let limits = HTTPLimits()
        #expect(DescriptorBudget.fit(limits, descriptorLimit: 1024).limits == limits)
        #expect(DescriptorBudget.fit(limits, descriptorLimit: 1024).warning == nil)
        #expect(DescriptorBudget.fit(limits, descriptorLimit: nil).limits == limits)
        let small = DescriptorBudget.fit(limits, descriptorLimit: 256)
        #expect(small.limits.callbackMaxConnections + small.limits.adminMaxConnections + HTTPLimits.reservedDescriptors <= 256)
        #expect(small.limits.adminMaxConnections >= 1 && small.limits.callbackMaxConnections >= 1)
        #expect(small.warning?.contains("RLIMIT_NOFILE 256") == true)
        let tiny = DescriptorBudget.fit(limits, descriptorLimit: 10)
        #expect(tiny.limits.adminMaxConnections >= 1 && tiny.limits.callbackMaxConnections >= 1)
    }
}

import Foundation
import Testing
@testable import ReelServer

/// The connection guard of both listeners over real sockets, with short limits: idle connections, slow headers and
/// slow bodies are closed on time (408 where a request was under way); over the cap, the callback listener evicts
/// its longest-idle connection and the admin listener closes the newcomer. Wall-clock bounds: in Tools/test.sh's
/// `timed` list (run alone).
@Suite struct ServeConnectionLimitTests {
    static let short = HTTPLimits(idleTimeout: .seconds(1), headerTimeout: .seconds(1), minBodyBytesPerSecond: 1024,
                                  bodyRateWindow: .seconds(2), callbackMaxConnections: 4, adminMaxConnections: 3)

    static func withServe(_ limits: HTTPLimits = short, _ body: @Sendable (InProcessServe) async throws -> Void) async throws {
        let fixture = try ServedCatalogFixture.make()
        defer { fixture.remove() }
        try await InProcessServe.with(root: fixture.root, limits: limits) { serve in try await body(serve) }
    }

    @Test func idleConnectionsAreClosedWithinTheirTimeout() async throws {
        try await Self.withServe { serve in
            for port in [serve.adminPort, serve.callbackPort] {
                let closed = try await offPool { () -> (Data?, Duration) in
                    let socket = try RawSocket(port: port)
                    let start = ContinuousClock.now
                    return (socket.readUntilClosed(within: .seconds(3)), ContinuousClock.now - start)
                }
                #expect(closed.0 != nil, "port \(port): an idle connection is still open after idle timeout + 2 s")
                #expect(closed.0?.isEmpty == true, "an idle connection is closed without an answer")
                #expect(closed.1 >= .milliseconds(900), "closed before the idle timeout: \(closed.1)")
            }
        }
    }

    @Test func aConnectionIdleAfterARequestIsClosedToo() async throws {
        try await Self.withServe { serve in
            let result = try await offPool { () -> Data? in
                let socket = try RawSocket(port: serve.adminPort)
                socket.send(Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
                return socket.readUntilClosed(within: .seconds(3))
            }
            let text = String(decoding: try #require(result, "kept open after its answer + idle timeout + 2 s"), as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test func aHeaderSentAByteASecondIsCutWith408() async throws {
        try await Self.withServe { serve in
            for port in [serve.adminPort, serve.callbackPort] {
                let reply = try await offPool { () -> Data? in
                    let socket = try RawSocket(port: port)
                    let request = Array("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaa".utf8)
                    let start = ContinuousClock.now
                    for byte in request {
                        if !socket.send([byte]) || socket.isClosedByPeer { break }
                        if ContinuousClock.now - start > .seconds(3) { break }
                        Thread.sleep(forTimeInterval: 0.25)
                    }
                    return socket.readUntilClosed(within: .seconds(2))
                }
                let text = String(decoding: try #require(reply, "port \(port): a trickled header is still open after header timeout + 2 s"), as: UTF8.self)
                #expect(text.hasPrefix("HTTP/1.1 408"), "port \(port): \(text)")
            }
        }
    }

    @Test func aBodySlowerThanTheMinimumRateIsCutWith408() async throws {
        try await Self.withServe { serve in
            let reply = try await offPool { () -> Data? in
                let socket = try RawSocket(port: serve.callbackPort)
                socket.send(Array("POST /callbacks/topview/\(serve.secret) HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n".utf8))
                let start = ContinuousClock.now
                while ContinuousClock.now - start < .seconds(4) {
                    if !socket.send(Array("{".utf8)) || socket.isClosedByPeer { break }
                    Thread.sleep(forTimeInterval: 0.25)
                }
                return socket.readUntilClosed(within: .seconds(2))
            }
            let text = String(decoding: try #require(reply, "a trickled body is still open after the rate window + 2 s"), as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 408"), "\(text)")
        }
    }

    @Test func aBodyAtAGoodRateIsNotCut() async throws {
        try await Self.withServe { serve in
            let body = callbackBody(taskId: "rate-ok-1")
            let reply = try await offPool { () -> Data? in
                let socket = try RawSocket(port: serve.callbackPort)
                socket.send(Array("POST /callbacks/topview/\(serve.secret) HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: \(body.count)\r\n\r\n".utf8))
                // Half the body, a pause shorter than the window, the rest: well above 1 KiB/s on average? No: the
                // body is small, so it must simply arrive within the window.
                socket.send(body.prefix(body.count / 2))
                Thread.sleep(forTimeInterval: 0.5)
                socket.send(body.dropFirst(body.count / 2))
                return socket.readUntilClosed(within: .seconds(5))
            }
            let text = String(decoding: try #require(reply), as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 200"), "\(text)")
        }
    }

    @Test func aFullCallbackListenerEvictsItsLongestIdleConnection() async throws {
        try await Self.withServe { serve in
            let sockets = try await offPool { () -> [RawSocket] in
                var sockets: [RawSocket] = []
                for _ in 0..<4 {
                    sockets.append(try RawSocket(port: serve.callbackPort))
                    Thread.sleep(forTimeInterval: 0.05)
                }
                return sockets
            }
            // A fifth connection, a real callback: it gets in, and the oldest idle socket is closed for it.
            let reply = try await serve.callback(callbackBody(taskId: "evict-1"))
            #expect(reply.status == 200, "\(reply)")
            let closed = try await offPool { sockets[0].readUntilClosed(within: .milliseconds(500)) != nil }
            #expect(closed, "the longest-idle connection was not evicted")
        }
    }

    @Test func aFullAdminListenerClosesTheNewcomer() async throws {
        try await Self.withServe { serve in
            let result = try await offPool { () -> (Bool, [Bool]) in
                var held: [RawSocket] = []
                for _ in 0..<3 { held.append(try RawSocket(port: serve.adminPort)) }
                Thread.sleep(forTimeInterval: 0.2)
                let extra = try RawSocket(port: serve.adminPort)
                let extraClosed = extra.readUntilClosed(within: .milliseconds(800)) != nil
                return (extraClosed, held.map { $0.isClosedByPeer })
            }
            #expect(result.0, "a connection over the admin cap was not closed at once")
            #expect(result.1 == [false, false, false], "held connections were closed: \(result.1)")
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

import NIOCore
import ReelBasics

/// First handler of every connection, on the raw bytes: admits the connection to its listener's registry and
/// enforces the timeouts of ``HTTPLimits`` with one timer per connection:
/// - idle (no request in progress): closed after `idleTimeout`;
/// - from a request's first byte to the end of its headers: `headerTimeout`, then 408 and close;
/// - the body: at least `minBodyBytesPerSecond` averaged over each `bodyRateWindow`, else 408 and close;
/// - while the service answers, nothing (the response is the server's business).
/// Request boundaries come from ``RequestPhaseHandler``, after the HTTP decoder, on the same event loop.
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Phase: Equatable {
        case idle(since: ContinuousClock.Instant)
        case headers(since: ContinuousClock.Instant)
        case body(windowStart: ContinuousClock.Instant, windowBytes: Int)
        case responding
    }

    let limits: HTTPLimits
    let registry: ConnectionRegistry
    private(set) var phase: Phase = .idle(since: .now)
    private var requestsStarted = 0
    private var responsesEnded = 0
    private var responseHeadSent = false
    private var timer: Scheduled<Void>?
    private var registered = false
    private var context: ChannelHandlerContext?

    init(limits: HTTPLimits, registry: ConnectionRegistry) {
        self.limits = limits
        self.registry = registry
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { activate(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        activate(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        if registered { registry.remove(context.channel) }
        context.fireChannelInactive()
    }

    private func activate(_ context: ChannelHandlerContext) {
        guard !registered else { return }
        registered = true
        if registry.admit(context.channel) == .refused {
            context.close(promise: nil)
            return
        }
        enter(.idle(since: .now))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data).readableBytes
        switch phase {
        case .idle:
            if bytes > 0 { enter(.headers(since: .now)) }
        case .body(let start, let count):
            phase = .body(windowStart: start, windowBytes: count + bytes)
        case .headers, .responding:
            break
        }
        context.fireChannelRead(data)
    }

    // MARK: Request boundaries (from RequestPhaseHandler)

    func requestHeadReceived() {
        requestsStarted += 1
        responseHeadSent = false
        enter(.body(windowStart: .now, windowBytes: 0))
    }

    func requestEndReceived() {
        enter(responsesEnded < requestsStarted ? .responding : .idle(since: .now))
    }

    func responseHeadWritten() { responseHeadSent = true }

    func responseEndWritten() {
        responsesEnded += 1
        responseHeadSent = false
        if phase == .responding, responsesEnded >= requestsStarted { enter(.idle(since: .now)) }
    }

    // MARK: Timer

    private func enter(_ next: Phase) {
        phase = next
        cancelTimer()
        guard let context else { return }
        switch next {
        case .idle(let since):
            registry.setIdle(context.channel, since: since)
            schedule(at: since + limits.idleTimeout)
        case .headers(let since):
            registry.setIdle(context.channel, since: nil)
            schedule(at: since + limits.headerTimeout)
        case .body(let start, _):
            registry.setIdle(context.channel, since: nil)
            schedule(at: start + limits.bodyRateWindow)
        case .responding:
            registry.setIdle(context.channel, since: nil)
        }
    }

    private func schedule(at deadline: ContinuousClock.Instant) {
        guard let context else { return }
        let delay = deadline - .now
        let nanoseconds = max(0, delay.inNanoseconds)
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) { handler.value.timerFired() }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }

    private func timerFired() {
        timer = nil
        guard let context else { return }
        let now = ContinuousClock.now
        switch phase {
        case .idle(let since):
            if now - since >= limits.idleTimeout { context.close(promise: nil) } else { schedule(at: since + limits.idleTimeout) }
        case .headers(let since):
            if now - since >= limits.headerTimeout { timeOut(context) } else { schedule(at: since + limits.headerTimeout) }
        case .body(let start, let bytes):
            let elapsed = now - start
            guard elapsed >= limits.bodyRateWindow else { schedule(at: start + limits.bodyRateWindow); return }
            let seconds = elapsed.inSeconds
            if Double(bytes) < Double(limits.minBodyBytesPerSecond) * seconds {
                timeOut(context)
            } else {
                enter(.body(windowStart: now, windowBytes: 0))
            }
        case .responding:
            break
        }
    }

    /// 408 when no response has started (written on the raw socket, then closed), else just the close.
    private func timeOut(_ context: ChannelHandlerContext) {
        if !responseHeadSent {
            let reply = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 16\r\n\r\nrequest timeout\n"
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: reply)), promise: nil)
        }
        context.close(promise: nil)
    }
}

import NIOCore
import NIOHTTPTypes

/// After the HTTP decoder: tells the connection's ``ConnectionGuardHandler`` where requests and responses begin and
/// end, so that its timers know which phase a connection is in. Passes every part through unchanged.
final class RequestPhaseHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var guardHandler: ConnectionGuardHandler?

    func handlerAdded(context: ChannelHandlerContext) {
        // Absent only in a pipeline built without the guard (it then has no timers to steer).
        guardHandler = try? context.pipeline.syncOperations.handler(type: ConnectionGuardHandler.self)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: guardHandler?.requestHeadReceived()
        case .body: break
        case .end: guardHandler?.requestEndReceived()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status.kind != .informational: guardHandler?.responseHeadWritten()
        case .end: guardHandler?.responseEndWritten()
        default: break
        }
        context.write(data, promise: promise)
    }
}

import Logging
import ReelBasics

/// Wraps a handler: control and invisible characters in the message and in every metadata value are escaped
/// (``SafeText/neutralize(_:limit:)``: idempotent on text its source escaped already), a message is cut at 1024
/// characters and a metadata value at 256, before the line is written.
struct NeutralizingLogHandler: LogHandler {
    static let messageLimit = 1024
    private var inner: StreamLogHandler

    init(_ inner: StreamLogHandler) { self.inner = inner }

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue.mapValues(Self.neutralize) }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue.map(Self.neutralize) }
    }

    func log(event: LogEvent) {
        var event = event
        event.message = Logger.Message(stringLiteral: SafeText.neutralize(event.message.description, limit: Self.messageLimit))
        event.metadata = event.metadata?.mapValues(Self.neutralize)
        inner.log(event: event)
    }

    static func neutralize(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): .string(SafeText.neutralize(text))
        case .stringConvertible(let item): .string(SafeText.neutralize(item.description))
        case .array(let items): .array(items.map(neutralize))
        case .dictionary(let items): .dictionary(items.mapValues(neutralize))
        }
    }
}

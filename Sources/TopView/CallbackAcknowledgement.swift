import Foundation

/// The answer a callback receiver sends back:
/// `{"code":"200","message":"Success","result":{"uuid":"…","topviewUid":"…","result":"success"}}`.
public struct CallbackAcknowledgement: Sendable, Encodable, Equatable {
    public var uuid: String
    public var topviewUid: String

    /// - Parameters:
    ///   - uuid: the callback's `uuid`, echoed back.
    ///   - topviewUid: the account uid (`TOPVIEW_UID`); empty when none is configured.
    public init(uuid: String, topviewUid: String?) {
        self.uuid = uuid
        self.topviewUid = topviewUid ?? ""
    }

    private enum Keys: String, CodingKey {
        case code, message, result, uuid, topviewUid
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode("200", forKey: .code)
        try container.encode("Success", forKey: .message)
        var result = container.nestedContainer(keyedBy: Keys.self, forKey: .result)
        try result.encode(uuid, forKey: .uuid)
        try result.encode(topviewUid, forKey: .topviewUid)
        try result.encode("success", forKey: .result)
    }

    /// The acknowledgement as JSON bytes.
    public func jsonBytes() -> [UInt8] {
        // Encoding strings into a keyed container cannot fail.
        (try? Array(JSONEncoder().encode(self))) ?? Array(#"{"code":"200","message":"Success"}"#.utf8)
    }
}

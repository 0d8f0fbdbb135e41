/// Turns an HTTP status and body into the envelope's `result` or a classified ``TopViewError``.
///
/// - An envelope is a JSON object with a `code` (string or number). Code 200 with a 2xx status gives the
///   `result`; any other code is an upstream error, whatever the HTTP status says.
/// - HTTP 401/403 are credentials errors (with the envelope's code and message when there is one).
/// - Without an envelope: a 2xx status with an empty, HTML or other body is a transport error;
///   5xx, 408 and 429 are transient transport errors; any other status is a permanent HTTP error.
enum ResponseClassifier {
    struct Envelope {
        var code: String
        var message: String?
        var result: JSONValue?
    }

    static func result(status: Int, body: [UInt8], apiKey: String?) throws(TopViewError) -> JSONValue {
        let json = JSONValue.parseIfJSON(body)
        let envelope = json.flatMap { Self.envelope(in: $0, apiKey: apiKey) }
        let isSuccessStatus = (200..<300).contains(status)

        if status == 401 || status == 403 {
            if let envelope, envelope.code != "200" {
                throw .upstream(code: envelope.code, message: envelope.message, httpStatus: status, disposition: .credentials)
            }
            throw .httpStatus(status, message: "unauthorized", disposition: .credentials)
        }
        if let envelope {
            guard envelope.code == "200" else {
                throw .upstream(code: envelope.code, message: envelope.message, httpStatus: status)
            }
            if isSuccessStatus { return envelope.result ?? .null }
            if status >= 500 || status == 408 || status == 429 {
                throw .transport("HTTP \(status) with a success envelope", httpStatus: status)
            }
            throw .httpStatus(status, message: "HTTP \(status) with a success envelope", disposition: .permanent)
        }

        let what = bodyDescription(body, json: json)
        if isSuccessStatus {
            throw .transport("HTTP \(status) with \(what)", httpStatus: status)
        }
        if status >= 500 || status == 408 || status == 429 {
            throw .transport("HTTP \(status) with \(what)", httpStatus: status)
        }
        throw .httpStatus(status, message: "\(what); is the base URL right?", disposition: .permanent)
    }

    static func envelope(in json: JSONValue, apiKey: String?) -> Envelope? {
        guard let object = json.objectValue,
              let rawCode = object["code"]?.lenientString?.trimmingWhitespace(), !rawCode.isEmpty
        else { return nil }
        var message = object["message"]?.lenientString
        if let key = apiKey, !key.isEmpty {
            message = message?.replacingAll(key, with: "<redacted>")
        }
        return Envelope(code: rawCode, message: message, result: object["result"])
    }

    private static func bodyDescription(_ body: [UInt8], json: JSONValue?) -> String {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) { return "an empty body" }
        if json != nil { return "JSON that is not an API envelope" }
        let head = String(decoding: body.prefix(64), as: UTF8.self).lowercased()
        if head.contains("<html") || head.contains("<!doctype") { return "an HTML page instead of JSON" }
        return "a body that is not JSON"
    }
}

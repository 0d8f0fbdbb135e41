/// Why a callback body was refused. Its `description` is safe to send back in a 400 answer.
public struct CallbackError: Error, Sendable, CustomStringConvertible, Equatable {
    private enum Code: Equatable, Sendable {
        case tooLarge(limit: Int)
        case notJSON
        case notAnObject
        case missingField(String)
        case wrongType(field: String, expected: String)
    }

    private let code: Code

    private init(_ code: Code) { self.code = code }

    /// The body is larger than the receiver's cap.
    public static func tooLarge(limit: Int) -> CallbackError { CallbackError(.tooLarge(limit: limit)) }
    /// The body is not JSON.
    public static let notJSON = CallbackError(.notJSON)
    /// The body is JSON but not an object.
    public static let notAnObject = CallbackError(.notAnObject)
    /// A required field (`uuid`, `taskId`) is missing, null or empty.
    public static func missingField(_ name: String) -> CallbackError { CallbackError(.missingField(name)) }
    /// A field has a type the receiver cannot use.
    public static func wrongType(field: String, expected: String) -> CallbackError {
        CallbackError(.wrongType(field: field, expected: expected))
    }

    /// The offending field, for missing-field and wrong-type errors.
    public var field: String? {
        switch code {
        case .missingField(let name): return name
        case .wrongType(let field, _): return field
        default: return nil
        }
    }

    public var description: String {
        switch code {
        case .tooLarge(let limit):
            return "Callback body larger than \(limit) bytes; refused."
        case .notJSON:
            return "Callback body is not JSON; send application/json."
        case .notAnObject:
            return "Callback body must be a JSON object with uuid and taskId."
        case .missingField(let name):
            return "Callback body has no \(name); \(name) is required."
        case .wrongType(let field, let expected):
            return "Callback field \(field) must be \(expected)."
        }
    }
}

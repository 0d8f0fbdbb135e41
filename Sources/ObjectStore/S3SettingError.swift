import ReelBasics

/// A bad S3 setting: which variable, its value and what to give instead. The CLI maps it to exit 2.
public struct S3SettingError: Error, CustomStringConvertible, Equatable {
    public let name: String
    public let value: String
    public let hint: String

    public init(_ name: String, _ value: String, _ hint: String) {
        self.name = name
        self.value = value
        self.hint = hint
    }

    public var description: String {
        "\(name)=\(SafeText.escape(value, limit: 200)) is not usable: \(hint)."
    }
}

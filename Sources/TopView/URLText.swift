/// The URL without userinfo, query string and fragment: what may be stored and shown of a signed URL.
///
/// `https://user:pw@host/a/b.mp4?X-Amz-Signature=…#t=1` gives `https://host/a/b.mp4`.
/// A string that is not a URL is returned without anything after `?` or `#`.
public func redactedURL(_ string: String) -> String {
    var text = Substring(string)
    if let cut = text.firstIndex(where: { $0 == "?" || $0 == "#" }) {
        text = text[..<cut]
    }
    guard let schemeEnd = text.firstRange(of: "://") else { return String(text) }
    let authorityStart = schemeEnd.upperBound
    let authorityEnd = text[authorityStart...].firstIndex(of: "/") ?? text.endIndex
    let authority = text[authorityStart..<authorityEnd]
    guard let at = authority.lastIndex(of: "@") else { return String(text) }
    return String(text[..<authorityStart]) + String(text[text.index(after: at)...])
}

/// Percent-encodes everything but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`).
func percentEncoded(_ string: String) -> String {
    var encoded = ""
    encoded.reserveCapacity(string.utf8.count)
    for byte in string.utf8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            encoded.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            let hex = Array("0123456789ABCDEF".unicodeScalars)
            encoded.unicodeScalars.append("%")
            encoded.unicodeScalars.append(hex[Int(byte >> 4)])
            encoded.unicodeScalars.append(hex[Int(byte & 0x0F)])
        }
    }
    return encoded
}

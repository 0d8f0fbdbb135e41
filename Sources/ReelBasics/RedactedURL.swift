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

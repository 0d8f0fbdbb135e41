import Crypto
import Foundation
import Hummingbird

/// Sign-in for browsers, which cannot send a Bearer header for pages, images and videos: `/login` takes the admin token
/// in a form and sets an `HttpOnly; SameSite=Strict` cookie holding an expiry and an HMAC of it keyed by the token —
/// never the token itself, never in a URL or in script-readable storage. Changing the token ends every session.
struct BrowserSession: Sendable {
    let token: String
    static let cookieName = "reel_session"
    static let lifetime: TimeInterval = 12 * 3600

    /// A new session value: `<expiry seconds>.<hex HMAC-SHA256>`.
    func issue(now: Date = Date()) -> String {
        let expiry = Int(now.timeIntervalSince1970 + Self.lifetime)
        return "\(expiry).\(signature(expiry))"
    }

    func isValid(_ value: String, now: Date = Date()) -> Bool {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count <= 12, let expiry = Int(parts[0]), Double(expiry) > now.timeIntervalSince1970,
              Double(expiry) <= now.timeIntervalSince1970 + Self.lifetime + 60 else { return false }
        return constantTimeEquals(String(parts[1]), signature(expiry))
    }

    private func signature(_ expiry: Int) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("reelvault-session:\(expiry)".utf8), using: SymmetricKey(data: Data(token.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Whether a `Cookie` header of the request holds a valid session.
    func isSignedIn(_ headers: HTTPFields) -> Bool {
        for field in headers[values: .cookie] {
            for pair in field.split(separator: ";") {
                let kv = pair.trimmingCharacters(in: .whitespaces)
                if kv.hasPrefix(Self.cookieName + "="), isValid(String(kv.dropFirst(Self.cookieName.count + 1))) { return true }
            }
        }
        return false
    }

    func setCookie(_ value: String) -> String {
        "\(Self.cookieName)=\(value); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(Int(Self.lifetime))"
    }

    static let clearCookie = "\(cookieName)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"

    /// Where to go after signing in: a path of this site only (`/…`, not `//host` or a scheme), else `/`.
    static func safeNext(_ text: String?) -> String {
        guard let text, text.hasPrefix("/"), !text.hasPrefix("//"), !text.contains("\\"), text.count <= 512,
              text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else { return "/" }
        return text
    }

    /// The fields of an `application/x-www-form-urlencoded` body.
    static func form(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (s: Substring) in s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            if let name = kv.first { fields[decode(name)] = kv.count > 1 ? decode(kv[1]) : "" }
        }
        return fields
    }
}

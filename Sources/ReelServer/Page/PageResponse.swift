import Catalog
import Foundation
import Hummingbird
import NIOCore

/// HTML responses of the pages, each with the same security headers: a Content-Security-Policy that allows only this
/// origin (no inline script or style anywhere in the pages), no MIME sniffing, no framing, no referrer.
enum PageResponse {
    static func secure(_ headers: inout HTTPFields) {
        headers[.contentSecurityPolicy] = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
        headers[.xContentTypeOptions] = "nosniff"
        headers[.init("Referrer-Policy")!] = "no-referrer"
        headers[.init("X-Frame-Options")!] = "DENY"
    }

    static func html(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        secure(&headers)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    struct Problem {
        let title: String
        let heading: String
        let message: String
        let allowed: String?
        let signedIn: Bool
        let scrubbing = false
    }

    static func problem(_ status: HTTPResponse.Status, heading: String, message: String, allowed: String? = nil, signedIn: Bool) -> Response {
        html(PageTemplates.render("problem", Problem(title: heading, heading: heading, message: message, allowed: allowed, signedIn: signedIn)),
             status: status)
    }

    /// Whether a recorded file is gone from a local store (a stat; on a remote store nothing is asked: the page would
    /// pay a request per image).
    static func isMissing(_ path: String, in catalog: Catalog, task: TaskID) async -> Bool {
        guard catalog.store.localManifestURL(of: task) != nil else { return false }
        return ((try? await catalog.store.size(relativePath: path)) ?? nil) == nil
    }

    static func iso(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .omitted))
    }

    static func shortDate(_ date: Date) -> String {
        date.formatted(shortStyle)
    }

    private static let shortStyle = Date.VerbatimFormatStyle(
        format: "\(year: .defaultDigits)-\(month: .twoDigits)-\(day: .twoDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits) UTC",
        locale: Locale(identifier: "en_US_POSIX"), timeZone: TimeZone(identifier: "UTC")!, calendar: Calendar(identifier: .gregorian))
}

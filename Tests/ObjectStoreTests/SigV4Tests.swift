import DurableFiles
import Foundation
@testable import ObjectStore
import Testing

/// `SigV4Signer` against AWS's published material only: the SigV4 test suite (`Vectors/`, see its README) and
/// the worked examples of the S3 API Reference. No expected value here is computed by this code base.
@Suite struct SigV4Tests {
    // MARK: - AWS's SigV4 test suite

    @Test func theVectorsAreThere() {
        #expect(SigV4Vector.names.count >= 37)
    }

    /// Each case signed as the suite says (its `normalize` and `sign_body`), pieces compared one by one.
    ///
    /// The suite's request lines carry the path unencoded (`/example space/`, raw UTF-8) and the suite encodes it
    /// once. A `URL` cannot hold that, so the harness encodes it when building the URL, and the signer must not
    /// encode it again: `doubleEncodesPath` is off here (``genericStyleMatchesTheSuite(_:)`` runs the real
    /// generic style where the two agree).
    @Test(arguments: SigV4Vector.names)
    func awsTestSuite(_ name: String) throws {
        let vector = try SigV4Vector(name)
        let style = SigV4Style(normalizesPath: vector.context.normalize, doubleEncodesPath: false,
                               signsContentSHA256Header: vector.context.sign_body)
        let signer = SigV4Signer(credentials: vector.credentials, region: vector.context.region,
                                 service: vector.context.service, style: style)
        try vector.check(signer)
    }

    /// The generic style (normalized, encoded twice), which a non-`s3` service gets by default, on the cases
    /// whose wire path has nothing to encode twice.
    @Test(arguments: ["get-vanilla", "get-unreserved", "get-slash-normalized", "get-slashes-normalized",
                      "get-slash-dot-slash-normalized", "get-slash-pointless-dot-normalized",
                      "get-relative-normalized", "get-relative-relative-normalized",
                      "get-vanilla-query-order-encoded", "get-vanilla-utf8-query", "post-vanilla-query"])
    func genericStyleMatchesTheSuite(_ name: String) throws {
        let vector = try SigV4Vector(name)
        let signer = SigV4Signer(credentials: vector.credentials, region: vector.context.region,
                                 service: vector.context.service)
        #expect(signer.style == .generic)
        try vector.check(signer)
    }

    // MARK: - S3 API Reference examples

    /// "Signature Calculations for the Authorization Header: Transferring Payload in a Single Chunk", section
    /// "Examples: Signature Calculations": https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
    @Test(arguments: S3DocExample.all)
    func s3DocumentationExample(_ example: S3DocExample) throws {
        let signer = SigV4Signer(credentials: S3DocExample.credentials, region: "us-east-1")
        #expect(signer.style == .s3)
        let date = try Date("2013-05-24T00:00:00Z", strategy: .iso8601)
        let url = try #require(URL(string: example.url))
        let payload = try sha256Hex(Data(example.body.utf8))
        #expect(payload == example.payloadSHA256)

        let added = signer.sign(method: example.method, url: url, headers: example.headers, payloadSHA256: payload,
                                date: date)
        #expect(value(of: "x-amz-date", in: added) == "20130524T000000Z")
        #expect(value(of: "x-amz-content-sha256", in: added) == example.payloadSHA256)
        #expect(value(of: "x-amz-security-token", in: added) == nil)

        let sent = example.headers + added.filter { $0.0 != "Authorization" }
        let canonical = signer.canonicalRequest(method: example.method, url: url, headers: sent, payloadSHA256: payload)
        #expect(canonical == example.canonicalRequest)
        let stringToSign = signer.stringToSign(canonicalRequest: canonical, date: date)
        #expect(stringToSign == "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            + example.canonicalRequestSHA256)
        let authorization = signer.authorization(method: example.method, url: url, headers: example.headers,
                                                 payloadSHA256: payload, date: date)
        #expect(value(of: "Authorization", in: added) == authorization)
        // The documentation writes the header without spaces after the commas; both forms are accepted.
        #expect(authorization.replacingOccurrences(of: ", ", with: ",") == example.authorization)
    }

    /// AWS's `UriEncode()` rules as the S3 documentation states them, on values AWS publishes.
    @Test func uriEncodeFollowsAWSRules() {
        // The PUT Object example's key, `test$file.text`, signs as `/test%24file.text`.
        #expect(SigV4Signer.uriEncode("test$file.text", encodeSlash: false) == "test%24file.text")
        // get-unreserved: the unreserved characters stay.
        let unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        #expect(SigV4Signer.uriEncode(unreserved, encodeSlash: true) == unreserved)
        // get-utf8: each UTF-8 byte, uppercase hex.
        #expect(SigV4Signer.uriEncode("\u{1234}", encodeSlash: true) == "%E1%88%B4")
        // "The space character ... must be encoded as %20 (and not as +)"; "/" kept in an object key name only.
        #expect(SigV4Signer.uriEncode("photos/Jan/sample 1.jpg", encodeSlash: false) == "photos/Jan/sample%201.jpg")
        #expect(SigV4Signer.uriEncode("photos/Jan", encodeSlash: true) == "photos%2FJan")
    }

    // MARK: - Credentials

    @Test func theSecretIsNeverPrinted() {
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        let token = "session-token-EXAMPLE"
        let credentials = S3Credentials(accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: secret,
                                        sessionToken: token)
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1")
        var dumped = ""
        dump(credentials, to: &dumped)
        var dumpedSigner = ""
        dump(signer, to: &dumpedSigner)
        let printed = [String(describing: credentials), String(reflecting: credentials), "\(credentials)", dumped,
                       String(describing: signer), String(reflecting: signer), dumpedSigner]
        for text in printed {
            #expect(!text.contains(secret), "\(text)")
            #expect(!text.contains(token), "\(text)")
            #expect(text.contains("AKIAIOSFODNN7EXAMPLE"), "\(text)")
        }
        #expect(String(describing: S3Credentials(accessKeyId: "AKID", secretAccessKey: secret))
            == "S3Credentials(accessKeyId: AKID, secretAccessKey: <redacted>, sessionToken: nil)")
    }
}

// MARK: - Helpers

private func value(of name: String, in headers: [(String, String)]) -> String? {
    headers.first { $0.0.lowercased() == name.lowercased() }?.1
}

/// Hex SHA-256 by way of a file (the test target does not link swift-crypto itself).
func sha256Hex(_ data: Data) throws -> String {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("sigv4-body-\(UUID().uuidString)")
    try data.write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    return try sha256(ofFileAt: file)
}

/// One case folder of `Vectors/`.
struct SigV4Vector {
    struct Context: Decodable {
        struct Credentials: Decodable {
            var access_key_id: String
            var secret_access_key: String
            var token: String?
        }
        var credentials: Credentials
        var region: String
        var service: String
        var timestamp: String
        var normalize: Bool
        var sign_body: Bool
    }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Vectors")

    /// Every folder with a `context.json`, sorted.
    static let names: [String] = {
        let directory = SigV4Vector.directory
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return entries.filter {
            FileManager.default.fileExists(atPath: directory.appendingPathComponent("\($0)/context.json").path)
        }.sorted()
    }()

    let name: String
    let context: Context
    let request: RawRequest
    let signedRequest: RawRequest
    let canonicalRequest: String
    let stringToSign: String
    let signature: String

    init(_ name: String) throws {
        let folder = Self.directory.appendingPathComponent(name)
        func text(_ file: String) throws -> String {
            try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
        }
        self.name = name
        context = try JSONDecoder().decode(Context.self, from: Data(try text("context.json").utf8))
        request = try RawRequest(parsing: try text("request.txt"))
        signedRequest = try RawRequest(parsing: try text("header-signed-request.txt"))
        canonicalRequest = try text("header-canonical-request.txt")
        stringToSign = try text("header-string-to-sign.txt")
        signature = try text("header-signature.txt").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    var credentials: S3Credentials {
        S3Credentials(accessKeyId: context.credentials.access_key_id,
                      secretAccessKey: context.credentials.secret_access_key, sessionToken: context.credentials.token)
    }

    /// The request as it would go on the wire: what a URL cannot hold (space, non-ASCII) percent-encoded,
    /// everything else (`%`, `/./`, `//`) as written.
    func url() throws -> URL {
        let host = try #require(request.headers.first { $0.0.lowercased() == "host" }?.1)
        return try #require(URL(string: "https://\(host)\(Self.wireEncoded(request.target))"))
    }

    static func wireEncoded(_ target: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in target.utf8 {
            if byte <= 0x20 || byte >= 0x7F || "\"<>\\^`{|}".utf8.contains(byte) {
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Signs the request with `signer` and compares every piece with the suite's files.
    func check(_ signer: SigV4Signer, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = try url()
        let date = try Date(context.timestamp, strategy: .iso8601)
        let payload = try sha256Hex(request.body)

        let added = signer.sign(method: request.method, url: url, headers: request.headers, payloadSHA256: payload,
                                date: date)
        let sent = request.headers + added.filter { $0.0 != "Authorization" }
        let canonical = signer.canonicalRequest(method: request.method, url: url, headers: sent, payloadSHA256: payload)
        #expect(canonical == canonicalRequest, "\(name): canonical request", sourceLocation: sourceLocation)
        #expect(signer.stringToSign(canonicalRequest: canonical, date: date) == stringToSign,
                "\(name): string to sign", sourceLocation: sourceLocation)

        let authorization = signer.authorization(method: request.method, url: url, headers: request.headers,
                                                 payloadSHA256: payload, date: date)
        #expect(authorization.hasSuffix("Signature=\(signature)"), "\(name): signature", sourceLocation: sourceLocation)
        // The headers the suite's signed request has beyond the request: x-amz-date, Authorization, the token
        // and the body hash where they apply.
        let expected = Self.lines(signedRequest.headers).filter { !Self.lines(request.headers).contains($0) }
        #expect(Self.lines(added) == expected, "\(name): added headers", sourceLocation: sourceLocation)
    }

    /// `name:value` with the name lowercased, sorted: header lists compared as sets of lines.
    static func lines(_ headers: [(String, String)]) -> [String] {
        headers.map { "\($0.0.lowercased()):\($0.1)" }.sorted()
    }
}

/// A raw HTTP/1.1 request as the suite writes it: request line, `Name:value` headers (a line starting with
/// whitespace continues the previous value), a blank line, the body.
struct RawRequest {
    struct Malformed: Error {}

    var method: String
    /// Path and query exactly as in the request line (may contain spaces and raw UTF-8).
    var target: String
    var headers: [(String, String)]
    var body: Data

    init(parsing text: String) throws {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
        guard let requestLine = lines.popFirst() else { throw Malformed() }
        guard let firstSpace = requestLine.firstIndex(of: " "), let lastSpace = requestLine.lastIndex(of: " "),
              firstSpace < lastSpace else { throw Malformed() }
        method = String(requestLine[..<firstSpace])
        target = String(requestLine[requestLine.index(after: firstSpace)..<lastSpace])
        headers = []
        while let line = lines.popFirst(), !line.isEmpty {
            if line.first == " " || line.first == "\t" {
                guard let last = headers.popLast() else { throw Malformed() }
                headers.append((last.0, last.1 + " " + line.trimmingCharacters(in: .whitespaces)))
            } else {
                guard let colon = line.firstIndex(of: ":") else { throw Malformed() }
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
        }
        body = Data(lines.joined(separator: "\n").utf8)
    }
}

/// A worked example of the S3 API Reference page "Signature Calculations for the Authorization Header:
/// Transferring Payload in a Single Chunk": every expected value below is the one the page publishes.
struct S3DocExample: Sendable, CustomTestStringConvertible {
    var name: String
    var method: String
    var url: String
    var headers: [(String, String)]
    var body: String
    var payloadSHA256: String
    var canonicalRequest: String
    /// The last line of the published string to sign.
    var canonicalRequestSHA256: String
    var authorization: String

    var testDescription: String { name }

    static let credentials = S3Credentials(accessKeyId: "AKIAIOSFODNN7EXAMPLE",
                                           secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    static let host = "examplebucket.s3.amazonaws.com"
    static let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    static let scope = "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request"

    static let all: [S3DocExample] = [
        S3DocExample(
            name: "GET Object (Range)", method: "GET", url: "https://\(host)/test.txt",
            headers: [("Host", host), ("Range", "bytes=0-9")], body: "", payloadSHA256: empty,
            canonicalRequest: """
                GET
                /test.txt

                host:\(host)
                range:bytes=0-9
                x-amz-content-sha256:\(empty)
                x-amz-date:20130524T000000Z

                host;range;x-amz-content-sha256;x-amz-date
                \(empty)
                """,
            canonicalRequestSHA256: "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
            authorization: "AWS4-HMAC-SHA256 Credential=\(scope),SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
        S3DocExample(
            name: "PUT Object", method: "PUT",
            url: "https://\(host)/\(SigV4Signer.uriEncode("test$file.text", encodeSlash: false))",
            headers: [("Host", host), ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
                      ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
            body: "Welcome to Amazon S3.",
            payloadSHA256: "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
            canonicalRequest: """
                PUT
                /test%24file.text

                date:Fri, 24 May 2013 00:00:00 GMT
                host:\(host)
                x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072
                x-amz-date:20130524T000000Z
                x-amz-storage-class:REDUCED_REDUNDANCY

                date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class
                44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072
                """,
            canonicalRequestSHA256: "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d",
            authorization: "AWS4-HMAC-SHA256 Credential=\(scope),"
                + "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
                + "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"),
        S3DocExample(
            name: "GET Bucket Lifecycle", method: "GET", url: "https://\(host)/?lifecycle",
            headers: [("Host", host)], body: "", payloadSHA256: empty,
            canonicalRequest: """
                GET
                /
                lifecycle=
                host:\(host)
                x-amz-content-sha256:\(empty)
                x-amz-date:20130524T000000Z

                host;x-amz-content-sha256;x-amz-date
                \(empty)
                """,
            canonicalRequestSHA256: "9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca",
            authorization: "AWS4-HMAC-SHA256 Credential=\(scope),SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
                + "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"),
        // The page sends `?max-keys=2&prefix=J`; given here in the other order, the signer must sort.
        S3DocExample(
            name: "Get Bucket (List Objects)", method: "GET", url: "https://\(host)/?prefix=J&max-keys=2",
            headers: [("Host", host)], body: "", payloadSHA256: empty,
            canonicalRequest: """
                GET
                /
                max-keys=2&prefix=J
                host:\(host)
                x-amz-content-sha256:\(empty)
                x-amz-date:20130524T000000Z

                host;x-amz-content-sha256;x-amz-date
                \(empty)
                """,
            canonicalRequestSHA256: "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7",
            authorization: "AWS4-HMAC-SHA256 Credential=\(scope),SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
                + "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
    ]
}

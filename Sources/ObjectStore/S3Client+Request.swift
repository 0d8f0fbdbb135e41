import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

extension S3Client {
    /// A request's body.
    enum Body: Sendable {
        case none
        case data(Data)
        /// `length` bytes of a local file from `offset`, streamed in chunks.
        case file(URL, offset: Int64, length: Int64)
    }

    /// A finished response: its head and (up to the caller's limit) its body.
    struct Response: Sendable {
        let status: Int
        let headers: HTTPHeaders
        let body: Data
        var etag: String { headers.first(name: "etag") ?? "" }
    }

    /// Sends one signed request and collects up to `collect` bytes of its body; a status other than 2xx throws the
    /// ``S3Error`` S3 described. Retried up to 3 attempts on a retryable failure when `retryable`.
    func send(_ method: HTTPMethod, _ operation: String, key: String?, query: [(String, String)] = [],
              headers: [(String, String)] = [], body: Body = .none, payloadSHA256: String = S3Client.emptySHA256,
              collect: Int = 1 << 20, retryable: Bool = true) async throws -> Response {
        let name = key ?? location.bucket
        var attempt = 1
        while true {
            do {
                let request = try request(method, key: key, query: query, headers: headers, body: body, payloadSHA256: payloadSHA256)
                let response = try await execute(request, operation: operation, key: name)
                guard (200..<300).contains(Int(response.status.code)) else {
                    throw try await Self.error(response, operation: operation, key: name)
                }
                let data: Data
                do {
                    data = method == .HEAD ? Data() : try await Data(buffer: response.body.collect(upTo: collect))
                } catch is NIOTooManyBytesError {
                    throw TooLarge(bytes: response.headers.first(name: "content-length").flatMap { Int64($0) } ?? Int64(collect) + 1)
                }
                return Response(status: Int(response.status.code), headers: response.headers, body: data)
            } catch let error as S3Error where retryable && error.isRetryable && attempt < 3 {
                logger.notice("S3 request failed; retrying", metadata: [
                    "s3.operation": "\(operation)", "s3.attempt": "\(attempt)", "error": "\(error)",
                ])
                try await Task.sleep(for: .milliseconds(200 << attempt))
                attempt += 1
            }
        }
    }

    /// The signed request.
    func request(_ method: HTTPMethod, key: String?, query: [(String, String)] = [], headers: [(String, String)] = [],
                 body: Body = .none, payloadSHA256: String) throws -> HTTPClientRequest {
        let (host, url) = location.url(key: key, query: query)
        var signed = [("host", host)] + headers
        switch body {
        case .none: break
        case .data(let data): signed.append(("content-length", String(data.count)))
        case .file(_, _, let length): signed.append(("content-length", String(length)))
        }
        signed += signer.sign(method: method.rawValue, url: url, headers: signed, payloadSHA256: payloadSHA256, date: Date())
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        for (name, value) in signed where name != "content-length" { request.headers.replaceOrAdd(name: name, value: value) }
        switch body {
        case .none: break
        case .data(let data): request.body = .bytes(ByteBuffer(bytes: data))
        case .file(let file, let offset, let length):
            request.body = .stream(FileChunks(url: file, offset: offset, length: length), length: .known(length))
        }
        return request
    }

    /// Runs `request`, turning a transport failure into an ``S3Error`` with status 0.
    func execute(_ request: HTTPClientRequest, operation: String, key: String, http client: HTTPClient? = nil) async throws -> HTTPClientResponse {
        do {
            return try await (client ?? http).execute(request, timeout: client == nil ? Self.requestTimeout : .hours(24), logger: logger)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw S3Error(operation: operation, key: key, status: 0, code: "\(error)", message: "")
        }
    }

    /// The ``S3Error`` of a failed response, from its XML body (`<Code>`, `<Message>`).
    static func error(_ response: HTTPClientResponse, operation: String, key: String) async throws -> S3Error {
        let body = (try? await response.body.collect(upTo: 64 << 10)).map { Data(buffer: $0) } ?? Data()
        let xml = S3XML.parse(body)
        let status = Int(response.status.code)
        let code = xml?.first("Code") ?? (status == 412 ? "PreconditionFailed" : status == 404 ? "NotFound" : response.status.reasonPhrase)
        return S3Error(operation: operation, key: key, status: status, code: code, message: xml?.first("Message") ?? "")
    }
}

extension Data {
    init(buffer: ByteBuffer) {
        self = buffer.withUnsafeReadableBytes { Data($0) }
    }
}

import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The lowercase hex SHA-256 of a file's bytes, read in 1 MiB chunks (memory stays flat whatever the
/// file's size). Throws ``CatalogError/io`` if the file cannot be read.
public func sha256(ofFileAt url: URL) throws -> String {
    let path = url.path
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 { throw CatalogError.io("open", path, errno: errno) }
    defer { close(fd) }
    var hasher = SHA256()
    let chunk = 1 << 20
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
    defer { buffer.deallocate() }
    while true {
        let count = read(fd, buffer.baseAddress!, chunk)
        if count < 0 {
            if errno == EINTR { continue }
            throw CatalogError.io("read", path, errno: errno)
        }
        if count == 0 { break }
        hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    }
    return hexString(hasher.finalize())
}

/// Lowercase hex of a digest's bytes.
public func hexString<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
}

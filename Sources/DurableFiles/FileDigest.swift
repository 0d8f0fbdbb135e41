import Crypto
import Foundation
import ReelBasics
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The lowercase hex SHA-256 of a file's bytes, read in 1 MiB chunks (memory stays flat whatever the
/// file's size). Throws ``FileError`` if the file cannot be read.
public func sha256(ofFileAt url: URL) throws(FileError) -> String {
    let path = url.path
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 { throw FileError("open", path, errno: errno) }
    defer { close(fd) }
    var hasher = SHA256()
    let chunk = 1 << 20
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
    defer { buffer.deallocate() }
    while true {
        guard let base = buffer.baseAddress else { break }
        let count = read(fd, base, chunk)
        if count < 0 {
            if errno == EINTR { continue }
            throw FileError("read", path, errno: errno)
        }
        if count == 0 { break }
        hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    }
    return hexString(hasher.finalize())
}

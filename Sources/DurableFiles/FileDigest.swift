import Crypto
import Foundation
import ReelBasics

/// The lowercase hex SHA-256 of a file's bytes, read in 1 MiB chunks (memory stays flat whatever the
/// file's size). Throws ``FileError`` if the file cannot be read.
public func sha256(ofFileAt url: URL) throws(FileError) -> String {
    var hasher = SHA256()
    try FileIO.readChunks(url.path) { chunk in hasher.update(bufferPointer: chunk) }
    return hexString(hasher.finalize())
}

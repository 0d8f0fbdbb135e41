import Foundation
import Testing
@testable import Catalog

/// The audio/video length difference in a manifest: kept when measured, flagged beyond the tolerance, read by people
/// as a warning; manifests written before it decode as they are.
@Suite struct DesyncRecordTests {
    @Test func aDesyncIsKeptFlaggedAndSaidInWords() throws {
        let late = VerificationRecord(verdict: "match", toleranceUs: 100_000, avDesyncUs: 500_000, avDesync: true)
        #expect(late.desyncWarning == "audio ends 0.50 s after the video")
        let early = VerificationRecord(verdict: "match", toleranceUs: 100_000, avDesyncUs: -250_000, avDesync: true)
        #expect(early.desyncWarning == "audio ends 0.25 s before the video")
        let inStep = VerificationRecord(verdict: "match", toleranceUs: 100_000, avDesyncUs: 20_000)
        #expect(inStep.desyncWarning == nil)
        let json = try #require(String(data: try CatalogJSON.encoder().encode(late), encoding: .utf8))
        #expect(json.contains("\"avDesyncUs\"") && json.contains("\"avDesync\""))
        let quiet = try #require(String(data: try CatalogJSON.encoder().encode(inStep), encoding: .utf8))
        #expect(!quiet.contains("\"avDesync\""), "absent unless true")
        let older = try CatalogJSON.decoder().decode(VerificationRecord.self, from: Data(#"{"verdict":"match","toleranceUs":1}"#.utf8))
        #expect(older.avDesyncUs == nil && !older.avDesync)
        #expect(try CatalogJSON.decoder().decode(VerificationRecord.self, from: CatalogJSON.encoder().encode(late)) == late)
    }
}

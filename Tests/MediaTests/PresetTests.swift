import Foundation
import Testing
@testable import Media

/// Rendition preset names: what parses, what is rejected.
@Suite struct PresetTests {
    @Test("preset names: keep, pad and crop forms parse, in any case; lists drop duplicates")
    func presetParsing() throws {
        let keep = try RenditionPreset(parsing: "720p")
        #expect(keep.shortSide == 720 && keep.fit == .keep && keep.aspect == nil)
        let crop = try RenditionPreset(parsing: " 1X1-720P-Crop ")
        #expect(crop.name == "1x1-720p-crop" && crop.fit == .crop && crop.aspect?.width == 1 && crop.aspect?.height == 1)
        let pad = try RenditionPreset(parsing: "16x9-480p-pad")
        #expect(pad.shortSide == 480 && pad.fit == .pad && pad.aspect?.width == 16 && pad.aspect?.height == 9)
        #expect(try RenditionPreset.list("720p,480p,720p").map(\.name) == ["720p", "480p"])
        #expect(RenditionPreset.defaultLadder.map(\.name) == ["720p", "480p"])
        let json = try JSONEncoder().encode([pad])
        #expect(try JSONDecoder().decode([RenditionPreset].self, from: json) == [pad])
    }

    @Test("junk preset names are rejected", arguments: [
        "abc", "721p", "4x3-720p-zoom", "", "720", "p", "0p", "-720p", "16x9-720p", "16x0-720p-pad", "16x9-720p-keep", "1x1-720p-crop-x",
    ])
    func junkPreset(_ text: String) {
        let error = #expect(throws: MediaError.self) { try RenditionPreset.list(text) }
        #expect(error?.code == .invalidPreset)
    }
}

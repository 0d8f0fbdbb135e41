import Foundation
import ReelTestSupport
import Testing
@testable import Media

/// A full volume is the environment, not the media: ENOSPC/EDQUOT come out as `noSpace` whichever call saw them
/// (FFmpeg's muxer, a still written with Foundation), never as `io`, `ffmpeg` or an undecodable source.
@Suite("Media: a full volume is classified by errno", .serialized)
struct DiskFullMediaTests {
    @Test func errnoDecidesTheCode() {
        #expect(MediaError(.io, "w", averror: -ENOSPC).code == .noSpace)
        #expect(MediaError(.ffmpeg, "w", averror: -EDQUOT).code == .noSpace)
        #expect(MediaError(.io, "w", averror: -EACCES).code == .io)
        #expect(MediaError(.cancelled, "w", averror: -ENOSPC).code == .cancelled)
        let full = NSError(domain: NSCocoaErrorDomain, code: CocoaError.fileWriteUnknown.rawValue,
                           userInfo: [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC))])
        #expect(MediaError.writing("writing x", full).code == .noSpace)
        #expect(MediaError.writing("writing x", NSError(domain: NSPOSIXErrorDomain, code: Int(EDQUOT))).code == .noSpace)
        #expect(MediaError.writing("writing x", NSError(domain: NSPOSIXErrorDomain, code: Int(EACCES))).code == .io)
        #expect(MediaError(.io, "w", averror: -ENOSPC).description.contains("free some space"))
    }

    /// Renditions and stills written onto a real full tmpfs: the pass fails with `noSpace`, and the same source on a
    /// volume with room passes (it was never the source).
    @Test func aPassOntoAFullVolumeFailsWithNoSpace() async throws {
        guard let volume = try await FullVolume.mount() else {
            print("DiskFullMediaTests skipped: mounting a tmpfs needs root")
            return
        }
        defer { volume.unmount() }
        let source = try await Fixture.wide.path
        let presets = try RenditionPreset.list("240p")
        let renditions = PassRequest(presets: presets, renditionDirectory: volume.path + "/renditions")
        await #expect { try await MediaEngine.process(source, renditions) } throws: { error in
            (error as? MediaError)?.code == .noSpace
        }
        let stills = PassRequest(thumbnails: ThumbnailRequest(count: 3, poster: true), thumbnailDirectory: volume.path + "/thumbs")
        await #expect { try await MediaEngine.process(source, stills) } throws: { error in
            (error as? MediaError)?.code == .noSpace
        }
        let roomy = try Fixtures.scratchDirectory("disk-full-control")
        let report = try await MediaEngine.process(source, PassRequest(presets: presets, renditionDirectory: roomy))
        #expect(report.renditions.count == 1 && report.verification.verdict == .unreported)
    }
}

/// A 1 MiB tmpfs filled to the last block by a filler file: every further write gets ENOSPC.
enum FullVolume {
    static func mount() async throws -> TestMount? {
        guard let volume = try await TestMount.tmpfs(size: "1m") else { return nil }
        for directory in ["renditions", "thumbs"] {
            try FileManager.default.createDirectory(atPath: volume.path + "/" + directory, withIntermediateDirectories: true)
        }
        // Fill it: write until the volume refuses.
        let fd = open(volume.path + "/filler", O_WRONLY | O_CREAT, 0o644)
        let block = [UInt8](repeating: 0, count: 4096)
        while block.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        close(fd)
        return volume
    }
}

import Catalog
import DurableFiles
import Foundation
import Logging
import Media
import ReelBasics
import TopView

extension AssetArchiver {
    /// How far a voice-over's decoded duration may stray from `voice.durations` beyond the verification tolerance.
    static let audioSlackUs: Int64 = 500_000

    /// Archives an image or audio output: download (with resume), detect the format from the bytes, check it with the
    /// media engine (an image's decoder and size; an audio's decoded duration), then keep it as `source.<ext>`. A file
    /// that is not what its role says is refused before it enters the catalog.
    func workOriginal(_ item: VideoItem, role: AssetRole, record start: AssetRecord, logger: Logger) async throws -> AssetRecord {
        var record = start
        let partial = layout.partialFile(taskId, scriptId: item.scriptId, role: role, .source)
        try FileIO.createDirectories(layout.partialDirectory(taskId))
        let (download, current) = try await context.limits.downloads.withPermit {
            emit(item, "download")
            return try await fetch(item, file: .source, into: partial)
        }
        Failpoint.hit("archive.downloaded")
        emit(item, "process")
        let format: OriginalFormat
        do {
            format = try await check(partial, role: role, current: current, into: &record)
        } catch {
            // A whole download that is refused is not worth resuming: the next run fetches it afresh.
            if !Task.isCancelled {
                PartialDownload.forget(partial)
                try? FileIO.removeFile(partial.path)
            }
            throw error
        }
        let path = try layout.assetPath(taskId, scriptId: item.scriptId, role: role, .original(ext: format.fileExtension))
        try await catalog.store.commit(staged: partial, to: path, sha256: download.sha256)
        PartialDownload.forget(partial)
        Failpoint.hit("archive.source.committed")
        record.source = FileRecord(path: path, bytes: download.bytes, sha256: download.sha256, url: redactedURL(current.videoURL ?? ""))
        record.state = .archived
        record.error = nil
        return record
    }

    /// Tells the downloaded file's format by its bytes and checks it with the media engine, filling `record`'s format,
    /// size (an image) or verification (an audio); throws when the file is not what `role` says.
    private func check(_ file: URL, role: AssetRole, current: VideoItem, into record: inout AssetRecord) async throws -> OriginalFormat {
        guard let format = try OriginalFormat.detect(fileAt: file), format.isImage == (role == .image) else {
            throw PipelineError(code: "media.notMedia", message: role == .image
                ? "the \(role.rawValue) is not a raster image (JPEG, PNG or WebP); it is not kept"
                : "the \(role.rawValue) is not audio this archive reads (M4A/AAC, MP3 or WAV); it is not kept")
        }
        record.format = format.rawValue
        record.reportedDurationUs = current.reportedDurationUs
        record.reportedDurationRaw = current.reportedDurationRaw
        if format.isImage {
            let probe = try await MediaEngine.probe(file.path)
            guard let picture = probe.video, format.imageCodecs.contains(picture.codec), let w = picture.width, let h = picture.height else {
                throw PipelineError(code: "media.notMedia", message: "the image does not decode as \(format.rawValue)")
            }
            record.width = w
            record.height = h
        } else {
            let audio = try await context.limits.media.withPermit { try await MediaEngine.measureAudio(file.path) }
            record.verification = Self.audioVerification(audio, reportedUs: current.reportedDurationUs, tolerance: context.settings.tolerance)
        }
        return format
    }

    /// A voice-over's check: `match` within 0.5 s plus the tolerance of `voice.durations`, `mismatch` beyond, and
    /// `unreported` without a reported duration.
    static func audioVerification(_ audio: AudioMeasurement, reportedUs: Int64?, tolerance: DurationTolerance) -> VerificationRecord {
        let frameUs = audio.frames > 0 ? audio.decodedDurationUs / Int64(audio.frames) : 0
        let allowed = tolerance.resolve(frameDurationUs: frameUs) + audioSlackUs
        guard let reportedUs else {
            return VerificationRecord(verdict: "unreported", measuredDurationUs: audio.decodedDurationUs, toleranceUs: allowed,
                                      frames: audio.frames, decodeErrors: audio.decodeErrors)
        }
        let delta = audio.decodedDurationUs - reportedUs
        return VerificationRecord(verdict: abs(delta) <= allowed ? "match" : "mismatch", measuredDurationUs: audio.decodedDurationUs,
                                  deltaUs: delta, toleranceUs: allowed, frames: audio.frames, decodeErrors: audio.decodeErrors)
    }
}

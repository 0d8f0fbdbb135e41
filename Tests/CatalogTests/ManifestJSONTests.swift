import Foundation
import Testing
@testable import Catalog

struct ManifestJSONTests {
    static let manifestKeys: Set = ["schemaVersion", "taskId", "kind", "status", "errorMsg", "assets", "createdAt", "updatedAt", "archivedAt",
                                    "fixity", "writer"]
    static let assetKeys: Set = [
        "scriptId", "role", "state", "error", "source", "cover", "reportedDurationUs", "reportedDurationRaw", "format", "width",
        "height", "verification",
        "poster", "thumbnails", "storyboard", "renditions", "skippedPresets",
    ]

    func jsonObject(_ manifest: TaskManifest) throws -> [String: Any] {
        let data = try CatalogJSON.encoder().encode(manifest)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func everyKeyIsPresentWithNull() throws {
        var manifest = TaskManifest(taskId: taskID("t1"), kind: "m2v", createdAt: fixedDate())
        manifest.upsert(AssetRecord(scriptId: 1, role: .preview))
        manifest.upsert(AssetRecord(
            scriptId: 1, role: .export, state: .archived,
            source: FileRecord(path: "tasks/x/t1/1/export/source.mp4", bytes: 1, sha256: "AB"),
            verification: VerificationRecord(verdict: "unreported", toleranceUs: 100)
        ))
        let object = try jsonObject(manifest)
        #expect(Set(object.keys) == Self.manifestKeys)
        #expect(object["status"] is NSNull)
        #expect(object["errorMsg"] is NSNull)
        #expect(object["createdAt"] as? String == "2025-06-15T15:06:40.125Z")
        let assets = try #require(object["assets"] as? [[String: Any]])
        #expect(assets.count == 2)
        for asset in assets { #expect(Set(asset.keys) == Self.assetKeys) }
        let empty = assets[0]
        #expect(empty["role"] as? String == "preview")
        for key in ["error", "source", "cover", "reportedDurationUs", "verification", "poster", "storyboard"] {
            #expect(empty[key] is NSNull, "\(key) should be null")
        }
        for key in ["thumbnails", "renditions", "skippedPresets"] {
            #expect((empty[key] as? [Any])?.isEmpty == true, "\(key) should be []")
        }
        let source = try #require(assets[1]["source"] as? [String: Any])
        #expect(Set(source.keys) == ["path", "bytes", "sha256", "url"])
        #expect(source["url"] is NSNull)
        #expect(source["sha256"] as? String == "ab")
        let verification = try #require(assets[1]["verification"] as? [String: Any])
        #expect(Set(verification.keys) == ["verdict", "measuredDurationUs", "deltaUs", "toleranceUs", "frames", "decodeErrors"])
        #expect(verification["measuredDurationUs"] is NSNull)
        #expect(verification["deltaUs"] is NSNull)
    }

    /// `audioFailure` is written only when there is one: manifests written before it, and assets whose audio decoded,
    /// keep their keys; one that has it round-trips.
    @Test func anAudioFailureIsKeptAndAbsentWhenNil() throws {
        let plain = VerificationRecord(verdict: "match", toleranceUs: 100)
        let plainObject = try #require(try JSONSerialization.jsonObject(with: CatalogJSON.encoder().encode(plain)) as? [String: Any])
        #expect(plainObject["audioFailure"] == nil)
        var failed = plain
        failed.audioFailure = "no decoder for audio codec 'opus'"
        let data = try CatalogJSON.encoder().encode(failed)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["audioFailure"] as? String == "no decoder for audio codec 'opus'")
        #expect(try CatalogJSON.decoder().decode(VerificationRecord.self, from: data) == failed)
        let old = #"{"verdict": "match", "measuredDurationUs": 1, "deltaUs": 0, "toleranceUs": 5, "frames": 2, "decodeErrors": 0}"#
        #expect(try CatalogJSON.decoder().decode(VerificationRecord.self, from: Data(old.utf8)).audioFailure == nil)
    }

    @Test func signedURLsLoseTheirQuery() {
        let record = FileRecord(path: "p", bytes: 1, sha256: "00",
                                url: "https://user:pw@a.s3.amazonaws.com/v/1.mp4?X-Amz-Signature=secret#frag")
        #expect(record.url == "https://a.s3.amazonaws.com/v/1.mp4")
        var changed = record
        changed.url = "https://b.topview.ai/x.mp4?token=secret"
        #expect(changed.url == "https://b.topview.ai/x.mp4")
    }

    @Test func roundTripIsExact() throws {
        var manifest = TaskManifest(taskId: taskID("t2"), kind: "m2v", status: "success", errorMsg: "none",
                                    createdAt: fixedDate(), updatedAt: fixedDate(1_750_000_100.5))
        manifest.upsert(AssetRecord(
            scriptId: 7, role: .export, state: .failed, error: AssetError(code: "verify", message: "bad"),
            thumbnails: [ImageRecord(path: "a/thumbs/000.jpg", timeUs: 0, width: 2, height: 2)],
            storyboard: StoryboardRecord(sprite: "s.jpg", vtt: "s.vtt"),
            skippedPresets: [SkippedPreset(preset: "1080p", reason: "source is smaller")]
        ))
        let data = try CatalogJSON.encoder().encode(manifest)
        let decoded = try CatalogJSON.decoder().decode(TaskManifest.self, from: data)
        #expect(decoded == manifest)
    }

    @Test func decodingIsLiberal() throws {
        let json = """
            {"taskId": "t3", "unknown": {"x": 1}, "status": null, "createdAt": "2025-01-02T03:04:05Z",
             "assets": [{"scriptId": 2, "role": "export", "thumbnails": null, "novel": true,
                         "source": {"path": "p", "bytes": 3, "sha256": "AA", "extra": 1}}]}
            """
        let manifest = try CatalogJSON.decoder().decode(TaskManifest.self, from: Data(json.utf8))
        #expect(manifest.schemaVersion == TaskManifest.currentSchemaVersion)
        #expect(manifest.kind == "m2v")
        #expect(manifest.status == nil)
        #expect(manifest.createdAt == Date(timeIntervalSince1970: 1_735_787_045))
        #expect(manifest.updatedAt == manifest.createdAt)
        let asset = try #require(manifest.asset(scriptId: 2, role: .export))
        #expect(asset.state == .pending)
        #expect(asset.thumbnails.isEmpty)
        #expect(asset.source?.url == nil)
        #expect(asset.source?.sha256 == "aa")
        #expect(manifest.asset(scriptId: 2, role: .preview) == nil)
    }

    @Test func upsertReplacesAndKeepsOrder() {
        var manifest = TaskManifest(taskId: taskID("t4"), kind: "m2v")
        manifest.upsert(AssetRecord(scriptId: 2, role: .export))
        manifest.upsert(AssetRecord(scriptId: 1, role: .export))
        manifest.upsert(AssetRecord(scriptId: 2, role: .preview))
        manifest.upsert(AssetRecord(scriptId: 2, role: .export, state: .archived))
        #expect(manifest.assets.map { "\($0.scriptId)\($0.role)" } == ["1export", "2preview", "2export"])
        #expect(manifest.asset(scriptId: 2, role: .export)?.state == .archived)
    }
}

import Foundation
import Testing
import TopView

/// The `reel show TASK --json` contract of issue 3, checked on the raw JSON: every key always present
/// (null or empty when it does not apply), the right JSON types, paths relative to the storage root.
enum ArchiveContract {
    static let taskKeys: Set<String> = ["taskId", "kind", "status", "errorMsg", "assets"]
    static let assetKeys: Set<String> = [
        "scriptId", "role", "state", "error", "source", "cover", "reportedDurationUs", "verification",
        "poster", "thumbnails", "storyboard", "renditions",
    ]
    static let fileKeys: Set<String> = ["path", "bytes", "sha256", "url"]
    static let verificationKeys: Set<String> = ["verdict", "measuredDurationUs", "deltaUs", "toleranceUs", "frames", "decodeErrors"]
    static let imageKeys: Set<String> = ["path", "timeUs", "width", "height"]
    static let storyboardKeys: Set<String> = ["sprite", "vtt"]
    static let renditionKeys: Set<String> = ["preset", "path", "width", "height", "bytes", "sha256", "durationUs"]
    static let states: Set<String> = ["pending", "archived", "failed", "absent"]
    static let verdicts: Set<String> = ["match", "mismatch", "unreported", "undecodable"]

    /// Records an issue for every broken sentence of the contract; `storage` is the root the paths are under.
    static func check(_ json: JSONValue, storage: URL, sourceLocation: SourceLocation = #_sourceLocation) {
        func expectKeys(_ value: JSONValue?, _ keys: Set<String>, _ what: String) {
            guard let value, case .object = value else {
                Issue.record("\(what) is not an object: \(String(describing: value))", sourceLocation: sourceLocation)
                return
            }
            let missing = keys.subtracting(value.keys)
            #expect(missing.isEmpty, "\(what) lacks \(missing.sorted())", sourceLocation: sourceLocation)
        }
        func expectNumber(_ value: JSONValue?, nullable: Bool, _ what: String) {
            switch value {
            case .number?: break
            case .null? where nullable: break
            default: Issue.record("\(what) should be a number\(nullable ? " or null" : ""): \(String(describing: value))", sourceLocation: sourceLocation)
            }
        }
        func expectString(_ value: JSONValue?, nullable: Bool, _ what: String) {
            switch value {
            case .string?: break
            case .null? where nullable: break
            default: Issue.record("\(what) should be a string\(nullable ? " or null" : ""): \(String(describing: value))", sourceLocation: sourceLocation)
            }
        }
        func expectPath(_ value: JSONValue?, _ what: String) {
            guard let path = value?.stringValue else {
                Issue.record("\(what) has no path", sourceLocation: sourceLocation)
                return
            }
            #expect(!path.hasPrefix("/") && !path.split(separator: "/").contains(".."), "\(what) \(path) is not relative to the root",
                    sourceLocation: sourceLocation)
            #expect(FileManager.default.fileExists(atPath: storage.appendingPathComponent(path).path),
                    "\(what) \(path) is not under the storage root", sourceLocation: sourceLocation)
        }
        func expectFile(_ value: JSONValue?, _ what: String) {
            guard let value, !value.isNull else { return }
            expectKeys(value, fileKeys, what)
            expectPath(value["path"], what)
            expectNumber(value["bytes"], nullable: false, "\(what).bytes")
            #expect(value["sha256"]?.stringValue?.count == 64, "\(what).sha256", sourceLocation: sourceLocation)
            expectString(value["url"], nullable: true, "\(what).url")
            if let url = value["url"]?.stringValue {
                #expect(!url.contains("?") && !url.contains("Signature") && !url.contains("Expires"),
                        "\(what).url keeps its query string: \(url)", sourceLocation: sourceLocation)
            }
        }
        func expectImage(_ value: JSONValue?, _ what: String) {
            guard let value, !value.isNull else { return }
            expectKeys(value, imageKeys, what)
            expectPath(value["path"], what)
            for key in ["timeUs", "width", "height"] { expectNumber(value[key], nullable: false, "\(what).\(key)") }
        }

        expectKeys(json, taskKeys, "task")
        expectString(json["taskId"], nullable: false, "taskId")
        expectString(json["kind"], nullable: false, "kind")
        expectString(json["status"], nullable: true, "status")
        expectString(json["errorMsg"], nullable: true, "errorMsg")
        guard let assets = json["assets"]?.arrayValue else {
            Issue.record("assets is not an array", sourceLocation: sourceLocation)
            return
        }
        for (i, asset) in assets.enumerated() {
            let name = "assets[\(i)]"
            expectKeys(asset, assetKeys, name)
            expectNumber(asset["scriptId"], nullable: false, "\(name).scriptId")
            #expect(["preview", "export"].contains(asset["role"]?.stringValue ?? ""), "\(name).role", sourceLocation: sourceLocation)
            #expect(states.contains(asset["state"]?.stringValue ?? ""), "\(name).state \(String(describing: asset["state"]))",
                    sourceLocation: sourceLocation)
            if let error = asset["error"], !error.isNull {
                expectKeys(error, ["code", "message"], "\(name).error")
                expectString(error["code"], nullable: false, "\(name).error.code")
                expectString(error["message"], nullable: false, "\(name).error.message")
            }
            expectFile(asset["source"], "\(name).source")
            expectFile(asset["cover"], "\(name).cover")
            expectNumber(asset["reportedDurationUs"], nullable: true, "\(name).reportedDurationUs")
            if let verification = asset["verification"], !verification.isNull {
                expectKeys(verification, verificationKeys, "\(name).verification")
                #expect(verdicts.contains(verification["verdict"]?.stringValue ?? ""), "\(name).verification.verdict",
                        sourceLocation: sourceLocation)
                expectNumber(verification["measuredDurationUs"], nullable: true, "\(name).verification.measuredDurationUs")
                expectNumber(verification["deltaUs"], nullable: true, "\(name).verification.deltaUs")
                for key in ["toleranceUs", "frames", "decodeErrors"] {
                    expectNumber(verification[key], nullable: false, "\(name).verification.\(key)")
                }
            }
            expectImage(asset["poster"], "\(name).poster")
            if let thumbnails = asset["thumbnails"]?.arrayValue {
                for (j, thumbnail) in thumbnails.enumerated() { expectImage(thumbnail, "\(name).thumbnails[\(j)]") }
            } else {
                Issue.record("\(name).thumbnails is not an array", sourceLocation: sourceLocation)
            }
            if let storyboard = asset["storyboard"], !storyboard.isNull {
                expectKeys(storyboard, storyboardKeys, "\(name).storyboard")
                expectPath(storyboard["sprite"], "\(name).storyboard.sprite")
                expectPath(storyboard["vtt"], "\(name).storyboard.vtt")
            }
            if let renditions = asset["renditions"]?.arrayValue {
                for (j, rendition) in renditions.enumerated() {
                    let what = "\(name).renditions[\(j)]"
                    expectKeys(rendition, renditionKeys, what)
                    expectString(rendition["preset"], nullable: false, "\(what).preset")
                    expectPath(rendition["path"], what)
                    for key in ["width", "height", "bytes", "durationUs"] { expectNumber(rendition[key], nullable: false, "\(what).\(key)") }
                    #expect(rendition["sha256"]?.stringValue?.count == 64, "\(what).sha256", sourceLocation: sourceLocation)
                }
            } else {
                Issue.record("\(name).renditions is not an array", sourceLocation: sourceLocation)
            }
        }
    }
}

import Foundation

/// The TopView kinds beyond M2V as the sandbox plays them: each query path of `../shared/reference/topview-kinds.md`
/// with the shape of its result. The scenario (the task id's prefix) decides as for M2V: `progress` is `init`, then
/// `running`, then done; `failed` fails; `partial` gives list kinds four outputs, one failed; `wrongdur` reports a voice
/// far from its length; `svg` hands an image kind an SVG. Item statuses come in upper case, product avatars call their
/// status `taskStatus` (older endpoints), and the video avatar has no cover, as upstream.
enum SandboxKind: String, CaseIterable, Sendable {
    case videoAvatar = "video-avatar", photoAvatar = "photo-avatar", productAvatar = "product-avatar"
    case image2video, text2video, omniReference = "omni-reference", video2aiAvatar = "video2ai-avatar"
    case text2image, imageEdit = "image-edit", productImage = "product-image"
    case videoObjectRemove = "video-object-remove", text2voice, voiceClone = "voice-clone"

    var queryPath: String {
        switch self {
        case .videoAvatar: "/v1/video_avatar/task/query"
        case .photoAvatar: "/v1/photo_avatar/task/query"
        case .productAvatar: "/v2/product_avatar/task/image2Video/query"
        case .image2video: "/v2/common_task/image2video/task/query"
        case .text2video: "/v1/common_task/text2video/task/query"
        case .omniReference: "/v1/common_task/omni_reference/task/query"
        case .video2aiAvatar: "/v1/common_task/video2aiAvatar/query"
        case .text2image: "/v1/common_task/text2image/task/query"
        case .imageEdit: "/v1/common_task/image_edit/task/query"
        case .productImage: "/v3/product_avatar/task/image_replace/query"
        case .videoObjectRemove: "/v1/common-task/video-object-remove/query"
        case .text2voice: "/v1/voice/text2voice/task/query"
        case .voiceClone: "/v1/voice/clone/task/query"
        }
    }

    /// The `result` object of this kind for the scenario at this poll.
    func result(_ scenario: Scenario, taskId: String, poll: Int, urls: SignedURLs) -> [String: Any] {
        let status: String
        switch scenario {
        case .progress where poll < 3: status = poll == 1 ? "init" : "running"
        case .failed: status = "fail"
        default: status = "success"
        }
        let done = status == "success"
        var result: [String: Any] = ["taskId": taskId, "costCredit": "2", "boardId": "sandbox"]
        result[self == .productAvatar ? "taskStatus" : "status"] = status
        if scenario == .failed { result["errorMsg"] = "Generation failed: the input was refused" }
        func url(_ asset: String) -> Any { done ? urls.url(asset: asset) : NSNull() }
        switch self {
        case .videoAvatar:
            result["outputVideoUrl"] = url("video-0.mp4")
        case .photoAvatar:
            result["finishedVideoUrl"] = url("video-0.mp4")
            result["finishedVideoCoverUrl"] = url("video-0.jpg")
            result["aiAvatar"] = ["aiavatarId": "template-1", "previewVideoUrl": "https://example.invalid/template.mp4"]
        case .productAvatar:
            result["finishedVideoUrl"] = url("video-0.mp4")
        case .video2aiAvatar:
            result["aiAvatar"] = ["aiavatarId": "avatar-1", "previewVideoUrl": url("video-0.mp4"), "coverUrl": url("video-0.jpg")]
        case .videoObjectRemove:
            result["outputVideoUrl"] = url("video-0.mp4")
            result["outputCoverUrl"] = url("video-0.jpg")
            result["outputDuration"] = done ? (scenario == .wrongdur ? 9000 : 4000) : NSNull()
            result["outputWidth"] = 360
            result["outputHeight"] = 640
        case .image2video, .text2video, .omniReference:
            result["videos"] = outputs(scenario, done: done) { index in
                ["filePath": url("video-\(index).mp4"), "duration": 4, "width": 360, "height": 640]
            }
        case .text2image, .imageEdit:
            result["images"] = outputs(scenario, done: done) { index in
                let ext = scenario == .svg ? "svg" : (index % 2 == 0 ? "png" : "webp")
                return ["filePath": url("image-\(index).\(ext)"), "width": index % 2 == 0 ? 640 : 512, "height": index % 2 == 0 ? 480 : 512]
            }
        case .productImage:
            let count = scenario == .partial ? 3 : 2
            result["replaceProductResult"] = done ? (0..<count).map { ["imageId": "img-\($0)", "url": urls.url(asset: "image-\($0).png")] } : []
        case .text2voice:
            result["voice"] = ["voiceId": "voice-1", "demoAudioUrl": url("audio-0.m4a"),
                               "durations": done ? (scenario == .wrongdur ? 9.0 : 2.5) as Any : NSNull()]
        case .voiceClone:
            result["voice"] = ["voiceId": "voice-2", "demoAudioUrl": url("audio-0.m4a")]
        }
        return result
    }

    /// Two outputs (four for `partial`, the second of them failed), statuses in upper case as some items come.
    private func outputs(_ scenario: Scenario, done: Bool, _ fields: (Int) -> [String: Any]) -> [[String: Any]] {
        guard done else { return [] }
        return (0..<(scenario == .partial ? 4 : 2)).map { index in
            var entry = fields(index)
            if scenario == .partial && index == 1 {
                entry["filePath"] = NSNull()
                entry["status"] = "FAIL"
                entry["errorMsg"] = "this output was refused by moderation"
            } else {
                entry["status"] = "SUCCESS"
            }
            return entry
        }
    }
}

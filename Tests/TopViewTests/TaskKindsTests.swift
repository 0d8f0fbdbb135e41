import Testing
@testable import TopView

/// Every kind beyond M2V reads its result as `../shared/reference/topview-kinds.md` describes it: outputs with their
/// role, index, URLs and duration (unit known or kept raw), statuses in any case, errors, and its callbacks' bizType.
@Suite struct TaskKindsTests {
    static func snapshot(_ kind: String, _ json: String) throws -> TaskSnapshot {
        let type = try #require(TaskKinds.kind(named: kind), "kind \(kind)")
        return try type.snapshot(from: JSONValue.parse(Array(json.utf8)))
    }

    @Test func everyKindIsListedWithItsQueryPath() {
        let paths = Dictionary(uniqueKeysWithValues: TaskKinds.all.map { ($0.name, $0.queryPath) })
        #expect(paths == [
            "m2v": "/v1/m2v/task/query",
            "video-avatar": "/v1/video_avatar/task/query",
            "photo-avatar": "/v1/photo_avatar/task/query",
            "product-avatar": "/v2/product_avatar/task/image2Video/query",
            "image2video": "/v2/common_task/image2video/task/query",
            "text2video": "/v1/common_task/text2video/task/query",
            "video2ai-avatar": "/v1/common_task/video2aiAvatar/query",
            "text2image": "/v1/common_task/text2image/task/query",
            "product-image": "/v3/product_avatar/task/image_replace/query",
            "omni-reference": "/v1/common_task/omni_reference/task/query",
            "video-object-remove": "/v1/common-task/video-object-remove/query",
            "image-edit": "/v1/common_task/image_edit/task/query",
            "text2voice": "/v1/voice/text2voice/task/query",
            "voice-clone": "/v1/voice/clone/task/query",
        ])
        #expect(TaskKinds.defaultKind.name == "m2v")
        #expect(TaskKinds.kind(named: "TEXT2IMAGE")?.name == "text2image")
        #expect(TaskKinds.kind(named: "nope") == nil)
    }

    @Test(arguments: [
        ("M2V_PREVIEW", "m2v"), ("m2v_export", "m2v"), ("PRODUCT_AVATAR_IMAGE2VIDEO", "product-avatar"),
        ("COMMON_TASK_IMAGE2VIDEO", "image2video"), ("COMMON_TASK_TEXT2VIDEO", "text2video"),
        ("COMMON_TASK_VIDEO2AIAVATAR", "video2ai-avatar"), ("COMMON_TASK_TEXT2IMAGE", "text2image"),
        ("PRODUCT_AVATAR_REPLACE_PRODUCT_IMAGE", "product-image"), ("VOICE_TEXT2VOICE", "text2voice"),
        ("VOICE_CLONE", "voice-clone"), ("ZERO_SHOT_AVATAR", "video-avatar"),
    ])
    func callbacksMapTheirBizType(_ bizType: String, _ kind: String) {
        #expect(TaskKinds.kind(forBizType: bizType)?.name == kind)
    }

    @Test(arguments: ["M2V_SCRIPT", "SCRAPER", "MUSIC", ""])
    func otherBizTypesNameNoKind(_ bizType: String) {
        #expect(TaskKinds.kind(forBizType: bizType) == nil)
    }

    @Test func aListKindReadsEachOutputOnItsOwn() throws {
        let s = try Self.snapshot("image2video", """
            {"taskId":"i2v-1","status":"success","costCredit":"3","videos":[
              {"filePath":"https://cdn.example/a.mp4","status":"SUCCESS","duration":5,"width":720,"height":1280},
              {"filePath":null,"status":"FAIL","errorMsg":"moderation"},
              {"filePath":"https://cdn.example/c.mp4","status":"success","duration":"4.5"},
              {"filePath":"https://cdn.example/d.mp4","status":"running"}]}
            """)
        #expect(s.taskId == "i2v-1" && s.kind == "image2video" && s.status == "success")
        #expect(s.items.map(\.scriptId) == [0, 1, 2, 3])
        #expect(s.items.allSatisfy { $0.role == VideoItem.videoRole })
        #expect(s.items.map(\.videoURL) == ["https://cdn.example/a.mp4", nil, "https://cdn.example/c.mp4", "https://cdn.example/d.mp4"])
        #expect(s.items[0].isReady && !s.items[1].isReady && s.items[1].errorMsg == "moderation")
        #expect(s.items.map(\.reportedDurationUs) == [nil, nil, nil, nil], "videos[].duration has no documented unit")
        #expect(s.items.map(\.reportedDurationRaw) == ["5", nil, "4.5", nil], "kept as written")
        #expect(!s.isSettled, "one output still running")
    }

    @Test func singleOutputKindsReadTheirFields() throws {
        let avatar = try Self.snapshot("photo-avatar", """
            {"taskId":"pa-1","status":"success","finishedVideoUrl":"https://x/v.mp4","finishedVideoCoverUrl":"https://x/c.jpg",
             "aiAvatar":{"previewVideoUrl":"https://x/template.mp4"}}
            """)
        #expect(avatar.items == [VideoItem(scriptId: 0, role: "video", status: "success", videoURL: "https://x/v.mp4", coverURL: "https://x/c.jpg")])
        let removed = try Self.snapshot("video-object-remove", """
            {"taskId":"vor-1","status":"success","outputVideoUrl":"https://x/o.mp4","outputCoverUrl":"https://x/o.jpg","outputDuration":4200}
            """)
        #expect(removed.items.first?.reportedDurationUs == 4_200_000, "outputDuration is in milliseconds")
        let voice = try Self.snapshot("text2voice", #"{"taskId":"tv-1","status":"success","voice":{"demoAudioUrl":"https://x/a.mp3","durations":2.5}}"#)
        #expect(voice.items == [VideoItem(scriptId: 0, role: "audio", status: "success", videoURL: "https://x/a.mp3", reportedDurationUs: 2_500_000)])
        let clone = try Self.snapshot("voice-clone", #"{"taskId":"vc-1","status":"success","voice":{"demoAudioUrl":"https://x/b.m4a","voiceId":"v"}}"#)
        #expect(clone.items.first?.role == "audio" && clone.items.first?.reportedDurationUs == nil)
        let v2a = try Self.snapshot("video2ai-avatar", #"{"taskId":"va-1","status":"success","aiAvatar":{"previewVideoUrl":"https://x/p.mp4","coverUrl":"https://x/p.jpg"}}"#)
        #expect(v2a.items.first?.videoURL == "https://x/p.mp4" && v2a.items.first?.coverURL == "https://x/p.jpg")
        let zeroShot = try Self.snapshot("video-avatar", #"{"taskId":"za-1","status":"running","outputVideoUrl":null}"#)
        #expect(zeroShot.items.first?.isInProgress == true && !zeroShot.isSettled)
    }

    @Test func olderShapesAndErrorsAreRead() throws {
        let product = try Self.snapshot("product-avatar", #"{"taskId":"pv-1","taskStatus":"failed","errorMessage":"bad image","errorCode":"4301"}"#)
        #expect(product.status == "failed" && product.isFailed && product.isSettled)
        #expect(product.errorMsg == "bad image (error code 4301)")
        let older = try Self.snapshot("product-image", """
            {"taskId":"pi-1","taskStatus":"success","productReplaceResult":[{"key":"k1","url":"https://x/1.png"},{"key":"k2","url":"https://x/2.png"}]}
            """)
        #expect(older.items.map(\.videoURL) == ["https://x/1.png", "https://x/2.png"])
        #expect(older.items.allSatisfy { $0.role == "image" && $0.status == "success" }, "outputs take the task's status")
        let newer = try Self.snapshot("product-image", #"{"taskId":"pi-2","status":"success","replaceProductResult":[{"imageId":"a","url":"https://x/3.webp"}]}"#)
        #expect(newer.items.map(\.videoURL) == ["https://x/3.webp"])
        let images = try Self.snapshot("text2image", """
            {"taskId":"ti-1","status":"SUCCESS","images":[{"filePath":"https://x/i.jpg","width":1024,"height":1024,"status":"success"}]}
            """)
        #expect(images.isSettled && images.items.first?.role == "image")
        #expect(throws: TopViewError.self) { try Self.snapshot("image-edit", #"{"status":"success"}"#) }
    }
}

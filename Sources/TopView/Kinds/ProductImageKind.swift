/// Product image replace: `replaceProductResult[].url`, or the older shape `productReplaceResult[]` (`key`, `url`).
public struct ProductImageKind: TaskKind {
    public static let name = "product-image"
    public static let queryPath = "/v3/product_avatar/task/image_replace/query"

    public static func handles(bizType: String) -> Bool {
        ["PRODUCT_AVATAR_REPLACE_PRODUCT_IMAGE"].contains(bizType.uppercased())
    }

    public static func snapshot(from result: JSONValue) throws(TopViewError) -> TaskSnapshot {
        try KindResult.list(result, kind: name, .init(role: VideoItem.imageRole, fields: ["replaceProductResult", "productReplaceResult"], url: ["url"]))
    }
}

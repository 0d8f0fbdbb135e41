import ArgumentParser

/// Where the catalog's bytes live (`reel serve`; other commands read the variables): see ``StoreConfiguration``.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("store-url"), help: "file:///PATH or s3://BUCKET[/PREFIX] for the catalog's files (default: REEL_STORE_URL, else the storage root; S3 needs --database-url).")
    var storeURL: String?
    @Option(name: .customLong("s3-endpoint"), help: "S3 endpoint URL, https:// (http:// only for a loopback host) (default: REEL_S3_ENDPOINT, else AWS's for AWS_REGION).")
    var s3Endpoint: String?
    @Option(name: .customLong("s3-path-style"), help: "Path-style S3 addressing: 1 on, 0 off (default: REEL_S3_PATH_STYLE, else 0).")
    var s3PathStyle: String?
    @Option(name: .customLong("scratch"), help: "Local working directory for downloads and encodes before upload (default: REEL_SCRATCH, else a folder in the system temp dir).")
    var scratch: String?
}

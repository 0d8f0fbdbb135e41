// swift-tools-version:6.2
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "ReelVault",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "reel", targets: ["reel"]),
        .executable(name: "reel-sandbox", targets: ["ReelSandbox"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // FFmpeg's C libraries (Debian 12: FFmpeg 5.1). Only `Media` imports this.
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libswresample-dev", "libavutil-dev", "libavfilter-dev"])]
        ),
        // Small shared primitives with no dependencies (safe text for logs and terminals, …).
        .target(name: "ReelBasics", swiftSettings: strict),
        // The storage root's durable-file primitives: atomic writes with fsync, flock, bounded reads, failpoints, digests.
        .target(
            name: "DurableFiles",
            dependencies: ["ReelBasics", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(name: "Media", dependencies: ["CFFmpeg", "DurableFiles"], swiftSettings: strict),
        .target(
            name: "TopView",
            dependencies: [
                "ReelBasics",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Catalog",
            dependencies: [
                "ReelBasics", "DurableFiles",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Pipeline",
            dependencies: [
                "Media", "TopView", "Catalog", "ReelBasics", "DurableFiles",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // S3-compatible object storage for the catalog's bytes (REEL_STORE_URL=s3://…): AWS Signature V4, the S3 calls
        // AWS documents, and the asset store on them.
        .target(
            name: "ObjectStore",
            dependencies: [
                "Catalog", "ReelBasics", "DurableFiles",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Shared state in PostgreSQL (REEL_DATABASE_URL): the job queue, with leases and fencing; migrations.
        .target(
            name: "ReelPostgres",
            dependencies: [
                "Pipeline", "Catalog", "ReelBasics",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "ReelServer",
            dependencies: [
                "Pipeline", "Catalog", "TopView", "ReelBasics", "ObjectStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "reel",
            dependencies: [
                "Media", "Pipeline", "Catalog", "TopView", "ReelServer", "ReelBasics", "ReelPostgres", "DurableFiles", "CTerminal", "ObjectStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The terminal's width for the CLI's progress lines (ioctl is variadic: a C function calls it).
        .target(name: "CTerminal", path: "Sources/CTerminal"),
        // Local sandbox of the TopView API for tests and demos (Tools/, not shipped).
        .executableTarget(
            name: "ReelSandbox",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tools/Sandbox",
            swiftSettings: strict
        ),
        // Benchmarks of the PostgreSQL job queue (Tools/bench/queue.sh; Tools/, not shipped).
        .executableTarget(
            name: "reel-queue-bench",
            dependencies: [
                "ReelPostgres", "Pipeline", "Catalog",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tools/QueueBench",
            swiftSettings: strict
        ),
        // Upload and download through the S3 client, for Tools/bench/s3.sh (Tools/, not shipped).
        .executableTarget(
            name: "reel-s3-bench",
            dependencies: ["ObjectStore", "ReelBasics"],
            path: "Tools/S3Bench",
            swiftSettings: strict
        ),
        .testTarget(name: "ReelBasicsTests", dependencies: ["ReelBasics"], swiftSettings: strict),
        // The `reel` CLI's configuration builder, in process (`@testable import reel`).
        .testTarget(
            name: "ReelTests",
            dependencies: ["reel", "ReelBasics", "ReelServer", "Pipeline", "TopView", "Media",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict
        ),
        // Test doubles shared by test targets (a clock that moves only when a test says so).
        .target(name: "ReelTestSupport", path: "Tests/ReelTestSupport", swiftSettings: strict),
        .testTarget(name: "MediaTests", dependencies: ["Media", "ReelTestSupport"], swiftSettings: strict),
        .testTarget(name: "TopViewTests", dependencies: ["TopView", "ReelTestSupport"], swiftSettings: strict),
        .testTarget(name: "DurableFilesTests", dependencies: ["DurableFiles"], swiftSettings: strict),
        // The contract suites every implementation of a storage seam passes (the local store here, S3 in ObjectStoreTests).
        .target(
            name: "StoreContracts",
            dependencies: ["Catalog", .product(name: "Crypto", package: "swift-crypto")],
            path: "Tests/StoreContracts",
            swiftSettings: strict
        ),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog", "DurableFiles", "StoreContracts"], swiftSettings: strict),
        .testTarget(
            name: "PipelineTests",
            dependencies: [
                "Pipeline", "Catalog", "TopView", "Media", "ReelServer", "ReelBasics", "ReelPostgres", "ReelTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ObjectStoreTests",
            dependencies: ["ObjectStore", "Catalog", "DurableFiles", "StoreContracts",
                           .product(name: "AsyncHTTPClient", package: "async-http-client")],
            exclude: ["Vectors"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ReelServerTests",
            dependencies: ["ReelServer", "Pipeline", "Catalog", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            swiftSettings: strict
        ),
    ]
)

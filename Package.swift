// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "ctrdb",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ctrdb", targets: ["ctrdb"]),
        .library(name: "CTRKit", targets: ["CTRKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        /// zlib, through a shim header: `inflateInit2` is a macro Swift cannot call.
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        /// libdeflate: whole-buffer zlib streams, about twice zlib's speed on a record (`RawText`).
        .systemLibrary(
            name: "CDeflate",
            path: "Sources/CDeflate",
            providers: [.apt(["libdeflate-dev"])]
        ),
        /// SQLite's process-wide settings (`sqlite3_config`), which Swift cannot call directly.
        .systemLibrary(
            name: "CSQLiteSettings",
            path: "Sources/CSQLiteSettings",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        /// zstd and snappy: the Parquet writer's codecs (`ctrdb lake`).
        .systemLibrary(
            name: "CZstd",
            path: "Sources/CZstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        .systemLibrary(
            name: "CSnappy",
            path: "Sources/CSnappy",
            providers: [.apt(["libsnappy-dev"])]
        ),
        .target(
            name: "CTRKit",
            dependencies: [
                "CZlib",
                "CDeflate",
                "CSQLiteSettings",
                "CZstd",
                "CSnappy",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "ctrdb",
            dependencies: [
                "CTRKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        /// Helpers both test targets share: scratch folders, gzip, reading tables and CSV back,
        /// the record builder, headless Chromium and PNG screenshots.
        .target(
            name: "TestSupport",
            dependencies: ["CTRKit", "CZlib", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "CTRKitTests",
            dependencies: ["CTRKit", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            exclude: ["Lake/Fixtures"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "ctrdbTests",
            dependencies: ["ctrdb", "CTRKit", "TestSupport"],
            exclude: ["Golden"]
        ),
    ],
    swiftLanguageModes: [.v5]
)

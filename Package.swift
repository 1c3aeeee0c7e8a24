// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "hoclieu",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "hoclieu", targets: ["hoclieu"]),
        .library(name: "HoclieuCore", targets: ["HoclieuCore"]),
        .library(name: "HoclieuXML", targets: ["HoclieuXML"]),
        .library(name: "HoclieuStorage", targets: ["HoclieuStorage"]),
        .library(name: "HoclieuApp", targets: ["HoclieuApp"]),
        .library(name: "OAIPMH", targets: ["OAIPMH"]),
        .library(name: "HoclieuServer", targets: ["HoclieuServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.2.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.20.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .systemLibrary(
            name: "CDeflate",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "HoclieuCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HoclieuXML",
            dependencies: ["CLibXML2"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CASE",
            dependencies: ["HoclieuCore", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(name: "QuestionFormats", dependencies: ["HoclieuCore", "HoclieuXML", "ContentPackages"], swiftSettings: swiftSettings),
        .target(name: "QTI", dependencies: ["HoclieuCore", "HoclieuXML", "QuestionFormats", "ContentPackages"], resources: [.copy("Schemas")], swiftSettings: swiftSettings),
        .target(
            name: "ContentPackages",
            dependencies: ["HoclieuCore", "HoclieuXML", "CDeflate"],
            resources: [.copy("Schemas")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CommonCartridge",
            dependencies: ["HoclieuCore", "HoclieuXML", "ContentPackages", "QuestionFormats", "QTI"],
            resources: [.copy("Schemas")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LTI",
            dependencies: [
                "HoclieuCore",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OAIPMH",
            dependencies: ["HoclieuCore", "HoclieuXML", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HoclieuStorage",
            dependencies: [
                "HoclieuCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HoclieuApp",
            dependencies: [
                "HoclieuCore",
                "CASE",
                "ContentPackages",
                "QuestionFormats",
                "QTI",
                "CommonCartridge",
                "OAIPMH",
                "HoclieuStorage",
                "LTI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HoclieuServer",
            dependencies: [
                "HoclieuApp",
                "HoclieuCore",
                "CASE",
                "ContentPackages",
                "QuestionFormats",
                "QTI",
                "CommonCartridge",
                "OAIPMH",
                "HoclieuStorage",
                "LTI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HoclieuCLI",
            dependencies: [
                "HoclieuCore",
                "CASE",
                "HoclieuXML",
                "HoclieuStorage",
                "HoclieuApp",
                "HoclieuServer",
                "QuestionFormats",
                "CommonCartridge",
                "LTI",
                .product(name: "JWTKit", package: "jwt-kit"),
                "OAIPMH",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "hoclieu",
            dependencies: ["HoclieuCLI"],
            swiftSettings: swiftSettings
        ),
        // The shared conformance corpus, located for every test target.
        .target(name: "ConformanceCorpus", path: "Tests/ConformanceCorpus", swiftSettings: swiftSettings),
        .testTarget(name: "HoclieuCoreTests", dependencies: ["HoclieuCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "LTITests",
            dependencies: ["LTI", "HoclieuCore", .product(name: "JWTKit", package: "jwt-kit")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "HoclieuXMLTests", dependencies: ["HoclieuXML", "ConformanceCorpus"], swiftSettings: swiftSettings),
        .testTarget(name: "QuestionFormatsTests", dependencies: ["QuestionFormats", "HoclieuCore", "ConformanceCorpus"], swiftSettings: swiftSettings),
        .testTarget(
            name: "QTITests",
            dependencies: ["QTI", "HoclieuCore", "QuestionFormats", "ConformanceCorpus", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CommonCartridgeTests",
            dependencies: ["CommonCartridge", "HoclieuCore", "HoclieuXML", "QuestionFormats", "ContentPackages", "ConformanceCorpus"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ContentPackagesTests",
            dependencies: ["ContentPackages", "ConformanceCorpus", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OAIPMHTests",
            dependencies: ["OAIPMH", "HoclieuCore", "HoclieuXML", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HoclieuStorageTests",
            dependencies: [
                "HoclieuStorage", "HoclieuCore", .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HoclieuServerTests",
            dependencies: [
                "HoclieuServer",
                "OAIPMH",
                "HoclieuXML",
                "HoclieuApp",
                "HoclieuStorage",
                "HoclieuCore",
                "CommonCartridge",
                "ContentPackages",
                "ConformanceCorpus",
                "LTI",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HoclieuCLITests",
            dependencies: [
                "HoclieuCLI", "HoclieuStorage", "HoclieuCore", "HoclieuApp", "HoclieuServer", "ConformanceCorpus", "CommonCartridge", "LTI", "OAIPMH",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)

// Fuzz targets (libFuzzer). A normal build makes replay programs (`FuzzZip Fuzz/Corpus/FuzzZip` runs each
// seed once); `.ci/fuzz.sh` builds them with `-DFUZZING` and `-sanitize=fuzzer,address` and fuzzes each.
package.targets += [
    .target(name: "FuzzSupport", path: "Fuzz/FuzzSupport", swiftSettings: swiftSettings),
    .executableTarget(name: "FuzzZip", dependencies: ["FuzzSupport", "ContentPackages"], path: "Fuzz/FuzzZip", swiftSettings: swiftSettings),
    .executableTarget(
        name: "FuzzManifest", dependencies: ["FuzzSupport", "CommonCartridge", "ContentPackages"], path: "Fuzz/FuzzManifest", swiftSettings: swiftSettings),
    .executableTarget(name: "FuzzGIFT", dependencies: ["FuzzSupport", "QuestionFormats"], path: "Fuzz/FuzzGIFT", swiftSettings: swiftSettings),
    .executableTarget(
        name: "FuzzDocx", dependencies: ["FuzzSupport", "QuestionFormats", "ContentPackages"], path: "Fuzz/FuzzDocx", swiftSettings: swiftSettings),
    .executableTarget(name: "FuzzRange", dependencies: ["FuzzSupport", "HoclieuCore"], path: "Fuzz/FuzzRange", swiftSettings: swiftSettings),
]

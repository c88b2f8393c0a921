// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Tern",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ternd", targets: ["ternd"]),
        .executable(name: "ternctl", targets: ["ternctl"]),
        .executable(name: "tern-sendmail", targets: ["tern-sendmail"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // LMDB from Debian's liblmdb-dev.
        .systemLibrary(
            name: "CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"])]
        ),
        // crypt(3) from libxcrypt (Debian's libcrypt-dev), for AUTH password hashes.
        .systemLibrary(name: "CCrypt", providers: [.apt(["libcrypt-dev"])]),
        // SQLite from Debian's libsqlite3-dev, for `sqlite:` tables.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // glibc's stub resolver (libresolv) for MX, A and AAAA lookups.
        .target(name: "CResolv", linkerSettings: [.linkedLibrary("resolv")]),
        // Pure value types: addresses, envelopes, DSN parameters, replies. No I/O.
        .target(name: "Envelope"),
        // The LMDB journal, group commit and scheduling state.
        .target(
            name: "Queue",
            dependencies: [
                "Envelope",
                "CLMDB",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Wire protocols: SMTP server/client codecs and state machines, TLS glue.
        .target(
            name: "Transport",
            dependencies: [
                "Envelope",
                "CResolv",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The daemon assembled: configuration, listeners, workers, lifecycle.
        .target(
            name: "Server",
            dependencies: [
                "Envelope", "Queue", "Transport", "CCrypt", "CSQLite",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "ternd",
            dependencies: [
                "Server",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "tools/ternd"
        ),
        .executableTarget(
            name: "ternctl",
            dependencies: [
                "Envelope", "Queue", "Transport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "tools/ternctl"
        ),
        // The sendmail-compatible enqueuer, installable as /usr/sbin/sendmail.
        .executableTarget(
            name: "tern-sendmail",
            dependencies: ["Envelope", "Queue", "Transport"],
            path: "tools/tern-sendmail"
        ),
        .executableTarget(
            name: "tern-bench",
            dependencies: [
                "Envelope", "Queue",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "tools/tern-bench"
        ),
        // Child process for the journal crash test: writes, acknowledges, gets killed.
        .executableTarget(
            name: "JournalCrashWriter",
            dependencies: ["Envelope", "Queue"],
            path: "Tests/JournalCrashWriter"
        ),
        // Fuzz targets (tools/fuzz builds them with libFuzzer; a plain build
        // gives replay drivers that run the target over the files named).
        .target(name: "CFuzzer", path: "Fuzz/CFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzer"], path: "Fuzz/FuzzSupport"),
        .executableTarget(name: "FuzzSMTPSession", dependencies: ["Transport", "Envelope", "FuzzSupport", .product(name: "NIOCore", package: "swift-nio")], path: "Fuzz/FuzzSMTPSession"),
        .executableTarget(name: "FuzzAddress", dependencies: ["Envelope", "FuzzSupport"], path: "Fuzz/FuzzAddress"),
        .executableTarget(name: "FuzzReply", dependencies: ["Envelope", "FuzzSupport"], path: "Fuzz/FuzzReply"),
        .executableTarget(name: "FuzzJournalRecords", dependencies: ["Queue", "Envelope", "FuzzSupport"], path: "Fuzz/FuzzJournalRecords"),
        .executableTarget(name: "FuzzConfig", dependencies: ["Server", "FuzzSupport"], path: "Fuzz/FuzzConfig"),
        // Helpers shared by the test targets: real peer processes started with posix_spawn.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "EnvelopeTests", dependencies: ["Envelope", "TestSupport"]),
        .testTarget(name: "QueueTests", dependencies: ["Queue", "Envelope", "JournalCrashWriter", "TestSupport"]),
        .testTarget(
            name: "TransportTests",
            dependencies: [
                "Transport", "Envelope", "TestSupport",
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Queue", "Transport", "Envelope", "TestSupport",
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .testTarget(name: "EndToEndTests", dependencies: ["ternd", "ternctl", "tern-sendmail", "TestSupport"]),
    ]
)

// swift-tools-version:6.2
import PackageDescription

// Every target: Swift 6 language mode (strict concurrency) plus the upcoming features the
// server ecosystem (swift-nio, postgres-nio, hummingbird) builds with.
let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "rapport",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "rapportd", targets: ["rapportd"]),
        .executable(name: "rapport", targets: ["rapport"]),
        .library(name: "LibPQ", targets: ["LibPQ"]),
        // For the libFuzzer package in Fuzz/, which builds the pure wire format alone.
        .library(name: "RapportProtocol", targets: ["RapportProtocol"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // 1. libpq's C API, found with pkg-config (Debian: libpq-dev).
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        // 2. A safe Swift face on libpq: the only module that sees a libpq pointer.
        .target(
            name: "LibPQ",
            dependencies: [
                "CLibPQ",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // 3. The domain as values and pure rules; no I/O.
        // Dates and times are the protocol's CalendarDate and TimeOfDay (pure values).
        .target(name: "RapportModel", dependencies: ["RapportProtocol"], swiftSettings: strictSettings),
        // Mail merge, pure: merge fields into .docx packages (MERGEFIELDs, «Field» markers), HTML and text bodies.
        .target(
            name: "RapportMerge",
            dependencies: [
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: strictSettings
        ),
        // Starts and stops a private PostgreSQL cluster (embedded default, test suites).
        .target(
            name: "PostgresLauncher",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        // 4. The data layer: migrations (embedded from sql/ at build time) and store operations.
        .target(
            name: "RapportStore",
            dependencies: [
                "LibPQ",
                "RapportModel",
                "RapportMerge",
                "RapportProtocol",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: strictSettings,
            plugins: ["EmbedMigrations"]
        ),
        // Tasks that run on a NIO event loop (a session's, a client connection's): fewer thread hops.
        .target(
            name: "EventLoopExecutor",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        // 5. The wire format, pure: framing, tokens and quoting, replies, command table, PROXY header.
        .target(
            name: "RapportProtocol",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        // SMTP (RFC 5321) client for the delivery worker: the dialogue as a pure state machine, MIME
        // building, and a small NIO connection (STARTTLS through swift-nio-ssl).
        .target(
            name: "SMTPClient",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // 6. The NIO server: sessions, authentication and roles, dispatch, limits, draining, metrics.
        .target(
            name: "RapportServer",
            dependencies: [
                "RapportProtocol",
                "RapportStore",
                "RapportModel",
                "LibPQ",
                "SMTPClient",
                "EventLoopExecutor",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "rapportd",
            dependencies: [
                "LibPQ",
                "SMTPClient",
                "PostgresLauncher",
                "RapportStore",
                "RapportServer",
                "RapportModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // QUALITY.md P3: Log Segment of 100,000 lines beside the bare INSERT … SELECT (BENCHMARKS.md).
        .executableTarget(
            name: "rapport-bench",
            dependencies: [
                "LibPQ", "PostgresLauncher", "RapportStore", "RapportServer", "RapportClient", "RapportProtocol",
                "SMTPClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // 7. The async client library (pipelining) that the CLI, the tests and the benchmarks use.
        .target(
            name: "RapportClient",
            dependencies: [
                "RapportProtocol",
                "EventLoopExecutor",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // libedit (Debian: libedit-dev): line editing and history for `rapport shell`.
        .systemLibrary(name: "CEditLine", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        .executableTarget(
            name: "rapport",
            dependencies: [
                "RapportClient",
                "RapportProtocol",
                "CEditLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        // Build tool: turns sql/NNNN_*.sql into Swift string constants so the binary carries its schema.
        .executableTarget(name: "SQLEmbedder", swiftSettings: strictSettings),
        .plugin(name: "EmbedMigrations", capability: .buildTool(), dependencies: ["SQLEmbedder"]),

        // Test support: one private PostgreSQL cluster per test run, a fresh database per suite.
        .target(
            name: "RapportTestSupport",
            dependencies: [
                "LibPQ", "PostgresLauncher", "RapportStore", "RapportServer", "RapportModel", "RapportProtocol",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/RapportTestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RapportProtocolTests",
            dependencies: [
                "RapportProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RapportClientTests",
            dependencies: ["RapportClient", "RapportProtocol"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RapportServerTests",
            dependencies: [
                "RapportServer", "RapportClient", "RapportProtocol", "RapportStore", "RapportModel", "LibPQ",
                "RapportTestSupport", "PostgresLauncher", "RapportMerge", "SMTPClient", "EventLoopExecutor",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RapportMergeTests",
            dependencies: ["RapportMerge", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RapportModelTests",
            dependencies: ["RapportModel"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LibPQTests",
            dependencies: ["LibPQ", "RapportTestSupport"],
            swiftSettings: strictSettings
        ),
        // The deployment on loopback: PostgreSQL, rapportd processes, HAProxy; backups; DBA roles.
        .testTarget(
            name: "DeploymentTests",
            dependencies: [
                "RapportTestSupport", "LibPQ", "RapportProtocol", "RapportClient", "PostgresLauncher",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // Faults that take longer (`make test-faults`): kill -9 under load, database restarts, slow and
        // flooding clients, login storms, descriptor exhaustion. `make test` skips this target.
        .testTarget(
            name: "FaultTests",
            dependencies: [
                "RapportTestSupport", "LibPQ", "RapportProtocol", "RapportClient", "PostgresLauncher",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // PostgreSQL high availability (`make test-ha`): etcd, Patroni nodes and HAProxy started by the
        // tests; failover, switchover and standby reads under load. `make test` skips this target.
        .testTarget(
            name: "HATests",
            dependencies: [
                "RapportTestSupport", "LibPQ", "RapportProtocol", "RapportClient", "RapportStore", "RapportServer",
                "RapportModel", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RapportStoreTests",
            dependencies: [
                "RapportStore", "RapportTestSupport", "LibPQ", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)

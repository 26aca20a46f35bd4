// swift-tools-version:6.2
import PackageDescription

// libFuzzer targets for the pure wire format (RapportProtocol). Each executable exports
// `LLVMFuzzerTestOneInput`, and its `<Target>_main` (what SwiftPM aliases `main` to on Linux) runs libFuzzer's
// driver. Build with the toolset `fuzzer-toolset.json` (`-sanitize=fuzzer` for the fuzz targets and
// RapportProtocol, not for the root package's build-tool plugin), as `make fuzz` in the root Makefile does.
let fuzzSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .unsafeFlags(["-parse-as-library"]),
]

let targets = ["FuzzLineFramer", "FuzzTokenizer", "FuzzProxyHeader", "FuzzResponseParser", "FuzzRequestPath"]

let package = Package(
    name: "rapport-fuzz",
    platforms: [.macOS(.v15)],
    products: targets.map { .executable(name: $0, targets: [$0]) },
    dependencies: [
        .package(name: "rapport", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        // Declares libFuzzer's LLVMFuzzerRunDriver.
        .target(name: "CLibFuzzer"),
        // Chunk splitting and the checks shared by the targets.
        .target(
            name: "FuzzSupport",
            dependencies: [
                "CLibFuzzer",
                .product(name: "RapportProtocol", package: "rapport"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
        + targets.map {
            .executableTarget(
                name: $0,
                dependencies: [
                    "FuzzSupport",
                    .product(name: "RapportProtocol", package: "rapport"),
                    .product(name: "NIOCore", package: "swift-nio"),
                ],
                swiftSettings: fuzzSettings
            )
        }
)

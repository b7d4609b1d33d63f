// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "scopescan",
    products: [
        .executable(name: "scopescan", targets: ["scopescan"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // libpcap, found through pkg-config; Debian/Ubuntu ship it as libpcap-dev.
        .systemLibrary(
            name: "CPcap",
            pkgConfig: "libpcap",
            providers: [.apt(["libpcap-dev"]), .brew(["libpcap"])]
        ),
        // Zero-copy protocol views. No I/O, no C.
        .target(name: "ScopeScanWire"),
        // Packet sources: libpcap files and live handles, the native pcapng reader, capture writers.
        .target(name: "ScopeScanCapture", dependencies: ["CPcap", "ScopeScanWire"]),
        // Flow table, rules, findings.
        .target(name: "ScopeScanRules", dependencies: ["ScopeScanWire", "ScopeScanCapture"]),
        // Text, JSON Lines, Markdown and evidence captures.
        .target(name: "ScopeScanReport", dependencies: ["ScopeScanWire", "ScopeScanCapture", "ScopeScanRules"]),
        .executableTarget(
            name: "scopescan",
            dependencies: [
                "ScopeScanWire", "ScopeScanCapture", "ScopeScanRules", "ScopeScanReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "ScopeScanWireTests", dependencies: ["ScopeScanWire"]),
        .testTarget(name: "ScopeScanCaptureTests", dependencies: ["ScopeScanCapture", "ScopeScanWire"]),
        .testTarget(name: "ScopeScanRulesTests", dependencies: ["ScopeScanRules", "ScopeScanCapture", "ScopeScanWire"]),
        // Golden/ holds expected outputs, read by path.
        .testTarget(name: "scopescanTests", dependencies: ["scopescan"], exclude: ["Golden"]),
    ]
)

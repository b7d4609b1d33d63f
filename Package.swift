// swift-tools-version:6.2
import PackageDescription

// Every Swift target: borrowed views need `Lifetimes` (`~Escapable` types with `@_lifetime`, still
// experimental in Swift 6.3), and strict memory safety (SE-0458) makes the compiler warn at each
// use of an unsafe construct not marked `unsafe`; Scripts/unsafe-sites.sh counts them per module.
let safety: [SwiftSetting] = [.enableExperimentalFeature("Lifetimes"), .strictMemorySafety()]
// Tests build fixtures with pointers freely; they get the views' feature, not the counting.
let testSettings: [SwiftSetting] = [.enableExperimentalFeature("Lifetimes")]

let package = Package(
    name: "scopescan",
    products: [
        .executable(name: "scopescan", targets: ["scopescan"]),
        // The analysis pipeline (open a capture, analyse it, write report and evidence) and the probe, for library users.
        .library(name: "ScopeScanAnalysis", targets: ["ScopeScanAnalysis", "ScopeScanProbe"]),
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
        // Decompressors for compressed captures (detected by magic number), through pkg-config.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"]), .brew(["zstd"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"]), .brew(["lz4"])]),
        // The platform layer: the C library of this OS (Glibc, Musl or Darwin) and the calls that differ.
        // C calls Swift cannot import (variadic prctl, raw capset), for ScopeScanSystem only.
        .target(name: "CScopeScanSystem"),
        .target(name: "ScopeScanSystem", dependencies: ["CScopeScanSystem"], swiftSettings: safety),
        // Zero-copy protocol views. No I/O, no C.
        .target(name: "ScopeScanWire", swiftSettings: safety),
        // Platform-free packet values: captured packet, interface description, timestamps, the
        // packet-source protocol. No libpcap, no I/O.
        .target(name: "ScopeScanPackets", dependencies: ["ScopeScanWire"], swiftSettings: safety),
        // Packet sources: libpcap files and live handles, the native pcapng reader, streams (pipes,
        // compressed captures, decompressed by a second thread), capture writers.
        .target(name: "ScopeScanCapture", dependencies: ["CPcap", "CZlib", "CZstd", "CLZ4", "ScopeScanSystem", "ScopeScanWire", "ScopeScanPackets"], swiftSettings: safety),
        // Flow table, rules, findings. Needs packet values only: no libpcap.
        .target(name: "ScopeScanRules", dependencies: ["ScopeScanWire", "ScopeScanPackets"], swiftSettings: safety),
        // Text, JSON Lines, Markdown and the evidence plan. No libpcap.
        .target(name: "ScopeScanReport", dependencies: ["ScopeScanSystem", "ScopeScanWire", "ScopeScanPackets", "ScopeScanRules"], swiftSettings: safety),
        // The pipeline a library user calls: open a capture, analyse it (two passes when needed),
        // write the report and the evidence pcapng.
        // libbpf, found through pkg-config (Debian: libbpf-dev, which brings libelf-dev and zlib1g-dev).
        .systemLibrary(name: "CLibbpf", pkgConfig: "libbpf", providers: [.apt(["libbpf-dev"])]),
        // The skb:kfree_skb tracer: the BPF program's source (bpf/, compiled by Scripts/gen-bpf.sh into
        // generated/) and its libbpf loader. Elsewhere than Linux it compiles to stubs that fail.
        .target(
            name: "CKernelDrops",
            dependencies: [.target(name: "CLibbpf", condition: .when(platforms: [.linux]))],
            exclude: ["bpf"]
        ),
        // Kernel drop reasons for a live capture, the matcher tying them to captured frames, route
        // lookups. Linux only at run time; builds everywhere.
        .target(name: "ScopeScanKernel", dependencies: ["CKernelDrops", "ScopeScanSystem", "ScopeScanWire", "ScopeScanPackets"], swiftSettings: safety),
        .target(name: "ScopeScanAnalysis", dependencies: ["ScopeScanSystem", "ScopeScanWire", "ScopeScanCapture", "ScopeScanRules", "ScopeScanReport", "ScopeScanKernel"], swiftSettings: safety),
        // `scopescan probe` as a library: the plan of attempts, the platform sockets and routes, the
        // capture session, the verdict and its outputs. The verdict and plan are pure values.
        .target(name: "ScopeScanProbe", dependencies: ["ScopeScanSystem", "ScopeScanWire", "ScopeScanCapture", "ScopeScanRules", "ScopeScanReport", "ScopeScanAnalysis", "ScopeScanKernel"], swiftSettings: safety),
        .executableTarget(
            name: "scopescan",
            dependencies: [
                "ScopeScanSystem", "ScopeScanWire", "ScopeScanCapture", "ScopeScanRules", "ScopeScanReport", "ScopeScanAnalysis", "ScopeScanProbe",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: safety
        ),
        // ScopeScanCapture reads the fixtures whose frames some Wire tests decode.
        .testTarget(name: "ScopeScanWireTests", dependencies: ["ScopeScanWire", "ScopeScanCapture"], swiftSettings: testSettings),
        .testTarget(name: "ScopeScanPacketsTests", dependencies: ["ScopeScanPackets"], swiftSettings: testSettings),
        .testTarget(name: "ScopeScanReportTests", dependencies: ["ScopeScanReport", "ScopeScanRules", "ScopeScanWire", "ScopeScanPackets"], swiftSettings: testSettings),
        .testTarget(name: "ScopeScanKernelTests", dependencies: ["ScopeScanKernel", "ScopeScanWire", "ScopeScanPackets", "ScopeScanCapture"], swiftSettings: testSettings),
        .testTarget(name: "ScopeScanSystemTests", dependencies: ["ScopeScanSystem"], swiftSettings: testSettings),
        .testTarget(name: "ScopeScanCaptureTests", dependencies: ["ScopeScanCapture", "ScopeScanWire"], swiftSettings: testSettings),
        .testTarget(name: "ScopeScanProbeTests", dependencies: ["ScopeScanProbe", "ScopeScanAnalysis", "ScopeScanCapture", "ScopeScanRules", "ScopeScanWire"], swiftSettings: testSettings),
        .testTarget(name: "ScopeScanRulesTests", dependencies: ["ScopeScanRules", "ScopeScanAnalysis", "ScopeScanCapture", "ScopeScanWire"], swiftSettings: testSettings),
        // Golden/ holds expected outputs, read by path.
        .testTarget(name: "scopescanTests", dependencies: ["scopescan"], exclude: ["Golden"], swiftSettings: testSettings),
    ]
)

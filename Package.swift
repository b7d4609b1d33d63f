// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "scopescan",
    products: [
        .executable(name: "scopescan", targets: ["scopescan"]),
        // The analysis pipeline (open a capture, analyse it, write report and evidence) and the probe, for library users.
        .library(name: "ScopeScanAnalysis", targets: ["ScopeScanAnalysis"]),
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
        // Platform-free packet values: captured packet, interface description, timestamps, the
        // packet-source protocol. No libpcap, no I/O.
        .target(name: "ScopeScanPackets", dependencies: ["ScopeScanWire"]),
        // Packet sources: libpcap files and live handles, the native pcapng reader, capture writers.
        .target(name: "ScopeScanCapture", dependencies: ["CPcap", "ScopeScanWire", "ScopeScanPackets"]),
        // Flow table, rules, findings. Needs packet values only: no libpcap.
        .target(name: "ScopeScanRules", dependencies: ["ScopeScanWire", "ScopeScanPackets"]),
        // Text, JSON Lines, Markdown and the evidence plan. No libpcap.
        .target(name: "ScopeScanReport", dependencies: ["ScopeScanWire", "ScopeScanPackets", "ScopeScanRules"]),
        // The pipeline a library user calls: open a capture, analyse it (two passes when needed),
        // write the report and the evidence pcapng.
        .target(name: "ScopeScanAnalysis", dependencies: ["ScopeScanWire", "ScopeScanCapture", "ScopeScanRules", "ScopeScanReport"]),
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
        .target(name: "ScopeScanKernel", dependencies: ["CKernelDrops", "ScopeScanWire", "ScopeScanPackets"]),
        .executableTarget(
            name: "scopescan",
            dependencies: [
                "ScopeScanWire", "ScopeScanCapture", "ScopeScanRules", "ScopeScanReport", "ScopeScanAnalysis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "ScopeScanWireTests", dependencies: ["ScopeScanWire"]),
        .testTarget(name: "ScopeScanPacketsTests", dependencies: ["ScopeScanPackets"]),
        .testTarget(name: "ScopeScanKernelTests", dependencies: ["ScopeScanKernel", "ScopeScanWire", "ScopeScanPackets", "ScopeScanCapture"]),
        .testTarget(name: "ScopeScanCaptureTests", dependencies: ["ScopeScanCapture", "ScopeScanWire"]),
        .testTarget(name: "ScopeScanRulesTests", dependencies: ["ScopeScanRules", "ScopeScanAnalysis", "ScopeScanCapture", "ScopeScanWire"]),
        // Golden/ holds expected outputs, read by path.
        .testTarget(name: "scopescanTests", dependencies: ["scopescan"], exclude: ["Golden"]),
    ]
)

import Testing
import ScopeScanPackets
@testable import ScopeScanKernel
#if canImport(Glibc)
import Glibc
#endif

@Suite("Kernel drop reasons: names from BTF, explanations, clear failures")
struct KernelDropReasonTests {
    #if os(Linux)
    @Test("this kernel's BTF has the reasons scopescan explains, with distinct values",
          .enabled(if: access("/sys/kernel/btf/vmlinux", R_OK) == 0, "no /sys/kernel/btf/vmlinux"))
    func reasonsFromBTF() throws {
        let table = try KernelDropReasonTable.load()
        let wanted = ["NETFILTER_DROP", "NO_SOCKET", "IP_INHDR", "IPV6DISABLED", "NOT_SPECIFIED", "IP_INADDRERRORS", "OTHERHOST"]
        let values = try wanted.map { name in try #require(table.value(named: name), "\(name) missing") }
        #expect(Set(values).count == wanted.count)
        #expect(table.namesByValue.values.allSatisfy { !$0.hasPrefix("SKB_DROP_REASON_") })
        let value = try #require(table.value(named: "NETFILTER_DROP"))
        #expect(table.reason(value).name == "NETFILTER_DROP")
    }

    @Test("a missing BTF file is one clear line")
    func missingBTF() {
        #expect {
            _ = try KernelDropReasonTable.load(btfPath: "/nonexistent/vmlinux")
        } throws: { error in
            let text = String(describing: error)
            return text.hasPrefix("kernel drop reasons unavailable: ") && !text.contains("\n") && text.contains("/nonexistent/vmlinux")
        }
    }

    /// A kernel before 5.17, as its BTF looks: types, but no enum skb_drop_reason. The BTF of a
    /// small BPF object stands in for it.
    @Test("BTF without enum skb_drop_reason: the 5.17 line", .enabled(if: access("/opt/swift/usr/bin/clang", X_OK) == 0, "no /opt/swift/usr/bin/clang"))
    func btfWithoutReasons() throws {
        let object = "/tmp/sskd-old-kernel-\(getpid()).o"
        defer { unlink(object) }
        try shell("echo 'enum other { A, B }; enum other used;' | /opt/swift/usr/bin/clang -target bpf -g -x c -c -o \(object) -")
        #expect(throws: KernelDropsUnavailable("the kernel's BTF has no enum skb_drop_reason (drop reasons came in Linux 5.17)")) {
            _ = try KernelDropReasonTable.load(btfPath: object)
        }
    }
    #endif

    @Test("prerequisites: no BTF, no privilege, each its own line; root or CAP_BPF+CAP_PERFMON pass")
    func prerequisites() {
        let noBTF = KernelDropMonitor.prerequisiteProblem(hasBTF: false, effectiveCapabilities: ~0)
        #expect(noBTF?.description == "kernel drop reasons unavailable: the kernel has no BTF (/sys/kernel/btf/vmlinux missing: CONFIG_DEBUG_INFO_BTF is off)")
        let unprivileged = KernelDropMonitor.prerequisiteProblem(hasBTF: true, effectiveCapabilities: 0)
        #expect(unprivileged?.description == "kernel drop reasons unavailable: needs root, or CAP_BPF and CAP_PERFMON")
        #expect(KernelDropMonitor.prerequisiteProblem(hasBTF: true, effectiveCapabilities: 1 << 39) != nil) // CAP_BPF alone
        #expect(KernelDropMonitor.prerequisiteProblem(hasBTF: true, effectiveCapabilities: 1 << 38 | 1 << 39) == nil)
        #expect(KernelDropMonitor.prerequisiteProblem(hasBTF: true, effectiveCapabilities: 1 << 21) == nil)
        #expect(KernelDropMonitor.prerequisiteProblem(hasBTF: true, effectiveCapabilities: nil) == nil)
        #expect(KernelDropsUnavailable.unsupportedPlatform.description == "kernel drop reasons unavailable: not supported on this platform")
    }

    @Test("explanations for the common reasons, with fallbacks")
    func explanations() {
        #expect(KernelDropReason.explanation(forName: "NETFILTER_DROP").hasPrefix("a firewall rule"))
        #expect(KernelDropReason.explanation(forName: "NO_SOCKET").hasPrefix("no socket listening"))
        #expect(KernelDropReason.explanation(forName: "IP_INHDR") == "invalid IP header, e.g. a loopback source on a real link")
        #expect(KernelDropReason.explanation(forName: "IP_INADDRERRORS") == "destination not local and not forwarded")
        #expect(KernelDropReason.explanation(forName: "IPV6DISABLED") == "IPv6 disabled on the interface")
        #expect(KernelDropReason.explanation(forName: "TCP_SOMETHING_NEW") == "TCP refused the segment: something new")
        #expect(KernelDropReason.explanation(forName: "BRAND_NEW") == "dropped by the kernel: brand new")
        #expect(KernelDropReason.unnamed(0x0001_0002).name == "SUBSYSTEM_1_2")
        #expect(KernelDropReason.unnamed(0x0001_0002).explanation == "dropped by a subsystem with reasons of its own")
    }

    @Test("monotonic tracer times become wall-clock timestamps near now")
    func wallClock() {
        let clock = WallClockOffset()
        var monotonic = timespec(), realtime = timespec()
        clock_gettime(CLOCK_MONOTONIC, &monotonic)
        clock_gettime(CLOCK_REALTIME, &realtime)
        let converted = clock.wallClock(monotonicNanoseconds: UInt64(monotonic.tv_sec) * 1_000_000_000 + UInt64(monotonic.tv_nsec))
        let now = Int64(realtime.tv_sec) * 1_000_000_000 + Int64(realtime.tv_nsec)
        #expect(abs(converted.nanoseconds - now) < 5_000_000)
    }
}

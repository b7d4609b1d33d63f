#if os(Linux)
import Foundation
import Glibc
import Testing
import ScopeScanKernel

/// The cost of tracing at 100,000 dropped packets per second on a namespace's loopback: the BPF
/// program's own time (kernel.bpf_stats_enabled), the polling thread's CPU, and the flooding
/// process's CPU with and without the monitor. A measurement, not a check: run it by hand with
/// SSKD_COST=1 (it floods for 2 × 10 s and switches bpf_stats on for the whole machine meanwhile).
@Suite("Kernel drop tracing cost", .serialized)
struct KernelDropCostTests {
    @Test("100,000 drops/s on lo: program ns per drop, consumer CPU, flood CPU with and without",
          .enabled(if: getuid() == 0 && ProcessInfo.processInfo.environment["SSKD_COST"] != nil, "set SSKD_COST=1, as root"))
    func costAt100kPerSecond() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let flood = "/tmp/sskd-flood-\(getpid())"
        try shell("cc -O2 -o \(flood) \(repository.path)/Benchmarks/kernel-drops/flood.c")
        let lab = try NamespaceLab()
        defer { lab.tearDown(); unlink(flood) }
        try shell("ip netns exec \(lab.c) nft add rule inet sskd input udp dport 9999 drop")
        let seconds = 10
        print("without monitor: " + (try shell("ip netns exec \(lab.c) \(flood) 100000 \(seconds)")))

        let statsWere = try shell("sysctl -n kernel.bpf_stats_enabled").trimmingCharacters(in: .whitespacesAndNewlines)
        try shell("sysctl -qw kernel.bpf_stats_enabled=1")
        defer { _ = try? shell("sysctl -qw kernel.bpf_stats_enabled=\(statsWere)") }
        let (drops, lost, consumerCPU, programStats, floodLine) = try onThread(inNetworkNamespace: "/run/netns/\(lab.c)") {
            let monitor = try KernelDropMonitor()
            defer { monitor.close() }
            let sender = try lab.start("ip netns exec \(lab.c) \(flood) 100000 \(seconds) > \(flood).out")
            var count = 0
            let cpuBefore = Self.threadCPU()
            while sender.isRunning { count += try monitor.poll(timeoutMilliseconds: 100).count }
            count += try monitor.drain().count
            let cpu = Self.threadCPU() - cpuBefore
            // Read while the program is still loaded: bpftool shows these counters once stats are on.
            let stats = try shell("bpftool prog show name sskd_kfree_skb | grep -o 'run_time_ns [0-9]* run_cnt [0-9]*' || true")
            return (count, monitor.lostCount, cpu, stats, try shell("cat \(flood).out; rm -f \(flood).out"))
        }
        print("with monitor: " + floodLine)
        print("bpftool: \(programStats)")
        print("drops delivered: \(drops), lost for want of ring-buffer room: \(lost), in \(seconds) s; consumer thread CPU \(consumerCPU) s (\(100 * consumerCPU / Double(seconds)) % of a core)")
        let numbers = programStats.split(separator: " ").compactMap { Double($0) }
        if numbers.count == 2, numbers[1] > 0 {
            print("BPF program: \(Int(numbers[1])) runs, \(numbers[0] / numbers[1]) ns per run, \(100 * numbers[0] / 1e9 / Double(seconds)) % of a core")
        }
        #expect(drops > 0)
    }

    static func threadCPU() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
#endif

import CKernelDrops

/// The running kernel's `enum skb_drop_reason`, read from BTF: the numbers move between kernels,
/// so no table of them is compiled in.
public struct KernelDropReasonTable: Sendable {
    public private(set) var namesByValue: [UInt32: String]

    public init(namesByValue: [UInt32: String]) { self.namesByValue = namesByValue }

    /// Reads the enum from `btfPath`, or from the running kernel's /sys/kernel/btf/vmlinux when nil.
    /// Throws when there is no BTF, or no enum (kernels before 5.17).
    public static func load(btfPath: String? = nil) throws(KernelDropsUnavailable) -> KernelDropReasonTable {
        #if os(Linux)
        final class Collector { var names: [UInt32: String] = [:] }
        let collector = Collector()
        var message = [CChar](repeating: 0, count: 256)
        let result = withExtendedLifetime(collector) {
            sskd_drop_reasons(btfPath, { context, value, name in
                let collector = Unmanaged<Collector>.fromOpaque(context!).takeUnretainedValue()
                collector.names[value] = String(cString: name!)
            }, Unmanaged.passUnretained(collector).toOpaque(), &message, message.count)
        }
        guard result > 0 else { throw KernelDropsUnavailable(decodeCString(message)) }
        return KernelDropReasonTable(namesByValue: collector.names)
        #else
        throw KernelDropsUnavailable.unsupportedPlatform
        #endif
    }

    public func reason(_ value: UInt32) -> KernelDropReason {
        namesByValue[value].map { KernelDropReason(value: value, name: $0) } ?? .unnamed(value)
    }

    public func value(named name: String) -> UInt32? {
        namesByValue.first { $0.value == name }?.key
    }
}

/// The running kernel's `enum skb_drop_reason`, read from BTF: the numbers move between kernels,
/// so no table of them is compiled in.
public struct KernelDropReasonTable: Sendable {
    public private(set) var namesByValue: [UInt32: String]

    public init(namesByValue: [UInt32: String]) { self.namesByValue = namesByValue }

    // `load(btfPath:)`, which reads BTF through CKernelDrops, is in KernelDropMonitor.swift with
    // the module's other C calls.

    public func reason(_ value: UInt32) -> KernelDropReason {
        namesByValue[value].map { KernelDropReason(value: value, name: $0) } ?? .unnamed(value)
    }

    public func value(named name: String) -> UInt32? {
        namesByValue.first { $0.value == name }?.key
    }
}

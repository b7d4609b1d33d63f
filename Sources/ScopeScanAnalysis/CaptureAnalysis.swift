import ScopeScanCapture
import ScopeScanRules

/// A whole capture file read through an analyser, as `scopescan analyze` reads it.
public struct CaptureAnalysis {
    public let analyzer: Analyzer
    public let findings: [Finding]
    /// Damage that stopped reading early (already added to the analyser's summary).
    public let warnings: [CaptureWarning]

    /// Reads every packet of `source` that `filter` passes into an analyser from `makeAnalyzer`.
    ///
    /// A pcapng file may describe an interface only after some packets (in a later section, or
    /// mid-section). The packets before it were judged without it: its addresses name the owner of
    /// a link-local address, and a second interface wakes the rules that compare interfaces. When
    /// that happens the file is read once more by a fresh analyser, which then knows every
    /// interface from the first packet, so the outcome never depends on where in the file an
    /// interface was described. Files that describe their interfaces first are read once.
    /// `willReadAgain` is called before that second pass, `eachPacket` (when given: a closure call
    /// per packet is a tenth of the analysis of most packets) for every packet of a pass.
    /// `limit` stops a pass after that many packets passed the filter (tcpdump's `-c`).
    public static func run(
        _ source: PacketSource,
        filter: PacketFilter?,
        limit: Int? = nil,
        makeAnalyzer: () -> Analyzer,
        willReadAgain: () -> Void = {},
        eachPacket: ((CapturedPacket) -> Void)? = nil
    ) throws -> CaptureAnalysis {
        var analysis = try pass(source, analyzer: makeAnalyzer(), filter: filter, limit: limit, eachPacket: eachPacket)
        if source.describedInterfacesLate {
            willReadAgain()
            analysis = try pass(source, analyzer: makeAnalyzer(), filter: filter, limit: limit, eachPacket: eachPacket)
        }
        for warning in analysis.warnings { analysis.analyzer.addWarning(warning.description) }
        return CaptureAnalysis(analyzer: analysis.analyzer, findings: analysis.analyzer.finish(), warnings: analysis.warnings)
    }

    /// Thrown from a packet callback to stop reading once `limit` packets were analysed.
    private struct LimitReached: Error {}

    private static func pass(_ source: PacketSource, analyzer: Analyzer, filter: PacketFilter?, limit: Int?, eachPacket: ((CapturedPacket) -> Void)?) throws -> (analyzer: Analyzer, warnings: [CaptureWarning]) {
        analyzer.updateInterfaces(source.interfaces)
        if filter == nil && limit == nil && eachPacket == nil {
            // The common case, without a closure of this module between the reader and the
            // analyser: its branches and the call into the analyser cost a tenth of a packet.
            return (analyzer, try analyzer.analyseEveryPacket(of: source))
        }
        var known = source.interfaces.count
        var analysed = 0
        var warnings: [CaptureWarning] = []
        do {
            warnings = try source.forEachPacket { packet in
                eachPacket?(packet)
                if packet.interfaceIndex >= known {
                    analyzer.updateInterfaces(source.interfaces)
                    known = source.interfaces.count
                }
                if let filter, !filter.matches(packet) {
                    analyzer.noteFilteredOut()
                    return
                }
                analyzer.analyse(packet)
                analysed += 1
                if let limit, analysed >= limit { throw LimitReached() }
            }
        } catch is LimitReached {}
        return (analyzer, warnings)
    }
}

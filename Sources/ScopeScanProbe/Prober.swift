import ScopeScanAnalysis
import ScopeScanKernel
import ScopeScanCapture
import ScopeScanReport
import ScopeScanRules
import ScopeScanWire

import ScopeScanSystem

/// What `scopescan probe` was asked to do. Validated by the caller (port 1…65535, timeout 0…60 s).
public struct ProbeOptions: Sendable {
    /// Probe only this interface; nil: every up interface with a link-local address.
    public var interface: String?
    /// The first attempt's port; each further attempt uses the next one.
    public var firstPort: Int
    /// Seconds each connect may take.
    public var timeout: Double
    /// false: bind and connect only (--no-capture).
    public var captures = true
    /// Keep every captured packet in this pcapng (-w).
    public var capturePath: String?
    public var reportPath: String?
    public var evidencePath: String?
    public var rules = RuleConfiguration()
    /// The rule options that differ from the defaults, as typed (the report's environment table).
    public var reportOptions: [String] = []
    /// Who the probe runs as once its capture handles and files are open (-Z); `.keep` stays as started.
    public var privileges: Privileges.Plan = .keep

    public init(interface: String? = nil, firstPort: Int, timeout: Double) {
        self.interface = interface
        self.firstPort = firstPort
        self.timeout = timeout
    }
}

/// Everything a run found, for the renderers (`ProbeTextOutput`, `ProbeJSON`).
public struct ProbeResult: Sendable {
    public var platform: String
    public var attempts: [ProbeAttempt]
    public var verdicts: [ProbeVerdict]
    public var findings: [Finding]
    /// Why results are partial (no capture); also the last notes of every verdict.
    public var notes: [String]
    /// The interfaces captured on; nil when nothing was captured.
    public var captureInterfaceNames: [String]?
    /// The pcapng the packets were kept in (-w), nil without one or when it was a scratch file.
    public var capturePath: String?

    public init(platform: String, attempts: [ProbeAttempt], verdicts: [ProbeVerdict], findings: [Finding], notes: [String], captureInterfaceNames: [String]?, capturePath: String?) {
        self.platform = platform
        self.attempts = attempts
        self.verdicts = verdicts
        self.findings = findings
        self.notes = notes
        self.captureInterfaceNames = captureInterfaceNames
        self.capturePath = capturePath
    }
}

/// Runs the probe: plan, capture, attempts, attribution, verdicts, then the report and evidence.
public struct Prober {
    public var options: ProbeOptions
    public var platform = ProbePlatform.current
    /// Receives warnings (a file not written, a capture warning) as they happen, without prefix.
    public var warn: (String) -> Void

    public init(options: ProbeOptions, warn: @escaping (String) -> Void) {
        self.options = options
        self.warn = warn
    }

    /// `show` gets the result before the report and the evidence are written, so what the caller
    /// prints comes first (and the scratch capture they are read from is still there).
    /// Throws `ScopeScanError` (a bad interface, an unwritable file) or `ProbePortRangeError`.
    @discardableResult
    public func run(show: (ProbeResult) -> Void) throws -> ProbeResult {
        let host = HostInterfaces.list()
        let plan = try ProbePlan(host: host, interface: options.interface, firstPort: options.firstPort, platform: platform)
        var attempts = plan.attempts
        var notes: [String] = []
        #if os(Linux)
        // The route the kernel chooses for each attempt (netlink; no privilege needed).
        for index in attempts.indices { attempts[index].lookUpRoute() }
        #endif

        // Capture first: libpcap buffers from activation on, so no packet of the attempts is missed.
        // Then every file is opened, then root is given up (options.privileges), then the packets
        // are parsed and the attempts run: binds with IP_FREEBIND need no privilege.
        var session: ProbeCaptureSession?
        var scratch: TemporaryFile?
        defer { scratch?.remove() }
        let owner = options.privileges.fileOwner
        var recordPath = options.capturePath
        let wantsFiles = options.reportPath != nil || options.evidencePath != nil
        if !options.captures {
            notes.append("capture off (--no-capture): bind and connect results only")
        } else {
            var capturing = LiveCapture.Options(interfaces: plan.targets.map(\.name) + [plan.loopback])
            capturing.filter = "ip6"
            capturing.duration = Double(attempts.count) * (options.timeout + 1) + 10
            do {
                let capture = try LiveCapture(options: capturing)
                var recorder: PcapngWriter?
                if let recordPath {
                    recorder = try LiveRecorder.make({ () throws(CaptureError) in try PcapngWriter(path: recordPath, comment: Self.recorderComment(capturing.interfaces), application: "scopescan", owner: owner) }, interfaces: capture.interfaces)
                } else if wantsFiles {
                    // A random name made exclusively in $TMPDIR: no planted link is followed.
                    let file = try Self.scratchFile(owner: owner)
                    scratch = file
                    recordPath = file.path
                    recorder = try LiveRecorder.make({ () throws(CaptureError) in try PcapngWriter(descriptor: file.descriptor, path: file.path, comment: Self.recorderComment(capturing.interfaces), application: "scopescan") }, interfaces: capture.interfaces)
                }
                let analyzer = Analyzer(configuration: options.rules)
                analyzer.setHostInterfaces(host.map(\.interface))
                analyzer.updateInterfaces(capture.interfaces)
                session = ProbeCaptureSession(capture: capture, analyzer: analyzer, recorder: recorder)
                // Why packets died, from the kernel, whenever it can say (root, Linux 5.17+).
                do {
                    session?.tracer = try KernelDropTracer()
                } catch {
                    notes.append("\(error)")
                }
            } catch let error as CaptureError {
                notes.append("no capture (\(error.message)): bind and connect results only, the interfaces that carried the packets are unknown")
                recordPath = nil
            }
        }
        var output = EvidenceOutput(report: options.reportPath, evidence: options.evidencePath, options: options.reportOptions)
        try output.prepare(owner: owner)
        do {
            try Privileges.apply(options.privileges)
        } catch {
            throw ScopeScanError(error.description)
        }
        if let running = session {
            LiveCapture.installStopHandlers()
            if !running.start() {
                notes.append("no capture (cannot start the capture thread): bind and connect results only")
                session = nil
                recordPath = nil
            }
        }
        if let write = options.capturePath, recordPath == nil { warn("nothing captured, \(write) not written") }

        for index in attempts.indices {
            attempts[index].run(platform: platform, timeout: options.timeout)
        }

        var findings: [Finding] = []
        if let session {
            usleep(300_000)
            LiveCapture.requestStop()
            session.join()
            if let failure = session.failure { throw ScopeScanError(failure) }
            for warning in session.warnings {
                warn("\(warning)")
                session.analyzer.addWarning(warning.description)
            }
            try session.recorder?.flush()
            if let tracer = session.tracer { session.analyzer.noteKernelDrops(tracer.finish(), alreadyDropped: tracer.notKept) }
            findings = session.analyzer.finish()
            let names = session.capture.interfaces.map { $0.name ?? "#\($0.index)" }
            for index in attempts.indices {
                // Port-less packets (Neighbor Discovery) aimed at the address belong to the last attempt on it.
                let address = attempts[index].address
                attempts[index].windowEnd = attempts[(index + 1)...].first { $0.address == address }?.start ?? Timestamp(nanoseconds: .max)
                attempts[index].attribute(packets: session.packets, interfaceNames: names, findings: findings)
            }
        }

        let verdicts = plan.targets.map { target in
            ProbeVerdict(interface: target.name, platform: platform.name, loopback: plan.loopback, attempts: attempts, captured: session != nil, notes: notes)
        }
        let result = ProbeResult(platform: platform.name, attempts: attempts, verdicts: verdicts, findings: findings, notes: notes,
                                 captureInterfaceNames: session.map { $0.capture.interfaces.compactMap(\.name) },
                                 capturePath: scratch != nil ? nil : recordPath)
        show(result)
        if wantsFiles { try writeFiles(result, output: output, session: session, recordPath: recordPath) }
        return result
    }

    static func recorderComment(_ interfaces: [String]) -> String {
        "scopescan \(ScopeScanVersion.current) live capture on \(interfaces.joined(separator: ", "))"
    }

    static func scratchFile(owner: FileOwner?) throws(ScopeScanError) -> TemporaryFile {
        do {
            return try TemporaryFile(prefix: "scopescan-probe-", suffix: ".pcapng", owner: owner)
        } catch {
            throw ScopeScanError(error.description)
        }
    }

    /// The report (as analyze writes it, plus the probe's section) and the evidence; without a
    /// capture, a report of the probe's section alone.
    private func writeFiles(_ result: ProbeResult, output: EvidenceOutput, session: ProbeCaptureSession?, recordPath: String?) throws {
        let section = ProbeTextOutput.markdown(attempts: result.attempts, verdicts: result.verdicts)
        var output = output
        if let session, let recordPath {
            let names = session.capture.interfaces.compactMap(\.name).joined(separator: ", ")
            output.reportAppendix = section
            try output.write(capturePath: recordPath, displayName: "scopescan probe capture on \(names)", findings: result.findings, analyzer: session.analyzer)
            return
        }
        try output.writeReport("# scopescan probe\n\n" + section)
        output.discard()
        if let evidence = options.evidencePath { warn("nothing captured, \(evidence) not written") }
    }
}

import ScopeScanReport

/// `scopescan probe --format json`: one object per attempt in the order they ran, then one
/// `{"verdict": …}` per probed interface. The keys are a public interface (docs/json-schema.md).
public enum ProbeJSON {
    public static func lines(_ result: ProbeResult) -> [String] {
        result.attempts.map(attempt) + result.verdicts.map(verdict)
    }

    public static func attempt(_ a: ProbeAttempt) -> String {
        var o = JSONObject()
        o.add("attempt", a.kind.rawValue)
        o.add("interface", a.interface)
        o.add("address", a.scopedAddress)
        o.add("scope_id", Int(a.scopeID))
        o.add("port", Int(a.port))
        o.add("nonlocal_option", a.nonlocalOption)
        if let route = a.kernelRoute { o.add("route", FindingFormatter.routeJSON(route, naming: false)) } else { o.add("route", raw: "null") }
        o.add("anyip_route", a.route)
        o.add("bind", a.bindError?.name ?? "ok")
        o.add("bind_step", a.bindError?.step)
        o.add("bind_errno", a.bindError.map { Int($0.code) })
        o.add("bind_error", a.bindError?.message)
        o.add("connect", a.connect.map { $0.timedOut ? "timeout" : ($0.error?.name ?? "ok") } ?? "not attempted")
        o.add("connect_errno", a.connect?.error.map { Int($0.code) })
        o.add("connect_ms", raw: a.connect.map { JSONText.number(($0.milliseconds * 1000).rounded() / 1000) } ?? "null")
        o.add("accepted", a.connect?.accepted ?? false)
        if let packets = a.packets {
            var counts = JSONObject()
            for (name, count) in packets { counts.add(name, count) }
            o.add("packets", counts)
        } else {
            o.add("packets", raw: "null")
        }
        o.add("seen_on", strings: a.seenOn)
        o.add("syn_answered", raw: a.synAnswered.map { $0 ? "true" : "false" } ?? "null")
        o.add("answer", a.answer)
        o.add("icmp_errors", a.icmpErrors)
        o.add("findings", strings: a.ruleIDs)
        o.add("finding_frames", raw: "[" + a.findings.map { "[" + $0.frames.map(String.init).joined(separator: ",") + "]" }.joined(separator: ",") + "]")
        return o.closed
    }

    public static func verdict(_ v: ProbeVerdict) -> String {
        var o = JSONObject()
        o.add("interface", v.interface)
        o.add("platform", v.platform)
        o.add("behaviour", v.behaviour)
        o.add("text", v.text)
        o.add("captured", v.captured)
        o.add("notes", strings: v.notes)
        var outer = JSONObject()
        outer.add("verdict", o)
        return outer.closed
    }
}

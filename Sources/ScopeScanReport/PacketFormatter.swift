import ScopeScanCapture
import ScopeScanWire

/// One line per packet for `scopescan decode`: tcpdump-like text or a JSON object with stable keys
/// (documented in docs/decode-json.md).
public enum PacketFormatter {
    static func proto(_ p: IPProtocol) -> String { FindingFormatter.protoName(p) }

    /// "12:00:01.000000 lo IP6 [fe80::1%lo]:5000 > [fe80::2%lo]:80: tcp S seq 1 win 65535, length 0"
    public static func text(_ captured: CapturedPacket, _ packet: DecodedPacket, interface: String?) -> String {
        var line = "\(captured.frameNumber) \(captured.timestamp.timeOfDay) \(interface ?? "-")"
        if let pktap = packet.link?.pktap {
            line += " (\(pktap.processName)[\(pktap.processID)])"
        }
        let scope = packet.link?.pktap?.interfaceName ?? interface
        if let source = packet.source, let destination = packet.destination {
            let family = packet.ipVersion == 6 ? "IP6" : "IP"
            func endpoint(_ address: IPAddress, _ port: UInt16?) -> String {
                let text = address.scopedText(interface: scope)
                guard let port else { return text }
                return packet.ipVersion == 6 ? "[\(text)]:\(port)" : "\(text).\(port)"
            }
            line += " \(family) \(endpoint(source, packet.sourcePort)) > \(endpoint(destination, packet.destinationPort)):"
            if let hlim = packet.hopLimit { line += " hlim \(hlim)" }
            if let ext = packet.extensions, ext.headers.count > 0 {
                line += " ext [\(ext.headers.map { String($0.rawValue) }.joined(separator: ","))]"
            }
            if let tcp = packet.tcp {
                line += " tcp \(tcp.flags) seq \(tcp.sequenceNumber)"
                if tcp.flags.contains(.ack) { line += " ack \(tcp.acknowledgmentNumber)" }
                line += " win \(tcp.window) length \(tcp.payload.count)"
            } else if let udp = packet.udp {
                line += " udp length \(udp.length)"
            } else if let icmp = packet.icmpv6 {
                line += " icmp6 type \(icmp.type.rawValue) code \(icmp.code)"
                if icmp.type == .destinationUnreachable { line += " (\(ICMPv6UnreachableCode.name(icmp.code)))" }
                if let target = icmp.targetAddress { line += " target \(IPAddress.v6(target).scopedText(interface: scope))" }
            } else if let icmp = packet.icmpv4 {
                line += " icmp type \(icmp.type) code \(icmp.code)"
                if icmp.type == 3 { line += " (\(ICMPv4UnreachableCode.name(icmp.code)))" }
            } else if let upper = packet.upperLayer {
                line += " \(proto(upper))"
            }
            if let quoted = packet.quoted {
                line += " quoting \(quoted.source)"
                if let p = quoted.sourcePort { line += ":\(p)" }
                line += " > \(quoted.destination)"
                if let p = quoted.destinationPort { line += ":\(p)" }
                line += " \(proto(quoted.upperLayer))"
            }
        } else if let link = packet.link {
            line += " \(link.linkType) ethertype 0x\(String(link.networkProtocol.rawValue, radix: 16))"
        }
        if !packet.anomalies.isEmpty { line += " [\(packet.anomalies.names.joined(separator: ", "))]" }
        if let error = packet.error { line += " [decode error: \(error)]" }
        return line
    }

    public static func json(_ captured: CapturedPacket, _ packet: DecodedPacket, interface: String?) -> String {
        var object = JSONObject()
        object.add("frame", captured.frameNumber)
        object.add("interface", packet.link?.pktap?.interfaceName ?? interface)
        object.add("linktype", Int(captured.linkType.rawValue))
        object.add("ts", raw: captured.timestamp.epochText)
        object.add("caplen", captured.capturedLength)
        object.add("len", captured.originalLength)
        if let pktap = packet.link?.pktap {
            var process = JSONObject()
            process.add("pid", Int(pktap.processID))
            process.add("name", pktap.processName)
            object.add("process", process)
        }
        if let source = packet.source, let destination = packet.destination {
            var ip = JSONObject()
            ip.add("version", packet.ipVersion)
            ip.add("src", source.description)
            ip.add("dst", destination.description)
            ip.add("hlim", packet.hopLimit.map(Int.init))
            ip.add("nxt", packet.upperLayer.map { Int($0.rawValue) })
            ip.add("ext", ints: packet.extensions.map { $0.headers.map { Int($0.rawValue) } } ?? [])
            if let ext = packet.extensions, let offset = ext.fragmentOffset {
                var fragment = JSONObject()
                fragment.add("offset", offset)
                fragment.add("more", ext.moreFragments)
                fragment.add("id", Int(ext.fragmentIdentification))
                ip.add("fragment", fragment)
            } else if let v4 = packet.ipv4, v4.moreFragments || v4.fragmentOffset > 0 {
                var fragment = JSONObject()
                fragment.add("offset", v4.fragmentOffset)
                fragment.add("more", v4.moreFragments)
                fragment.add("id", Int(v4.identification))
                ip.add("fragment", fragment)
            }
            object.add("ip", ip)
        }
        if let tcp = packet.tcp {
            var t = JSONObject()
            t.add("sport", Int(tcp.sourcePort))
            t.add("dport", Int(tcp.destinationPort))
            t.add("seq", Int(tcp.sequenceNumber))
            t.add("ack", Int(tcp.acknowledgmentNumber))
            t.add("flags", Int(tcp.flags.rawValue))
            t.add("win", Int(tcp.window))
            var options: [String] = []
            for option in tcp.options {
                switch option {
                case .maximumSegmentSize(let mss): options.append("{\"mss\":\(mss)}")
                case .windowScale(let shift): options.append("{\"wscale\":\(shift)}")
                case .sackPermitted: options.append("{\"sack_permitted\":true}")
                case .sack(let blocks, _, _): options.append("{\"sack_blocks\":\(blocks)}")
                case .timestamps(let value, let echo): options.append("{\"tsval\":\(value),\"tsecr\":\(echo)}")
                case .noOperation: break
                case .other(let kind, let length): options.append("{\"kind\":\(kind),\"length\":\(length)}")
                }
            }
            if !options.isEmpty { t.add("options", raw: "[" + options.joined(separator: ",") + "]") }
            object.add("tcp", t)
        }
        if let udp = packet.udp {
            var u = JSONObject()
            u.add("sport", Int(udp.sourcePort))
            u.add("dport", Int(udp.destinationPort))
            u.add("len", Int(udp.length))
            object.add("udp", u)
        }
        let icmpFields: (Int, UInt8, UInt8)? = packet.icmpv6.map { (6, $0.type.rawValue, $0.code) } ?? packet.icmpv4.map { (4, $0.type, $0.code) }
        if let (version, type, code) = icmpFields {
            var i = JSONObject()
            i.add("version", version)
            i.add("type", Int(type))
            i.add("code", Int(code))
            if let target = packet.icmpv6?.targetAddress { i.add("target", target.description) }
            if let quoted = packet.quoted {
                var q = JSONObject()
                q.add("src", quoted.source.description)
                q.add("dst", quoted.destination.description)
                q.add("nxt", Int(quoted.upperLayer.rawValue))
                q.add("sport", quoted.sourcePort.map(Int.init))
                q.add("dport", quoted.destinationPort.map(Int.init))
                if let seq = quoted.tcpSequenceNumber { q.add("seq", Int(seq)) }
                i.add("quoted", q)
            }
            object.add("icmp", i)
        }
        if let error = packet.error { object.add("error", error.description) }
        if !packet.anomalies.isEmpty { object.add("anomalies", strings: packet.anomalies.names) }
        return object.closed
    }
}

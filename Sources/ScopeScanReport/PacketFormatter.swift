import ScopeScanPackets
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
        if let nflog = packet.link?.nflog { line += NFLOGText.text(nflog) }
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
                line += " quoting \(FindingFormatter.hostPort(quoted.source, quoted.sourcePort))"
                line += " > \(FindingFormatter.hostPort(quoted.destination, quoted.destinationPort))"
                line += " \(proto(quoted.upperLayer))"
            }
        } else if let link = packet.link {
            line += " \(link.linkType) ethertype 0x\(String(link.networkProtocol.rawValue, radix: 16))"
        }
        if !packet.anomalies.isEmpty { line += " [\(packet.anomalies.names.joined(separator: ", "))]" }
        if let error = packet.error { line += " [decode error: \(error)]" }
        if let comment = captured.commentText { line += " # " + comment }
        // One line per packet, whatever the interface names, PKTAP names and comments hold, and
        // nothing a terminal would act on (DisplayText).
        return DisplayText.escaped(line)
    }

    /// The keys and values are documented in docs/decode-json.md. Written with `JSONBytes` into one
    /// buffer per packet: built from `String` pieces, one line cost fifty times the decode.
    public static func json(_ captured: CapturedPacket, _ packet: DecodedPacket, interface: String?) -> String {
        var object = JSONBytes()
        object.add("frame", captured.frameNumber)
        object.add("interface", packet.link?.pktap?.interfaceName ?? interface)
        object.add("interface_id", captured.interfaceIndex)
        object.add("linktype", Int(captured.linkType.rawValue))
        object.add("ts", epoch: captured.timestamp)
        object.add("caplen", captured.capturedLength)
        object.add("len", captured.originalLength)
        if let pktap = packet.link?.pktap {
            object.beginObject("process")
            object.add("pid", Int(pktap.processID))
            object.add("name", pktap.processName)
            object.endObject()
        }
        if let nflog = packet.link?.nflog {
            object.beginObject("nflog")
            object.add("group", Int(nflog.resourceID))
            object.add("hook", nflog.hook.map(Int.init))
            object.add("prefix", nflog.prefixText)
            object.endObject()
        }
        if let source = packet.source, let destination = packet.destination {
            object.beginObject("ip")
            object.add("version", packet.ipVersion)
            object.add("src", source)
            object.add("dst", destination)
            object.add("hlim", packet.hopLimit.map(Int.init))
            object.add("nxt", packet.upperLayer.map { Int($0.rawValue) })
            object.beginArray("ext")
            if let ext = packet.extensions {
                for header in ext.headers { object.element(Int(header.rawValue)) }
            }
            object.endArray()
            if let ext = packet.extensions, let offset = ext.fragmentOffset {
                object.beginObject("fragment")
                object.add("offset", offset)
                object.add("more", ext.moreFragments)
                object.add("id", Int(ext.fragmentIdentification))
                object.endObject()
            } else if let v4 = packet.ipv4, v4.moreFragments || v4.fragmentOffset > 0 {
                object.beginObject("fragment")
                object.add("offset", v4.fragmentOffset)
                object.add("more", v4.moreFragments)
                object.add("id", Int(v4.identification))
                object.endObject()
            }
            object.endObject()
        }
        if let tcp = packet.tcp {
            object.beginObject("tcp")
            object.add("sport", Int(tcp.sourcePort))
            object.add("dport", Int(tcp.destinationPort))
            object.add("seq", Int(tcp.sequenceNumber))
            object.add("ack", Int(tcp.acknowledgmentNumber))
            object.add("flags", Int(tcp.flags.rawValue))
            object.add("win", Int(tcp.window))
            // "options" only when an option other than NOP is present.
            var listed = false
            var options = tcp.options.makeIterator()
            while let option = options.next() {
                if case .noOperation = option { continue }
                if !listed { object.beginArray("options"); listed = true }
                object.beginObject()
                switch option {
                case .maximumSegmentSize(let mss): object.add("mss", Int(mss))
                case .windowScale(let shift): object.add("wscale", Int(shift))
                case .sackPermitted: object.add("sack_permitted", true)
                case .sack(let blocks, _, _): object.add("sack_blocks", blocks)
                case .timestamps(let value, let echo):
                    object.add("tsval", Int(value))
                    object.add("tsecr", Int(echo))
                case .noOperation: break
                case .other(let kind, let length):
                    object.add("kind", Int(kind))
                    object.add("length", length)
                }
                object.endObject()
            }
            if listed { object.endArray() }
            object.endObject()
        }
        if let udp = packet.udp {
            object.beginObject("udp")
            object.add("sport", Int(udp.sourcePort))
            object.add("dport", Int(udp.destinationPort))
            object.add("len", Int(udp.length))
            object.endObject()
        }
        let icmpFields: (Int, UInt8, UInt8)?
        if let icmp = packet.icmpv6 {
            icmpFields = (6, icmp.type.rawValue, icmp.code)
        } else if let icmp = packet.icmpv4 {
            icmpFields = (4, icmp.type, icmp.code)
        } else {
            icmpFields = nil
        }
        if let (version, type, code) = icmpFields {
            object.beginObject("icmp")
            object.add("version", version)
            object.add("type", Int(type))
            object.add("code", Int(code))
            if let target = packet.icmpv6?.targetAddress { object.add("target", .v6(target)) }
            if let quoted = packet.quoted {
                object.beginObject("quoted")
                object.add("src", quoted.source)
                object.add("dst", quoted.destination)
                object.add("nxt", Int(quoted.upperLayer.rawValue))
                object.add("sport", quoted.sourcePort.map(Int.init))
                object.add("dport", quoted.destinationPort.map(Int.init))
                if let seq = quoted.tcpSequenceNumber { object.add("seq", Int(seq)) }
                object.endObject()
            }
            object.endObject()
        }
        if let error = packet.error { object.add("error", error.description) }
        if !packet.anomalies.isEmpty {
            object.beginArray("anomalies")
            for name in packet.anomalies.names { object.element(name) }
            object.endArray()
        }
        if let comment = captured.commentText { object.add("comment", comment) }
        return object.closed()
    }
}

/// The NFLOG fields of a `decode` text line: ` nflog group 5 hook 1 prefix "drop-syn"` (the whole
/// line goes through DisplayText, so a prefix cannot act on the terminal).
enum NFLOGText {
    static func text(_ nflog: NFLOGFields) -> String {
        var text = " nflog group \(nflog.resourceID)"
        if let hook = nflog.hook { text += " hook \(hook)" }
        if let prefix = nflog.prefixText { text += " prefix \"\(prefix)\"" }
        return text
    }
}

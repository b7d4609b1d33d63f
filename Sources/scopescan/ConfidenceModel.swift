/// The confidence model and the precision figures docs/rules.md opens with (generated with the
/// catalogue by `scopescan rules --format markdown`). Update the figures with
/// `Scripts/precision.sh Fixtures` and `Scripts/precision.sh Fixtures/precision` when rules change.
enum ConfidenceModel {
    static let markdown = """
    ## Confidence model

    A false error costs the reader's trust in every other finding, so each rule states, per severity,
    the evidence it needs ("Evidence needed, by severity" below) and reports less (a lower severity
    and words saying what is missing) or nothing when the evidence is partial. The severity in the
    table is the rule's default and maximum; each finding carries its own (`severity` in every
    output), which may be lower: a pending SYN at the end of a capture, path MTU discovery, the end
    of a traceroute, an ICMP error the connect survived.

    - **Loopback**, one verdict per interface (so ::1 and 127.0.0.1 in one file are judged alike):
      the interface name when it is a loopback name (`lo`, `lo0`, `Loopback…`, Npcap's
      `\\Device\\NPF_Loopback`) or another name; for Linux cooked captures (`-i any`, SLL/SLL2) the
      ARPHRD type of each frame (772 is loopback whatever the interface is called). Unnamed
      DLT_NULL/DLT_LOOP links (BSD loopback framing, but also utun/tun/OpenVPN tunnels) and unnamed
      Ethernet with all-zero MACs (Linux `lo`, but also anonymised traces) are loopback only
      provisionally: a packet whose hop limit (TTL) is not an initial value (255, 128, 64, 60, 32,
      30, 1), i.e. that crossed a router, or an Ethernet frame with real MAC addresses, revokes the
      verdict for the whole interface, and findings that assumed it are withdrawn.
    - **Answers**: a SYN is answered by a SYN-ACK, by an RST acknowledging ISN+1, or (one-sided
      captures) by the client's next segment with sequence ISN+1 and ACK set. An RST acknowledging
      anything else is ignored (RFC 9293 section 3.10.7.3), and so is a valid one that a SYN-ACK
      for the same ISN follows within 1 s (injected); a SYN with the same ISN sooner than
      200 ms after the previous one is a copy, not a retransmission; a SYN retransmitted after a
      SYN-ACK for its ISN is not a new attempt.
    - **Platform stories** (macOS lo0, FreeBSD origifp, KAME, Linux lo) need platform evidence:
      the DLT_NULL address family (30 macOS, 28 FreeBSD, 24 OpenBSD/NetBSD, unless the interface
      name says Npcap), the interface name, zero-MAC or ARPHRD 772 framing. The finding's
      `platform_evidence` detail names it ("dlt-null-af30", "interface-name", "ethernet-zero-macs",
      "sll-arphrd-772") and the note ends with `[evidence: …]`; without it the explanation is neutral.
    - **Facts**: every finding records the facts it rests on (link type, why the interface was judged
      loopback, hop limits, who answered what); `scopescan analyze --explain` prints them, in text,
      in JSON (`explain`) and in the `--report` Markdown.

    ## Precision on the repository's fixtures

    `Scripts/precision.sh DIR` runs `scopescan analyze` over every capture under DIR and counts
    findings per rule and severity. `Fixtures/precision` holds 30 captures of ordinary traffic that
    used to raise false findings (`Fixtures/precision/expectations.json` says, per file, what must
    and must not be reported; `PrecisionTests` asserts it). `Fixtures` includes them (recursive).

    \(figures)
    """

    /// Measured with `Scripts/precision.sh` before (main at 60f2d6e) and after the precision work.
    static let figures = """
    ### Fixtures/precision (30 captures)

    Before (main at 60f2d6e):

    | rule                           | severity | findings | per 100 captures | captures | % of captures |
    | ------------------------------ | -------- | --------:| ----------------:| --------:| -------------:|
    | syn-unanswered                 | error    |        7 |             23.3 |        5 |          16.7 |
    | embedded-scope-id              | error    |        6 |             20.0 |        2 |           6.7 |
    | icmp-unreachable               | error    |        6 |             20.0 |        4 |          13.3 |
    | loopback-address-off-loopback  | error    |        5 |             16.7 |        3 |          10.0 |
    | slow-connect                   | warning  |        5 |             16.7 |        4 |          13.3 |
    | linklocal-on-loopback          | warning  |        4 |             13.3 |        3 |          10.0 |
    | nonlocal-on-loopback           | info     |        6 |             20.0 |        3 |          10.0 |
    | tcp-refused                    | info     |        4 |             13.3 |        3 |          10.0 |
    | (all findings)                 |          |       43 |            143.3 |          |               |

        capture files found:       30
        captures read:             30
        captures failed to open:   0
        captures with >=1 error:   14 (46.7 %)
        captures with >=1 warning: 7 (23.3 %)

    After:

    | rule                           | severity | findings | per 100 captures | captures | % of captures |
    | ------------------------------ | -------- | --------:| ----------------:| --------:| -------------:|
    | syn-unanswered                 | error    |        5 |             16.7 |        5 |          16.7 |
    | loopback-address-off-loopback  | error    |        2 |              6.7 |        1 |           3.3 |
    | embedded-scope-id              | error    |        1 |              3.3 |        1 |           3.3 |
    | icmp-unreachable               | error    |        1 |              3.3 |        1 |           3.3 |
    | slow-connect                   | warning  |        4 |             13.3 |        3 |          10.0 |
    | linklocal-on-loopback          | warning  |        1 |              3.3 |        1 |           3.3 |
    | icmp-unreachable               | info     |        5 |             16.7 |        3 |          10.0 |
    | nonlocal-on-loopback           | info     |        1 |              3.3 |        1 |           3.3 |
    | syn-unanswered                 | info     |        1 |              3.3 |        1 |           3.3 |
    | tcp-refused                    | info     |        1 |              3.3 |        1 |           3.3 |
    | (all findings)                 |          |       22 |             73.3 |          |               |

        capture files found:       30
        captures read:             30
        captures failed to open:   0
        captures with >=1 error:   8 (26.7 %)
        captures with >=1 warning: 4 (13.3 %)

    ### Fixtures, recursive (69 files, 67 readable: the top-level fixtures plus Fixtures/precision)

    Before (main at 60f2d6e):

    | rule                           | severity | findings | per 100 captures | captures | % of captures |
    | ------------------------------ | -------- | --------:| ----------------:| --------:| -------------:|
    | icmp-unreachable               | error    |       18 |             26.9 |       12 |          17.9 |
    | syn-unanswered                 | error    |       18 |             26.9 |       14 |          20.9 |
    | loopback-address-off-loopback  | error    |        9 |             13.4 |        4 |           6.0 |
    | embedded-scope-id              | error    |        7 |             10.4 |        3 |           4.5 |
    | ipv4-mapped-on-wire            | error    |        1 |              1.5 |        1 |           1.5 |
    | scope-violation                | error    |        1 |              1.5 |        1 |           1.5 |
    | linklocal-on-loopback          | warning  |       14 |             20.9 |       13 |          19.4 |
    | slow-connect                   | warning  |        7 |             10.4 |        6 |           9.0 |
    | neighbor-unresolved            | warning  |        2 |              3.0 |        1 |           1.5 |
    | same-flow-multiple-interfaces  | warning  |        1 |              1.5 |        1 |           1.5 |
    | nonlocal-on-loopback           | info     |       12 |             17.9 |        7 |          10.4 |
    | tcp-refused                    | info     |        5 |              7.5 |        4 |           6.0 |
    | (all findings)                 |          |       95 |            141.8 |          |               |

        capture files found:       69
        captures read:             67
        captures failed to open:   2
        captures with >=1 error:   31 (46.3 %)
        captures with >=1 warning: 19 (28.4 %)

    After:

    | rule                           | severity | findings | per 100 captures | captures | % of captures |
    | ------------------------------ | -------- | --------:| ----------------:| --------:| -------------:|
    | syn-unanswered                 | error    |       15 |             22.4 |       13 |          19.4 |
    | icmp-unreachable               | error    |       13 |             19.4 |        9 |          13.4 |
    | loopback-address-off-loopback  | error    |        6 |              9.0 |        2 |           3.0 |
    | embedded-scope-id              | error    |        2 |              3.0 |        2 |           3.0 |
    | ipv4-mapped-on-wire            | error    |        1 |              1.5 |        1 |           1.5 |
    | scope-violation                | error    |        1 |              1.5 |        1 |           1.5 |
    | linklocal-on-loopback          | warning  |       11 |             16.4 |       11 |          16.4 |
    | slow-connect                   | warning  |        6 |              9.0 |        5 |           7.5 |
    | neighbor-unresolved            | warning  |        2 |              3.0 |        1 |           1.5 |
    | same-flow-multiple-interfaces  | warning  |        1 |              1.5 |        1 |           1.5 |
    | nonlocal-on-loopback           | info     |        7 |             10.4 |        5 |           7.5 |
    | icmp-unreachable               | info     |        5 |              7.5 |        3 |           4.5 |
    | syn-unanswered                 | info     |        2 |              3.0 |        2 |           3.0 |
    | tcp-refused                    | info     |        2 |              3.0 |        2 |           3.0 |
    | (all findings)                 |          |       74 |            110.4 |          |               |

        capture files found:       69
        captures read:             67
        captures failed to open:   2
        captures with >=1 error:   24 (35.8 %)
        captures with >=1 warning: 16 (23.9 %)

    On Fixtures/precision, errors fall from 24 findings in 14 captures to 9 in 8, and warnings from
    9 in 7 captures to 5 in 4. What remains is true or deliberately asserted: syn-unanswered on the
    five encapsulated captures (PPPoE, triple VLAN, MPLS, PBB, QinQ: three SYNs really went
    unanswered, now decoded), embedded-scope-id on the real fe80:3::1 leak, loopback-address-off-loopback
    on both families of mixed-loopback-verdict.pcap (one interface, one verdict), icmp-unreachable on the
    crafted empty quote of padding-looks-like-address.pcap, and the slow-connects of icmp-then-answered,
    slow-connect-remote-router (neutral explanation) and freebsd-lo0-own-global-slow (FreeBSD note,
    evidence DLT_NULL family 28). Among the top-level fixtures only truncated.pcap changes: its two SYNs
    are cut off by the truncation before the next retransmission was due, so syn-unanswered is now
    info ("pending at end of capture").
    """
}

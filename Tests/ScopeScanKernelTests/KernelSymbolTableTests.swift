import Testing
@testable import ScopeScanKernel
#if canImport(Glibc)
import Glibc
#endif

@Suite("KernelSymbolTable: kallsyms text symbols, function names without offsets")
struct KernelSymbolTableTests {
    static let sample = """
        ffffffff81000000 T _stext
        ffffffff81e931c0 T sk_skb_reason_drop
        ffffffff82a00000 D some_data
        ffffffff81fbcc40 T nft_do_chain
        ffffffff8213cd90 t ip6_rcv_core
        ffffffffc0401000 t nft_fib6_eval\t[nft_fib_ipv6]
        0000000000000000 T hidden_without_syslog
        """

    @Test("a literal sample: nearest text symbol at or below, module suffix cut, data and zero addresses left out")
    func literalSample() {
        let table = KernelSymbolTable(kallsyms: Array(Self.sample.utf8))
        #expect(table.count == 5)
        #expect(table.function(at: 0xffff_ffff_81fb_cc40) == "nft_do_chain")
        #expect(table.function(at: 0xffff_ffff_81fb_cc40 + 0x2f3) == "nft_do_chain")
        #expect(table.function(at: 0xffff_ffff_8213_cd90 + 0x1a) == "ip6_rcv_core")
        #expect(table.function(at: 0xffff_ffff_c040_1010) == "nft_fib6_eval")
        #expect(table.function(at: 0xffff_ffff_8000_0000) == nil)
        #expect(table.address(of: "sk_skb_reason_drop") == 0xffff_ffff_81e9_31c0)
        #expect(table.address(of: "some_data") == nil)
        #expect(table.address(of: "hidden_without_syslog") == nil)
    }

    #if os(Linux)
    @Test("the real /proc/kallsyms maps nft_do_chain's address back to its name", .enabled(if: getuid() == 0, "needs root (CAP_SYSLOG) for kallsyms addresses"))
    func realTable() throws {
        let table = try KernelSymbolTable.load()
        #expect(table.count > 10_000)
        let name = table.address(of: "nft_do_chain") != nil ? "nft_do_chain" : "sk_skb_reason_drop"
        let address = try #require(table.address(of: name))
        #expect(table.function(at: address) == name)
        #expect(table.function(at: address + 8) == name)
    }
    #endif
}

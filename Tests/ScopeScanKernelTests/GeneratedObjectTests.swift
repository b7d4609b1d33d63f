#if os(Linux)
import Foundation
import Testing

@Suite("The embedded BPF object is what Scripts/gen-bpf.sh makes of its source")
struct GeneratedObjectTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("regenerating Sources/CKernelDrops/generated/kfree_skb_object.h changes nothing")
    func upToDate() throws {
        let output = try shell("\(Self.repository.path)/Scripts/gen-bpf.sh --check 2>&1")
        #expect(output.contains("is up to date"))
    }
}
#endif

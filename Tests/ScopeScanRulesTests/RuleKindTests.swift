import Testing
@testable import ScopeScanRules

/// The analyser sorts its rules by `Rule.asPacketRule` and `asConnectionObserver` rather than by
/// dynamic casts (which scan the binary's conformance records at start-up): the two must agree
/// for every rule of the catalogue.
@Suite("Rule kinds without casts")
struct RuleKindTests {
    @Test("asPacketRule and asConnectionObserver agree with the casts for every rule")
    func kindsAgreeWithCasts() {
        let configuration = RuleConfiguration()
        let environment = RuleEnvironment(configuration: configuration, tracker: ConnectionTracker(configuration: configuration))
        var packetRules = 0, observers = 0
        for declaration in RuleCatalogue.declarations {
            let rule = declaration.make(environment)
            let id = declaration.descriptor.id.rawValue
            #expect((rule.asPacketRule != nil) == (rule is PacketRule), "\(id)")
            #expect((rule.asConnectionObserver != nil) == (rule is ConnectionObserver), "\(id)")
            if let packetRule = rule.asPacketRule { #expect(packetRule === rule, "\(id)"); packetRules += 1 }
            if let observer = rule.asConnectionObserver { #expect(observer === rule, "\(id)"); observers += 1 }
        }
        // The catalogue today: nine packet rules (ICMP unreachable is both), four observers.
        #expect(packetRules == 9)
        #expect(observers == 4)
    }
}

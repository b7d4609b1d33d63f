import Testing
import ScopeScanPackets

@Suite("Timestamps: any 64-bit value, no overflow")
struct TimestampTests {
    @Test("seconds round down and the fraction is never negative, to Int64's limits")
    func secondsAndFraction() {
        let cases: [(Int64, Int64, Int64)] = [
            (0, 0, 0),
            (1_500_000_000, 1, 500_000_000),
            (-1, -1, 999_999_999),
            (-1_000_000_000, -1, 0),
            (.max, 9_223_372_036, 854_775_807),
            (.min, -9_223_372_037, 145_224_192),
        ]
        for (nanoseconds, seconds, fraction) in cases {
            let time = Timestamp(nanoseconds: nanoseconds)
            #expect(time.seconds == seconds && time.fraction == fraction, "\(nanoseconds)")
            #expect(!time.iso8601.isEmpty && !time.epochText.isEmpty)
        }
        #expect(Timestamp(nanoseconds: -1).epochText == "-1.999999999")
    }

    @Test("differences and thresholds stop at Int64's limits")
    func saturation() {
        #expect(Int64.max.saturatingMinus(.min) == .max)
        #expect(Int64.min.saturatingMinus(.max) == .min)
        #expect(Int64(5).saturatingMinus(7) == -2)
        #expect(Timestamp(nanoseconds: .max).seconds(since: Timestamp(nanoseconds: .min)) == Double(Int64.max) / 1e9)
        #expect(Timestamp(nanoseconds: 3_000_000_000).seconds(since: Timestamp(nanoseconds: 1_000_000_000)) == 2)
        #expect(Int64(nanosecondsIn: 1.5) == 1_500_000_000)
        #expect(Int64(nanosecondsIn: 1e300) == .max)
        #expect(Int64(nanosecondsIn: -1e300) == .min)
        #expect(Int64(nanosecondsIn: .infinity) == .max)
        #expect(Int64(nanosecondsIn: .nan) == .max)
        #expect(Timestamp(nanoseconds: 5).before(nanoseconds: 3) == Timestamp(nanoseconds: 2))
        #expect(Timestamp(nanoseconds: .min + 1).before(nanoseconds: 2) == nil)
        #expect(Timestamp(nanoseconds: 0).before(nanoseconds: .max) == Timestamp(nanoseconds: -.max))
    }
}

/// A capture timestamp: nanoseconds since the Unix epoch, UTC.
public struct Timestamp: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var nanoseconds: Int64

    @inlinable public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
    @inlinable public init(seconds: Int64, nanoseconds: Int64) { self.nanoseconds = seconds &* 1_000_000_000 &+ nanoseconds }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.nanoseconds < b.nanoseconds }

    /// Whole seconds, rounded down (so `fraction` is never negative).
    public var seconds: Int64 {
        let (quotient, remainder) = nanoseconds.quotientAndRemainder(dividingBy: 1_000_000_000)
        return remainder < 0 ? quotient - 1 : quotient
    }
    public var fraction: Int64 {
        let remainder = nanoseconds % 1_000_000_000
        return remainder < 0 ? remainder + 1_000_000_000 : remainder
    }

    /// The time `age` nanoseconds before this one; nil when that is before Int64's range (a cut-off
    /// "older than the timeout" that reaches back beyond the earliest time matches nothing).
    public func before(nanoseconds age: Int64) -> Timestamp? {
        let (earlier, overflow) = nanoseconds.subtractingReportingOverflow(age)
        return overflow ? nil : Timestamp(nanoseconds: earlier)
    }

    /// Seconds from `earlier` to this one, as a Double.
    public func seconds(since earlier: Timestamp) -> Double { Double(nanoseconds.saturatingMinus(earlier.nanoseconds)) / 1e9 }

    /// Epoch seconds with nine decimals, as tshark's frame.time_epoch prints it.
    public var epochText: String {
        let f = String(fraction)
        return "\(seconds).\(String(repeating: "0", count: 9 - f.count))\(f)"
    }

    /// RFC 3339 UTC with microseconds ("2024-12-22T10:15:03.123456Z"). No time zone database, no
    /// allocation beyond the string: civil date from days (Howard Hinnant's algorithm).
    public var iso8601: String { iso8601(fractionDigits: 6) }

    public func iso8601(fractionDigits: Int) -> String {
        let secs = seconds
        var days = secs >= 0 ? secs / 86_400 : (secs - 86_399) / 86_400
        let secondOfDay = secs - days * 86_400
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        var text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
        if fractionDigits > 0 {
            var divisor: Int64 = 1
            for _ in 0..<(9 - min(9, fractionDigits)) { divisor *= 10 }
            text += "." + pad(fraction / divisor, min(9, fractionDigits))
        }
        return text + "Z"
    }

    /// Time of day only, for compact per-packet lines ("10:15:03.123456").
    public var timeOfDay: String {
        let full = iso8601(fractionDigits: 6)
        return String(full.dropFirst(11).dropLast())
    }

    public var description: String { iso8601 }
}

// A capture file can hold any 64-bit time (a pcapng timestamp is a 64-bit count of any unit), and
// thresholds can be given in any number of seconds: time arithmetic stops at Int64's limits rather
// than trapping on overflow.
extension Int64 {
    /// `self - other`, held at Int64's limits.
    @inlinable public func saturatingMinus(_ other: Int64) -> Int64 {
        let (difference, overflow) = subtractingReportingOverflow(other)
        return overflow ? (other < 0 ? .max : .min) : difference
    }

    /// A duration in seconds as nanoseconds, held at Int64's limits.
    @inlinable public init(nanosecondsIn seconds: Double) {
        let nanoseconds = seconds * 1e9
        if nanoseconds >= 9.2e18 || nanoseconds.isNaN {
            self = .max
        } else if nanoseconds <= -9.2e18 {
            self = .min
        } else {
            self = Int64(nanoseconds)
        }
    }
}

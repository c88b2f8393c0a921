// MARK: - Text form (RFC 3463 §2)
//
//     status-code = class "." subject "." detail
//     class       = "2" / "4" / "5"
//     subject     = 1*3digit
//     detail      = 1*3digit

extension EnhancedStatus: LosslessStringConvertible {
    /// Parses `class.subject.detail`, e.g. `2.1.5` or `5.1.10`.
    ///
    /// The class must be 2, 4 or 5; subject and detail are one to three
    /// digits (0...999). Nothing may come before or after: `" 2.1.5"`,
    /// `"2.1.5 "` and `"2.1.5x"` are all refused.
    ///
    ///     250 2.1.5 Ok
    public init?(_ text: Substring) {
        // One pass, no allocation: reply parsing calls this for every reply line.
        var statusClass: UInt16 = 0
        var subject: UInt16 = 0
        var detail: UInt16 = 0
        var field = 0
        var digits = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, field < 2 else { return nil }
                field += 1
                digits = 0
                continue
            }
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte), digits < (field == 0 ? 1 : 3) else {
                return nil
            }
            digits += 1
            let digit = UInt16(byte - UInt8(ascii: "0"))
            switch field {
            case 0: statusClass = digit
            case 1: subject = subject * 10 + digit
            default: detail = detail * 10 + digit
            }
        }
        guard field == 2, digits > 0, statusClass == 2 || statusClass == 4 || statusClass == 5 else { return nil }
        self.init(UInt8(statusClass), subject, detail)
    }

    /// Parses `class.subject.detail`; see `init?(_: Substring)`.
    public init?(_ description: String) {
        self.init(Substring(description))
    }

    /// The text form: `5.1.1`.
    public var description: String { "\(statusClass).\(subject).\(detail)" }

    /// Class 2: the action succeeded.
    public var isSuccess: Bool { statusClass == 2 }

    /// Class 4, persistent transient failure: the same action may succeed later.
    public var isTransient: Bool { statusClass == 4 }

    /// Class 5, permanent failure: repeating the action will not succeed.
    public var isPermanent: Bool { statusClass == 5 }

    /// The same subject and detail with another class, e.g. `4.2.2` from `5.2.2`.
    public func withClass(_ statusClass: UInt8) -> EnhancedStatus {
        EnhancedStatus(statusClass, subject, detail)
    }
}

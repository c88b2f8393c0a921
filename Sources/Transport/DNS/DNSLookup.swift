import CResolv

/// One blocking DNS query through glibc's stub resolver (`res_nquery`) with
/// a resolver state of its own, so queries on different threads never share
/// state. Run it off the event loops.
enum DNSLookup {
    /// What a query found.
    enum Result: Hashable, Sendable {
        /// The records of the answer section (possibly including a CNAME
        /// chain; filter by type).
        case records([DNSRecord])
        /// The name exists but has no record of the type (NOERROR, empty answer).
        case noData
        /// The name does not exist (NXDOMAIN).
        case nameNotFound
        /// No answer could be had: SERVFAIL, REFUSED, FORMERR, time-out, no
        /// server reachable, or a resolver that could not be set up.
        case serverFailure
        /// The answer could not be parsed.
        case malformed
    }

    /// The largest answer read: the DNS maximum over TCP.
    static let answerCapacity = 65_535

    /// glibc's h_errno values (`<netdb.h>`), which Swift does not import as constants.
    private static let hostNotFound: Int32 = 1
    private static let noData: Int32 = 4

    /// Asks for the records of `type` at `name` and waits for the answer.
    static func query(_ name: String, type: DNSRecordType, configuration: ResolverConfiguration) -> Result {
        var answer = [UInt8](repeating: 0, count: answerCapacity)
        var hostError: Int32 = 0
        let length = answer.withUnsafeMutableBufferPointer { buffer in
            withNameserver(configuration.nameserver?.address) { nameserver in
                var options = tern_resolv_options(
                    nameserver: nameserver,
                    port: Int32(clamping: configuration.nameserver?.port ?? 0),
                    timeout_seconds: Int32(clamping: configuration.timeoutSeconds),
                    attempts: Int32(clamping: max(1, configuration.attempts))
                )
                return tern_resolv_query(name, type.value, &options, buffer.baseAddress, Int32(buffer.count), &hostError)
            }
        }
        guard length >= 0 else {
            switch hostError {
            case hostNotFound: return .nameNotFound
            case noData: return .noData
            default: return .serverFailure
            }
        }
        return parse(Array(answer[..<Int(length)]))
    }

    /// The records of the answer section of `message`.
    static func parse(_ message: [UInt8]) -> Result {
        message.withUnsafeBufferPointer { buffer in
            let length = Int32(buffer.count)
            let count = tern_resolv_answer_count(buffer.baseAddress, length)
            guard count >= 0 else { return .malformed }
            guard count > 0 else { return .noData }
            var records: [DNSRecord] = []
            var record = tern_resolv_record()
            for index in 0..<count {
                guard tern_resolv_answer_record(buffer.baseAddress, length, index, &record) == 0 else {
                    return .malformed
                }
                switch record.type {
                case Int32(TERN_RESOLV_TYPE_MX):
                    let exchange = withUnsafeBytes(of: &record.exchange) { String(nulTerminated: $0) }
                    records.append(.mx(preference: Int(record.preference), exchange: exchange))
                case Int32(TERN_RESOLV_TYPE_A), Int32(TERN_RESOLV_TYPE_AAAA):
                    records.append(.address(withUnsafeBytes(of: &record.address) { String(nulTerminated: $0) }))
                default:
                    records.append(.other)
                }
            }
            return .records(records)
        }
    }

    private static func withNameserver<T>(_ address: String?, _ body: (UnsafePointer<CChar>?) -> T) -> T {
        guard let address else { return body(nil) }
        return address.withCString { body($0) }
    }
}

extension String {
    /// A string from a NUL-terminated C array imported as a tuple.
    fileprivate init(nulTerminated bytes: UnsafeRawBufferPointer) {
        let prefix = bytes.prefix { $0 != 0 }
        self = String(decoding: prefix, as: UTF8.self)
    }
}

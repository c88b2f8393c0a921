import Envelope

/// Why the mail hosts of a domain could not be found.
///
/// Each error is permanent (the recipients fail now, with a DSN) or
/// temporary (they are retried later), and maps to an RFC 3463 status:
///
/// | cause | permanent | status |
/// |---|---|---|
/// | null MX (RFC 7505) | yes | `5.1.10` |
/// | NXDOMAIN | yes | `5.1.2` |
/// | not a usable domain name or address literal | yes | `5.1.2` |
/// | no MX and no A/AAAA records | yes | `5.4.4` |
/// | SERVFAIL, REFUSED, time-out, no server reachable | no | `4.4.3` |
/// | a malformed answer | no | `4.4.3` |
/// | no MX host has an address | no | `4.4.3` |
/// | the resolver's threads are shut down | no | `4.3.0` |
public struct DNSError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case nullMX
        case domainNotFound
        case invalidDomain(reason: String)
        case noAddress
        case serverFailure(recordType: String)
        case malformedAnswer(recordType: String)
        case noMailHostAddresses(hosts: Int)
        case resolverUnavailable
    }

    private let code: Code
    /// The domain whose mail hosts were asked for, as given.
    public let domain: String
    /// Where the error was raised (`#fileID`, `#line`).
    public let fileID: String
    /// The line in `fileID`.
    public let line: Int

    private init(_ code: Code, domain: String, fileID: String, line: Int) {
        self.code = code
        self.domain = domain
        self.fileID = fileID
        self.line = line
    }

    static func nullMX(_ domain: String, fileID: String = #fileID, line: Int = #line) -> DNSError {
        DNSError(.nullMX, domain: domain, fileID: fileID, line: line)
    }

    static func domainNotFound(_ domain: String, fileID: String = #fileID, line: Int = #line) -> DNSError {
        DNSError(.domainNotFound, domain: domain, fileID: fileID, line: line)
    }

    static func invalidDomain(_ domain: String, reason: String, fileID: String = #fileID, line: Int = #line) -> DNSError {
        DNSError(.invalidDomain(reason: reason), domain: domain, fileID: fileID, line: line)
    }

    static func noAddress(_ domain: String, fileID: String = #fileID, line: Int = #line) -> DNSError {
        DNSError(.noAddress, domain: domain, fileID: fileID, line: line)
    }

    static func serverFailure(
        _ domain: String, recordType: DNSRecordType, fileID: String = #fileID, line: Int = #line
    ) -> DNSError {
        DNSError(.serverFailure(recordType: recordType.name), domain: domain, fileID: fileID, line: line)
    }

    static func malformedAnswer(
        _ domain: String, recordType: DNSRecordType, fileID: String = #fileID, line: Int = #line
    ) -> DNSError {
        DNSError(.malformedAnswer(recordType: recordType.name), domain: domain, fileID: fileID, line: line)
    }

    static func noMailHostAddresses(_ domain: String, hosts: Int, fileID: String = #fileID, line: Int = #line)
        -> DNSError
    {
        DNSError(.noMailHostAddresses(hosts: hosts), domain: domain, fileID: fileID, line: line)
    }

    static func resolverUnavailable(_ domain: String, fileID: String = #fileID, line: Int = #line) -> DNSError {
        DNSError(.resolverUnavailable, domain: domain, fileID: fileID, line: line)
    }

    /// Whether retrying later cannot help: the recipients should fail now.
    public var isPermanent: Bool {
        switch code {
        case .nullMX, .domainNotFound, .invalidDomain, .noAddress: true
        case .serverFailure, .malformedAnswer, .noMailHostAddresses, .resolverUnavailable: false
        }
    }

    /// The RFC 3463 status for the recipients' DSN and log line.
    public var enhancedStatus: EnhancedStatus {
        switch code {
        case .nullMX: .recipientNullMX
        case .domainNotFound, .invalidDomain: .domainUnknown
        case .noAddress: .unableToRoute
        case .serverFailure, .malformedAnswer, .noMailHostAddresses: .directoryServerFailure
        case .resolverUnavailable: .temporarySystemFailure
        }
    }

    /// Errors are equal when they have the same cause for the same domain,
    /// wherever they were raised.
    public static func == (lhs: DNSError, rhs: DNSError) -> Bool {
        lhs.code == rhs.code && lhs.domain == rhs.domain
    }

    /// Hashes what `==` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(domain)
    }

    /// One line for logs and DSN diagnostics, naming the domain.
    public var description: String {
        switch code {
        case .nullMX: "domain \(domain) accepts no mail (null MX)"
        case .domainNotFound: "domain \(domain) does not exist (NXDOMAIN)"
        case .invalidDomain(let reason): "cannot route to \(domain): \(reason)"
        case .noAddress: "domain \(domain) has no MX and no A or AAAA record"
        case .serverFailure(let type): "DNS lookup of \(type) records for \(domain) failed (server failure or time-out)"
        case .malformedAnswer(let type): "malformed DNS answer for \(type) records of \(domain)"
        case .noMailHostAddresses(let hosts):
            "none of the \(hosts) MX hosts of \(domain) has an address that could be found"
        case .resolverUnavailable: "the resolver's thread pool is not running (lookup of \(domain))"
        }
    }
}

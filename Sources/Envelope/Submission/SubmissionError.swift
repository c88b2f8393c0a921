/// Why a sendmail-style submission cannot go ahead, with the exit status
/// of `<sysexits.h>` that tells the calling program what to do about it.
public struct SubmissionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure; each maps to one exit status.
    public enum Code: Hashable, Sendable {
        /// A malformed or unknown option (EX_USAGE, 64).
        case usage
        /// A bad address, no recipients or an unreadable message (EX_DATAERR, 65).
        case dataError
        /// The message could not be read (EX_NOINPUT, 66).
        case noInput
        /// The daemon is unreachable or refused for now; try later (EX_TEMPFAIL, 75).
        case temporaryFailure
        /// The control socket refuses the invoking user (EX_NOPERM, 77).
        case noPermission
        /// An internal error (EX_SOFTWARE, 70).
        case software
    }

    /// The kind of failure.
    public let code: Code
    /// What went wrong, for the user.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The `<sysexits.h>` status for `code`.
    public var exitStatus: Int32 {
        switch code {
        case .usage: 64
        case .dataError: 65
        case .noInput: 66
        case .software: 70
        case .temporaryFailure: 75
        case .noPermission: 77
        }
    }

    public var description: String { message }
}

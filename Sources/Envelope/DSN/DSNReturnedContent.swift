/// What a delivery status notification returns of the original message:
/// the optional third part of `multipart/report` (RFC 6522 §3).
///
/// | scope      | media type                                           | defined in           |
/// |------------|------------------------------------------------------|----------------------|
/// | `.message` | `message/rfc822`, or `message/global`                | RFC 2046, RFC 6532 §3.7 |
/// | `.headers` | `text/rfc822-headers`, or `message/global-headers`   | RFC 6522 §4, RFC 6533 |
/// | `.nothing` | (no third part)                                      |                      |
///
/// The octets are the stored message's own, unchanged: it is already CRLF
/// text, and only content that is safe as an `8bit` body (lines of at most
/// 998 octets, no NUL, no CR or LF alone) is returned at all.
public struct DSNReturnedContent: Hashable, Sendable {
    /// How much of the message is returned.
    public enum Scope: Hashable, Sendable {
        /// The whole message.
        case message
        /// The header section only.
        case headers
        /// Nothing.
        case nothing
    }

    /// Why less was returned than would have been.
    public enum Shortfall: Hashable, Sendable {
        /// The message, or its header alone, is larger than the limit in octets.
        case tooLarge(limit: Int)
        /// The content has lines that cannot travel unchanged inside a
        /// report: longer than 998 octets, or with NUL, or CR or LF alone.
        case notMailSafe
    }

    /// How much is returned.
    public let scope: Scope
    /// The returned octets: empty for `.nothing`.
    public let bytes: [UInt8]
    /// Why less than the whole message (or its header, when only that was
    /// wanted) is returned; nil when nothing was cut.
    public let shortfall: Shortfall?

    /// Chooses what to return of `original`.
    ///
    /// `wanted` is what the sender asked for (RET, or the site's default).
    /// A message that is over `limit` octets, or not mail-safe, falls back to
    /// its header section; a header section that is too, to nothing. A nil
    /// `original` (the content is gone) or an empty header section returns
    /// nothing, with no further shortfall.
    init(original: [UInt8]?, wanted: DSNReturn, limit: Int) {
        guard let original else {
            self.init(scope: .nothing, bytes: [], shortfall: nil)
            return
        }
        let message = OriginalMessage(bytes: original)
        var shortfall: Shortfall?
        if wanted == .full {
            if original.count > limit {
                shortfall = .tooLarge(limit: limit)
            } else if !OriginalMessage.isMailSafe(original[...]) {
                shortfall = .notMailSafe
            } else {
                self.init(scope: .message, bytes: original, shortfall: nil)
                return
            }
        }
        let header = message.header
        if header.isEmpty {
            self.init(scope: .nothing, bytes: [], shortfall: shortfall)
            return
        }
        if header.count > limit {
            shortfall = .tooLarge(limit: limit)
        } else if !OriginalMessage.isMailSafe(header) {
            shortfall = .notMailSafe
        } else {
            self.init(scope: .headers, bytes: Array(header), shortfall: shortfall)
            return
        }
        self.init(scope: .nothing, bytes: [], shortfall: shortfall)
    }

    private init(scope: Scope, bytes: [UInt8], shortfall: Shortfall?) {
        self.scope = scope
        self.bytes = bytes
        self.shortfall = shortfall
    }
}

import Envelope
import Foundation

/// Delivers batches whose action is maildir, mbox or mda, one recipient at a
/// time, off the event loops.
struct LocalDeliveryAgent: Sendable {
    /// How long an MDA may run.
    var mdaTimeout: TimeInterval = 300

    func deliver(_ batch: DeliveryBatch, action: ActionConfig, body: [UInt8]) async -> [DeliveryResult] {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: batch.recipients.map { deliverOne($0.index, $0.recipient, batch.message.envelope, action, body) })
            }
        }
    }

    private func deliverOne(_ index: UInt32, _ recipient: Recipient, _ envelope: Envelope, _ action: ActionConfig, _ body: [UInt8]) -> DeliveryResult {
        let user = LocalUser(recipient.address)
        let template = PathTemplate(sender: envelope.sender, recipient: recipient.address, username: user.name, homeDirectory: user.home)
        let trace = "Return-Path: \(envelope.sender.wireForm)\r\nDelivered-To: \(recipient.address)\r\n"
        let message = Array(trace.utf8) + body
        do throws(DeliveryFailure) {
            switch action.method {
            case .maildir(let pathTemplate):
                let path = template.expand(pathTemplate.isEmpty ? "%{user.directory}/Maildir" : pathTemplate)
                try LocalDelivery.maildir(at: path, message: LocalDelivery.withUnixLineEndings(message))
                return .delivered(index, "delivered to maildir")
            case .mbox(let pathTemplate):
                let path = template.expand(pathTemplate.isEmpty ? "/var/mail/%{user.username}" : pathTemplate)
                try LocalDelivery.mbox(at: path, message: body, sender: envelope.sender, date: Date())
                return .delivered(index, "delivered to mbox")
            case .mda(let command):
                let environment = [
                    "PATH": "/usr/local/bin:/usr/bin:/bin",
                    "HOME": user.home, "USER": user.name, "LOGNAME": user.name,
                    "SENDER": envelope.sender.address?.description ?? "",
                    "RECIPIENT": recipient.address.description,
                    "DOMAIN": recipient.address.domain,
                    "LOCAL": recipient.address.localPart,
                    "EXTENSION": user.extension ?? "",
                ]
                try LocalDelivery.mda(command: template.expand(command, forPath: false), message: message, environment: environment, timeout: mdaTimeout)
                return .delivered(index, "delivered to command")
            case .lmtp, .relay:
                return .failed(index, .temporary(EnhancedStatus(4, 3, 5), "action \(action.name) is not a local delivery"))
            }
        } catch {
            return .failed(index, error)
        }
    }
}

/// The local user a recipient maps to: the local part without `+extension`,
/// lower-cased, and its home directory from the system's user database.
struct LocalUser {
    let name: String
    let home: String
    let `extension`: String?

    init(_ address: MailAddress) {
        let parts = address.localPart.split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false)
        name = String(parts[0]).lowercased()
        `extension` = parts.count == 2 ? String(parts[1]) : nil
        home = Self.homeDirectory(of: name) ?? "/var/empty"
    }

    /// The user's home directory from the system's user database (getpwnam_r: deliveries run on several threads).
    static func homeDirectory(of user: String) -> String? {
        var entry = passwd()
        var found: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwnam_r(user, &entry, &buffer, buffer.count, &found) == 0, found != nil, let directory = entry.pw_dir else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: directory, count: strlen(directory)), as: UTF8.self)
    }
}

import Foundation
import Transport

/// The text forms of queue listings and message reports.
enum QueueFormat {
    static func date(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }

    static func line(_ message: MessageReport) -> String {
        "\(message.id)  \(message.size)  \(date(message.arrival))  <\(message.sender)>"
    }

    static func recipientLine(_ recipient: MessageReport.RecipientReport) -> String {
        var parts = ["<\(recipient.address)>", recipient.inFlight ? "\(recipient.state) (in flight)" : recipient.state, "attempts=\(recipient.attempts)"]
        if recipient.state == "scheduled" { parts.append("next=\(date(recipient.nextAttempt))") }
        if let status = recipient.lastStatus { parts.append("dsn=\(status)") }
        if let host = recipient.remoteHost { parts.append("relay=\(host)") }
        if let reply = recipient.lastReply { parts.append("(\(reply))") }
        return parts.joined(separator: " ")
    }

    /// `show message` without --json.
    static func messageLines(_ message: MessageReport) -> [String] {
        var lines = [
            "id: \(message.id)",
            "sender: <\(message.sender)>",
            "arrival: \(date(message.arrival))  expiry: \(date(message.expiry))",
            "size: \(message.size)  client: \(message.client)  helo: \(message.helo)",
        ]
        if let user = message.authUser { lines.append("auth: \(user)") }
        if let tag = message.tag { lines.append("tag: \(tag)") }
        if let envid = message.envelopeID { lines.append("envid: \(envid)") }
        if let ret = message.ret { lines.append("ret: \(ret)") }
        if let completed = message.completed { lines.append("completed: \(date(completed))") }
        for (index, recipient) in message.recipients.enumerated() { lines.append("rcpt \(index): " + recipientLine(recipient)) }
        return lines
    }
}

import Foundation
import Transport

/// `-bp` / `mailq`: the queue in the layout of sendmail's and Postfix's
/// mailq, one block per message: id, size, arrival and sender, then each
/// undelivered recipient with its last reply.
enum QueueListing {
    static func lines(_ messages: [MessageReport]) -> [String] {
        guard !messages.isEmpty else { return ["Mail queue is empty"] }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE MMM dd HH:mm:ss"
        var lines = ["-Queue ID-            --Size-- ----Arrival Time---- -Sender/Recipient-------"]
        for message in messages {
            let size = String(message.size).leftPadded(to: 8)
            lines.append("\(message.id)  \(size) \(formatter.string(from: message.arrival))  \(message.sender.isEmpty ? "MAILER-DAEMON" : message.sender)")
            for recipient in message.recipients where recipient.state != "delivered" {
                let note = recipient.inFlight ? "in flight" : recipient.lastReply ?? recipient.state
                lines.append(String(repeating: " ", count: 22) + "(\(note))")
                lines.append(String(repeating: " ", count: 52) + recipient.address)
            }
            lines.append("")
        }
        let kilobytes = (messages.reduce(0) { $0 + $1.size } + 1023) / 1024
        lines.append("-- \(kilobytes) Kbytes in \(messages.count) Request\(messages.count == 1 ? "" : "s").")
        return lines
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

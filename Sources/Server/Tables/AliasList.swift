import Foundation

/// The targets written in one alias, virtual or `.forward` entry, as in
/// aliases(5): separated by commas (or line ends), each optionally in double
/// quotes (needed for a command or path with a comma or blank), blanks
/// around them ignored.
///
///     staff: alice, bob@example.org, "|/usr/bin/logger -t mail", /var/mail/archive
enum AliasList {
    /// The targets in `text`, in order; empty ones dropped.
    static func items(_ text: String) -> [String] {
        var items: [String] = []
        var current = ""
        var quoted = false
        for character in text {
            if character == "\"" {
                quoted.toggle()
            } else if !quoted, character == "," || character == "\n" || character == "\r\n" || character == "\r" {
                items.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        items.append(current)
        return items.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

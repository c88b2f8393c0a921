import CCrypt
import Foundation

/// Checks AUTH credentials against a table of `user → crypt(3) hash`
/// (`$6$…` SHA-512, `$y$…` yescrypt, `$2b$…` bcrypt: whatever libxcrypt
/// knows). Hashing is slow on purpose, so it runs off the event loops.
struct CredentialChecker: Sendable {
    /// The table's name in the configuration.
    let table: String
    let store: ConfigurationStore

    func verify(user: String, password: String) async -> Bool {
        guard let hash = store.current.tables.value(table: table, key: user, service: .credentials), hash.hasPrefix("$") else { return false }
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Self.matches(password: password, hash: hash))
            }
        }
    }

    /// Whether `password` hashes to `hash` under the hash's own method and salt.
    static func matches(password: String, hash: String) -> Bool {
        var data = crypt_data()
        guard let result = crypt_r(password, hash, &data) else { return false }
        let computed = String(cString: result)
        guard !computed.hasPrefix("*"), computed.utf8.count == hash.utf8.count else { return false }
        // Constant-time comparison: no early exit on the first difference.
        return zip(computed.utf8, hash.utf8).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

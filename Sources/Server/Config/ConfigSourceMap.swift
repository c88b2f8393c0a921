/// Where the parser found things, kept beside the ``Configuration`` (which
/// stays free of positions so that equal configurations compare equal) for
/// the checks that need the whole file: ``ConfigValidator``.
struct ConfigSourceMap {
    /// What a table is used for, which decides the entries it must have.
    enum TableUse: Hashable {
        /// Listener AUTH or relay credentials: a map.
        case credentials
        /// `alias`: a map of local part to targets.
        case aliases
        /// `virtual`: a map of address to targets.
        case virtualUsers
        /// `userbase`: a map of user to `uid:gid:home`.
        case userbase
        /// Domains, addresses or user names: a list or a map's keys.
        case keys
        /// `from src`: addresses and netmasks.
        case networks

        /// How the use reads in a message.
        var phrase: String {
            switch self {
            case .credentials: "credentials"
            case .aliases: "aliases"
            case .virtualUsers: "virtual users"
            case .userbase: "a user base"
            case .keys: "a set of keys"
            case .networks: "source addresses"
            }
        }

        /// Whether the use needs `key = value` entries.
        var needsMap: Bool {
            switch self {
            case .credentials, .aliases, .virtualUsers, .userbase: true
            case .keys, .networks: false
            }
        }
    }

    /// A name used somewhere.
    enum Reference: Hashable {
        case table(String, TableUse)
        case pki(String)
        case action(String)
    }

    /// Where each once-only setting (`"queue warn"`, `"smtp limits recipients"`) was set.
    var settings: [String: ConfigLocation] = [:]
    /// Every use of a name, in file order.
    var references: [(reference: Reference, location: ConfigLocation)] = []
    /// Where each table, pki and action is defined.
    var tableDefinitions: [String: ConfigLocation] = [:]
    var pkiDefinitions: [String: ConfigLocation] = [:]
    var actionDefinitions: [String: ConfigLocation] = [:]
    /// Where each entry of each inline table is, by table name and entry key.
    var tableEntries: [String: [String: ConfigLocation]] = [:]
    /// Where each rule's `match` keyword is, parallel to ``Configuration/rules``.
    var rules: [ConfigLocation] = []
    /// Where each `listen` keyword is, parallel to ``Configuration/listeners``.
    var listeners: [ConfigLocation] = []
    /// Where each `queue domain` override is, by lowercase domain.
    var queueOverrides: [String: ConfigLocation] = [:]
    /// Listeners (by index) whose host name is the global one, filled in at the end.
    var listenersWithoutHostname: [Int] = []
    /// Relay actions whose HELO name is the global host name, filled in at the end.
    var relaysWithoutHelo: [String] = []
    /// Backup relay actions whose MX name is the global host name, filled in at the end.
    var backupsWithoutMXName: [String] = []

    /// Where the once-only setting `key` was set, if it was.
    func settingLocation(_ key: String) -> ConfigLocation? {
        settings[key]
    }
}

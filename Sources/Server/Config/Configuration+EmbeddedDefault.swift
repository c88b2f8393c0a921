// The configuration ternd runs with when given none.
extension Configuration {
    /// The built-in configuration, also shipped as `etc/tern.conf` (which adds
    /// commented examples): listen on loopback port 2525, accept mail for
    /// local names and deliver it to maildirs under `./var/mail`, reject
    /// everything else (no relaying), queue under `./var/queue`.
    public static let embeddedDefaultText = """
        # Tern configuration. `ternd -n -f FILE` checks a file and prints it with
        # every default made explicit.

        # Listen on loopback only, on an unprivileged port.
        listen on 127.0.0.1 port 2525
        listen on ::1 port 2525

        # The LMDB journal; relative paths resolve against the working directory.
        queue path "./var/queue"

        # Local users get their mail in a maildir each.
        action "local" maildir "./var/mail/%{user.username}/Maildir"

        # Mail for localhost, localhost.localdomain and this host's name
        # (`for local`) is delivered locally; everything else is refused,
        # so this server relays nothing.
        match from any for local action "local"
        match from any for any reject

        """

    /// ``embeddedDefaultText`` parsed with `hostname` as the host name.
    public static func embeddedDefault(hostname: String) throws(ConfigError) -> Configuration {
        try parse(text: embeddedDefaultText, fileName: "(embedded default)", hostname: hostname)
    }
}

import Testing

@testable import Server

@Suite("ConfigError")
struct ConfigErrorTests {
    struct Fixture: Sendable, CustomTestStringConvertible {
        let text: String
        let message: String
        var testDescription: String { text.debugDescription }

        init(_ text: String, _ message: String) {
            self.text = text
            self.message = message
        }
    }

    static let syntax: [Fixture] = [
        Fixture("listen on 127.0.0.1 port abc", "tern.conf:1:26: expected a port number after 'port', found 'abc'"),
        Fixture("\n\nlisten on ::1 \\\n   port 0", "tern.conf:4:9: expected a port number (1-65535) after 'port', found '0'"),
        Fixture("listen on ::1 port 65536", "tern.conf:1:20: expected a port number (1-65535) after 'port', found '65536'"),
        Fixture("listen on ::1 port", "tern.conf:1:19: expected a port number after 'port', found end of file"),
        Fixture("listen on ::1 port\nx", "tern.conf:1:19: expected a port number after 'port', found end of line"),
        Fixture("listen 127.0.0.1", "tern.conf:1:8: expected 'on' after 'listen', found '127.0.0.1'"),
        Fixture("listen on host.example.com", "tern.conf:1:11: expected an IP address or an interface name after 'on', found 'host.example.com'"),
        Fixture("listen on ::1 fast", "tern.conf:1:15: expected a listen option (port, tls, tls-require, smtps, pki, auth, auth-optional, hostname, tag, mask-src, no-dsn) after '::1', found 'fast'"),
        Fixture("listen on ::1 port 1 port 2", "tern.conf:1:22: duplicate 'port' in this listen statement"),
        Fixture("listen on ::1 no-dsn no-dsn", "tern.conf:1:22: duplicate 'no-dsn' in this listen statement"),
        Fixture("bounce return some", "tern.conf:1:15: expected 'full' or 'headers' after 'return', found 'some'"),
        Fixture("bounce postmaster postmaster", "tern.conf:1:19: expected a mail address such as postmaster@example.com, or 'none' after 'postmaster', found 'postmaster'"),
        Fixture("bounce max-return-size 0", "tern.conf:1:24: expected a size (such as 512, 64K, 35M, 1G) after 'max-return-size', found '0'"),
        Fixture("delivery priority high", "tern.conf:1:19: expected a delivery priority ('idle', 'low', 'normal') after 'priority', found 'high'"),
        Fixture("delivery threads 2", "tern.conf:1:10: expected a delivery setting (priority) after 'delivery', found 'threads'"),
        Fixture("delivery priority idle\ndelivery priority low", "tern.conf:2:10: 'delivery priority' is already set at tern.conf:1:10"),
        Fixture("bounce return full\nbounce return headers", "tern.conf:2:8: 'bounce return' is already set at tern.conf:1:8"),
        Fixture("listen on ::1 tls smtps", "tern.conf:1:19: duplicate TLS mode 'smtps' in this listen statement"),
        Fixture("listen on ::1 auth secrets", "tern.conf:1:20: expected a credentials table such as <secrets> after 'auth', found 'secrets'"),
        Fixture(
            "frobnicate 12",
            "tern.conf:1:1: unknown keyword 'frobnicate'; expected one of action, bounce, control, delivery, hostname, limit, listen, match, metrics, pki, queue, resolver, smtp, table, user or a macro definition 'name = value'"
        ),
        Fixture("\"listen\" on ::1", "tern.conf:1:1: expected a statement keyword or a macro definition, found \"listen\""),
        Fixture("hostname \"unterminated", "tern.conf:1:10: unterminated string; expected '\"' before end of file"),
        Fixture("hostname \"a\\qb\"", "tern.conf:1:12: unknown escape sequence '\\q' in string; expected \\\" \\\\ \\n or \\t"),
        Fixture("hostname \"two words\"", "tern.conf:1:10: expected a host name after 'hostname', found \"two words\""),
        Fixture("hostname a.example b", "tern.conf:1:20: expected end of line after 'a.example', found 'b'"),
        Fixture("hostname a\nhostname b", "tern.conf:2:1: 'hostname' is already set at tern.conf:1:1"),
        Fixture("user a\nuser b", "tern.conf:2:1: 'user' is already set at tern.conf:1:1"),
        Fixture("smtp max-message-size 12Q", "tern.conf:1:23: expected a size (such as 512, 64K, 35M, 1G) after 'max-message-size', found '12Q'"),
        Fixture("smtp max-message-size 0", "tern.conf:1:23: expected a size (such as 512, 64K, 35M, 1G) after 'max-message-size', found '0'"),
        Fixture(
            "smtp max-message-size 9999999999999G",
            "tern.conf:1:23: size '9999999999999G' after 'max-message-size' is too large; the largest is 9223372036854775807 bytes"
        ),
        Fixture("smtp limits recipients 50", "tern.conf:1:13: 'recipients' must be at least 100 (RFC 5321 §4.5.3.1), found 50"),
        Fixture("smtp limits line-length 998", "tern.conf:1:13: 'line-length' must be at least 1000 (RFC 5321 §4.5.3.1), found 998"),
        Fixture("smtp limits", "tern.conf:1:12: expected a limit name (recipients, sessions, per-client, errors, line-length, command-length) after 'limits', found end of file"),
        Fixture("smtp limits sessions 5 sessions 6", "tern.conf:1:24: 'smtp limits sessions' is already set at tern.conf:1:13"),
        Fixture("smtp timeout data 10x", "tern.conf:1:19: expected a duration (such as 30s, 5m, 4h, 4d, 1w) after 'data', found '10x'"),
        Fixture("smtp timeout data 0s", "tern.conf:1:19: expected a duration (such as 30s, 5m, 4h, 4d, 1w) after 'data', found '0s'"),
        Fixture("smtp bare-lf accept", "tern.conf:1:14: expected 'reject' or 'normalize' after 'bare-lf', found 'accept'"),
        Fixture("queue expire 99999w", "tern.conf:1:14: duration '99999w' after 'expire' is too large; the largest is 3650d"),
        Fixture("queue retry 1h..5m", "tern.conf:1:13: retry minimum 1h is longer than the maximum 5m"),
        Fixture("queue retry 1h...5m", "tern.conf:1:13: expected a retry range MIN..MAX (such as 5m..1h) after 'retry', found '1h...5m'"),
        Fixture("queue", "tern.conf:1:6: expected a queue setting (domain, path, retry, expire, warn, retention, map-size) after 'queue', found end of file"),
        Fixture("limit domain gmail.com rate 10/d", "tern.conf:1:29: expected a rate (such as 100/s, 20/m, 500/h) or 'unlimited' after 'rate', found '10/d'"),
        Fixture("table t { a, b = c }", "tern.conf:1:16: expected ',' or '}' after 'b', found '='"),
        Fixture("table t { a = c, b }", "tern.conf:1:20: expected '=' after 'b', found '}'"),
        Fixture("table t { a, A }", "tern.conf:1:14: duplicate entry 'A' in table 't'; it is already at tern.conf:1:11"),
        Fixture("table t { a, b", "tern.conf:1:15: expected ',' or '}' after 'b', found end of file"),
        Fixture("table t ldap:/x", "tern.conf:1:9: expected '{' or a table backend (file:PATH, sqlite:PATH) after 't', found 'ldap:/x'"),
        Fixture("table t file:/a\ntable t file:/b", "tern.conf:2:7: table 't' is already defined at tern.conf:1:7"),
        Fixture("pki p cert a", "tern.conf:1:1: pki 'p' needs both 'cert PATH' and 'key PATH'"),
        Fixture("x = 1\nx = 2", "tern.conf:2:1: macro 'x' is already defined at tern.conf:1:1"),
        Fixture("listen = 1", "tern.conf:1:1: 'listen' is a keyword and cannot be a macro name"),
        Fixture("listen on $undefined", "tern.conf:1:11: undefined macro '$undefined'; define it first with 'undefined = value'"),
        Fixture("listen on ::1 \\ x", "tern.conf:1:15: expected end of line after '\\' (line continuation)"),
        Fixture("listen on ::1 port 25\u{7}", "tern.conf:1:22: unexpected character U+0007"),
        Fixture("<abc", "tern.conf:1:1: expected a table name (letters, digits, '_', '-', '.') and '>' after '<'"),
        Fixture("action a maildir \"%{nope}/x\"", "tern.conf:1:18: unknown variable '%{nope}' in a maildir path; expected one of %{dest}, %{dest.domain}, %{dest.user}, %{rcpt}, %{rcpt.domain}, %{rcpt.user}, %{sender}, %{sender.domain}, %{sender.user}, %{user.directory}, %{user.username}"),
        Fixture("action a deliver", "tern.conf:1:10: expected a delivery method (maildir, mbox, mda, lmtp, relay) after 'a', found 'deliver'"),
        Fixture("action a maildir helo x.example", "tern.conf:1:18: expected an option of 'maildir' (alias, virtual, userbase, forward-file) after 'maildir', found 'helo'"),
        Fixture("action a relay userbase <u>", "tern.conf:1:16: expected an option of 'relay' (host, backup, helo, src, tls, auth) after 'relay', found 'userbase'"),
        Fixture("action a lmtp \"host\"", "tern.conf:1:15: expected an LMTP destination (\"host:port\" or a socket path) after 'lmtp', found \"host\""),
        Fixture("action a relay host ftp://x", "tern.conf:1:21: expected a relay URL (such as smtps://label@smtp.example.com:465) after 'host', found 'ftp://x'"),
        Fixture("action a relay host smtp://u@h auth <t>", "tern.conf:1:32: 'auth' would send credentials without TLS; use an smtp+tls:// or smtps:// URL, or add 'tls'"),
        Fixture("action a relay host smtps://u@h", "tern.conf:1:16: the label 'u' in the relay URL needs 'auth <table>' for its credentials"),
        Fixture("action a relay auth <t>", "tern.conf:1:16: 'auth' needs a relay host URL with a label, such as smtps://label@smtp.example.com"),
        Fixture("action a relay backup host smtp://h", "tern.conf:1:23: 'host' and 'backup' cannot be combined in action 'a'"),
        Fixture("action a mbox alias <x> virtual <y>", "tern.conf:1:33: 'alias' and 'virtual' cannot be combined in action 'a'"),
        Fixture("action a mbox\naction a mbox", "tern.conf:2:8: action 'a' is already defined at tern.conf:1:8"),
        Fixture("match from anywhere reject", "tern.conf:1:12: expected 'any', 'local', 'src', 'auth', 'mail-from' after 'from', found 'anywhere'"),
        Fixture("match from any", "tern.conf:1:15: expected a criterion ('from', 'for', 'tag'), 'action NAME' or 'reject' after 'any', found end of file"),
        Fixture("match ! reject", "tern.conf:1:9: expected 'from', 'for' or 'tag' after '!', found 'reject'"),
        Fixture("match ! from any reject", "tern.conf:1:7: '! from any' can never match"),
        Fixture("match from any from any reject", "tern.conf:1:16: duplicate 'from any' criterion in this rule; it is already at tern.conf:1:7"),
        Fixture("match from src \"10.0.0.0/33\" reject", "tern.conf:1:16: expected a table such as <trusted>, or an address or netmask such as \"192.0.2.0/24\" after 'src', found \"10.0.0.0/33\""),
        Fixture("match for rcpt \"nobody\" reject", "tern.conf:1:16: expected a table such as <rcpts>, or an address such as \"user@example.com\" or \"@example.com\" after 'rcpt', found \"nobody\""),
        Fixture(
            "hostname " + String(repeating: "x", count: 50) + "." + String(repeating: "y", count: 19) + " z",
            "tern.conf:1:81: expected end of line after '" + String(repeating: "x", count: 50) + "." + String(repeating: "y", count: 9) + "…', found 'z'"
        ),
        Fixture("match for any action", "tern.conf:1:21: expected an action name after 'action', found end of file"),
    ]

    static let semantic: [Fixture] = [
        Fixture("listen on 0.0.0.0 tls", "tern.conf:1:1: a listener with 'tls' needs 'pki NAME' for its certificate"),
        Fixture("pki p cert c key k\nlisten on 0.0.0.0 pki p", "tern.conf:2:23: 'pki' has no effect without 'tls', 'tls-require' or 'smtps' on this listener"),
        Fixture(
            "table s { a = b }\nlisten on 0.0.0.0 auth <s>",
            "tern.conf:2:19: AUTH would be offered without TLS; add 'tls', 'tls-require' or 'smtps' with a pki, or 'insecure' after the table to allow plaintext AUTH"
        ),
        Fixture(
            "pki p cert a key b\ntable s { a = b }\nlisten on 0.0.0.0 smtps pki p auth <s> insecure",
            "tern.conf:3:40: 'insecure' has no effect on a listener that requires TLS"
        ),
        Fixture("listen on 0.0.0.0 port 25\nlisten on 0.0.0.0", "tern.conf:2:1: a listener on 0.0.0.0 port 25 is already defined at tern.conf:1:1"),
        Fixture("listen on ::1 pki p tls", "tern.conf:1:19: undefined pki 'p'; define it with 'pki p cert PATH key PATH'"),
        Fixture("listen on ::1 auth <s> insecure", "tern.conf:1:20: undefined table <s>; define it with 'table s …'"),
        Fixture("table s { a, b }\nlisten on ::1 auth <s> insecure", "tern.conf:2:20: table <s> is used for credentials and needs 'key = value' entries"),
        Fixture("table a { x }\naction l mbox alias <a>", "tern.conf:2:21: table <a> is used for aliases and needs 'key = value' entries"),
        Fixture("match from any for any action nothere", "tern.conf:1:31: undefined action 'nothere'; define it with 'action \"nothere\" …'"),
        Fixture(
            "match from src <t> reject\ntable t { 1.2.3.4, foo }",
            "tern.conf:2:20: entry 'foo' of table <t> is not an address or netmask, but the table is used by 'from src' at tern.conf:1:16"
        ),
        Fixture("queue warn 5d", "tern.conf:1:7: 'warn' (5d) must be shorter than 'expire' (4d), or no delay warning is ever sent"),
        Fixture("queue domain x.example warn 3d expire 2d", "tern.conf:1:14: for x.example, 'warn' (3d) must be shorter than 'expire' (2d), or no delay warning is ever sent"),
        Fixture(
            "action r relay\nmatch from any for any action r",
            "tern.conf:2:1: this rule relays mail from any client to any domain (an open relay); restrict it with 'from local', 'from src', 'from auth' or 'tag', or with 'for domain'"
        ),
        Fixture(
            "action r relay\nmatch ! from local ! for local action r",
            "tern.conf:2:1: this rule relays mail from any client to any domain (an open relay); restrict it with 'from local', 'from src', 'from auth' or 'tag', or with 'for domain'"
        ),
        Fixture("match from local for any reject\nmatch from local for domain \"x.com\" reject", "tern.conf:2:1: this rule can never match: the rule at tern.conf:1:1 matches every recipient it would"),
        Fixture("match from any for any reject\nmatch for local reject", "tern.conf:2:1: this rule can never match: the rule at tern.conf:1:1 matches every recipient it would"),
        Fixture(
            "table t { a = b }\nlisten on ::1 auth <t> insecure\nmatch from auth for any reject\nmatch from auth <t> for any reject",
            "tern.conf:4:1: this rule can never match: the rule at tern.conf:3:1 matches every recipient it would"
        ),
        Fixture(
            "match from src \"10.0.0.0/8\" reject\nmatch from src \"10.1.0.0/16\" reject",
            "tern.conf:2:1: this rule can never match: the rule at tern.conf:1:1 matches every recipient it would"
        ),
        Fixture("match tag X reject", "tern.conf:1:1: this rule can never match: no listener has 'tag X'"),
        Fixture("match from auth reject", "tern.conf:1:1: this rule can never match: no listener offers AUTH ('auth' or 'auth-optional')"),
    ]

    @Test("names file, line and column and what was expected", arguments: syntax + semantic)
    func message(_ fixture: Fixture) {
        let errors = Configuration.diagnose(text: fixture.text, hostname: ConfigFixtures.hostname)
        #expect(errors.first?.description == fixture.message)
        #expect(throws: ConfigError.self) {
            try Configuration.parse(text: fixture.text, hostname: ConfigFixtures.hostname)
        }
    }

    @Test("collects one syntax error per bad statement, in file order")
    func allSyntaxErrors() {
        let text = "listen on ::1 port x\nhostname ok.example\nsmtp bogus\nmatch from any for any action missing\n"
        let errors = Configuration.diagnose(text: text, fileName: "a.conf", hostname: "h")
        #expect(errors.map(\.description) == [
            "a.conf:1:20: expected a port number after 'port', found 'x'",
            "a.conf:3:6: expected an smtp setting (max-message-size, limits, timeout, reject-delay, bare-lf) after 'smtp', found 'bogus'",
        ])
        #expect(errors.map(\.kind) == [.invalidValue, .syntax])
    }

    @Test("collects every cross-reference error when the syntax is clean")
    func allSemanticErrors() {
        let text = "match from any for domain <d> action a\nlisten on ::1 tls pki p\n"
        let errors = Configuration.diagnose(text: text, hostname: "h")
        #expect(errors.map(\.description) == [
            "tern.conf:1:27: undefined table <d>; define it with 'table d …'",
            "tern.conf:1:38: undefined action 'a'; define it with 'action \"a\" …'",
            "tern.conf:2:23: undefined pki 'p'; define it with 'pki p cert PATH key PATH'",
        ])
        #expect(errors.allSatisfy { $0.kind == .undefinedReference })
    }

    @Test("finds the shadowed rule among thousands")
    func shadowedAmongMany() {
        let distinct = (1...3000).map { "match from local for domain \"d\($0).example\" reject" }
        let text = (distinct + ["match from local ! from src \"10.0.0.0/8\" for domain \"d1234.example\" reject"]).joined(separator: "\n")
        let errors = Configuration.diagnose(text: text, hostname: "h")
        #expect(errors.map(\.description) == ["tern.conf:3001:1: this rule can never match: the rule at tern.conf:1234:1 matches every recipient it would"])
    }

    @Test("exposes file, line, column and message")
    func fields() {
        let error = Configuration.diagnose(text: "\n  bogus", fileName: "x.conf", hostname: "h").first
        #expect(error?.file == "x.conf")
        #expect(error?.line == 2)
        #expect(error?.column == 3)
        #expect(error?.message.hasPrefix("unknown keyword 'bogus'") == true)
        #expect(error?.kind == .syntax)
        #expect(error?.raisedInFileID.hasPrefix("Server/") == true)
    }
}

import Testing

@testable import Server

@Suite("ConfigPrinter")
struct ConfigPrinterTests {
    struct Fixture: Sendable, CustomTestStringConvertible {
        let name: String
        let text: String
        var testDescription: String { name }
    }

    static let fixtures: [Fixture] = [
        Fixture(name: "empty", text: ""),
        Fixture(name: "embedded default", text: Configuration.embeddedDefaultText),
        Fixture(name: "full example", text: ConfigFixtures.full),
        Fixture(
            name: "strings that need quoting",
            text: #"""
                queue path "/var/spool/with space/\"q\"\\"
                control socket "$not-a-macro"
                table t { "a b", "x,y", "#hash", "!bang", "" }
                table m { "k k" = "v\tv", plain = "with = sign" }
                table f "file:/etc/with space"
                action "a" mda "/bin/deliver \"%{rcpt}\" \\ end"
                match from any for rcpt "<>@x.example" reject
                """#
        ),
        Fixture(
            name: "every option set away from its default",
            text: """
                user _tern
                smtp max-message-size 1000
                smtp limits recipients 100 sessions 1 per-client 1 errors 1 line-length 4096 command-length 4096
                smtp timeout command 1s data 1s initial 1s mail 1s rcpt 1s data-init 1s data-block 1s data-termination 1s
                smtp reject-delay 3s
                bounce warn-on-missing-notify no
                bounce return headers
                bounce max-return-size 1000
                bounce postmaster "\\"john smith\\"@x.example"
                resolver ::1 port 53
                metrics listen on ::1 port 1
                queue retry 1s..1w expire 3650d warn 1s retention 0s map-size 1K
                queue domain a.example warn 1m
                queue domain b.example retry 1s..2s
                limit default connections 1 messages-per-connection 1 rate 1/h
                limit domain a.example rate unlimited
                limit domain b.example messages-per-connection 7
                table s { u = p }
                listen on ::ffff:127.0.0.1 port 2 auth-optional <s> insecure tag t mask-src hostname x
                listen on 2001:DB8:0:0:0:0:0:1 port 3 no-dsn
                action r relay host lmtp://[::1]:2424 helo h.example src ::1 tls verify
                action b relay backup
                match tag t from auth <s> ! for domain "x.example" action r
                match from src "::1/128" for domain "y.example" action b
                """
        ),
    ]

    @Test("prints a configuration that parses back equal", arguments: fixtures)
    func roundTrip(_ fixture: Fixture) throws {
        let config = try Configuration.parse(text: fixture.text, hostname: ConfigFixtures.hostname)
        let printed = config.effectiveDescription
        let reparsed = try Configuration.parse(text: printed, fileName: "printed", hostname: "other.example")
        #expect(reparsed == config)
        #expect(reparsed.effectiveDescription == printed)
    }

    @Test("makes every default explicit")
    func explicitDefaults() throws {
        let printed = try Configuration.parse(text: "", hostname: "h.example").effectiveDescription
        #expect(printed == """
            # Effective configuration: every default is explicit.
            hostname h.example

            smtp max-message-size 35M
            smtp limits recipients 1000 sessions 1000 per-client 50 errors 10 line-length 1000 command-length 512
            smtp timeout command 5m data 10m initial 5m mail 5m rcpt 5m data-init 2m data-block 3m data-termination 10m
            smtp reject-delay 0s
            smtp bare-lf reject
            bounce warn-on-missing-notify yes
            bounce return full
            bounce max-return-size 64K
            bounce postmaster none
            resolver system
            metrics none
            control socket "./var/control.sock"

            queue path "./var/queue" retry 5m..1h expire 4d warn 4h retention 1d map-size 16G
            limit default connections 10 messages-per-connection 100 rate unlimited
            delivery priority idle

            listen on 127.0.0.1 port 2525 hostname h.example

            """)
    }

    @Test("prints implied criteria and resolved defaults of actions and listeners")
    func impliedParts() throws {
        let text = "action a relay\naction m maildir\nmatch for domain \"x.example\" action a\nmatch from any action m\nlisten on ::1"
        let printed = try Configuration.parse(text: text, hostname: "h.example").effectiveDescription
        #expect(printed.contains("\naction \"a\" relay helo h.example tls opportunistic\n"))
        #expect(printed.contains("\naction \"m\" maildir \"%{user.directory}/Maildir\"\n"))
        #expect(printed.contains("\nmatch from local for domain \"x.example\" action \"a\"\n"))
        #expect(printed.contains("\nmatch from any for local action \"m\"\n"))
        #expect(printed.contains("\nlisten on ::1 port 25 hostname h.example\n"))
    }

    @Test("quotes only what would not lex back as one word", arguments: [
        ("plain.example", "plain.example"),
        ("::1", "::1"),
        ("a b", "\"a b\""),
        ("", "\"\""),
        ("$x", "\"$x\""),
        ("!x", "\"!x\""),
        ("%{rcpt}", "\"%{rcpt}\""),
        ("a\"b\\c\nd\te", "\"a\\\"b\\\\c\\nd\\te\""),
    ])
    func quoting(text: String, printed: String) {
        #expect(ConfigPrinter.word(text) == printed)
    }
}

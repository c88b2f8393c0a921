import Testing
@testable import Transport

@Suite("SMTPClientAuthentication")
struct SMTPClientAuthenticationTests {
    @Test("encodes base64 as RFC 4648 §10 says", arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ])
    func base64(input: String, output: String) {
        #expect(SMTPClientAuthentication.base64(Array(input.utf8)) == output)
    }

    @Test("sends PLAIN with the initial response of RFC 4616")
    func plain() {
        let command = SMTPClientAuthentication.plainCommand(SMTPClientCredentials(username: "alice", password: "secret"))
        #expect(command == "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n")
    }

    @Test("prefers PLAIN, then LOGIN", arguments: [
        (Set(["CRAM-MD5", "LOGIN", "PLAIN"]), SMTPClientAuthentication.Mechanism.plain),
        (Set(["LOGIN", "XOAUTH2"]), .login),
        (Set(["CRAM-MD5"]), nil),
        (Set(), nil),
    ])
    func choice(offered: Set<String>, chosen: SMTPClientAuthentication.Mechanism?) {
        #expect(SMTPClientAuthentication.mechanism(offered: offered) == chosen)
    }

    @Test("never prints the password")
    func redacted() {
        let credentials = SMTPClientCredentials(username: "alice", password: "hunter2")
        #expect(!"\(credentials)".contains("hunter2"))
        #expect(!String(reflecting: credentials).contains("hunter2"))
    }
}

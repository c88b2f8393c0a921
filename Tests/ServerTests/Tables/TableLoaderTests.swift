import Testing

@testable import Server

@Suite("TableLoader")
struct TableLoaderTests {
    @Test("key value lines, aliases(5) colons, comments and both kinds of continuation")
    func map() throws {
        let text = """
            # aliases
            postmaster: root
            staff:  alice,
                    bob@example.org   # the boss
            team alice, \\
              carol
            secret $6$abc#def
            """
        let table = try TableLoader.parse(text, path: "aliases", table: "a")
        #expect(table == .map([
            "postmaster": "root",
            "staff": "alice, bob@example.org",
            "team": "alice, carol",
            "secret": "$6$abc#def",
        ]))
    }

    @Test("lone keys make a list; IPv6 keys keep their colons")
    func list() throws {
        #expect(try TableLoader.parse("example.org\n\n  \n::1\nfe80::/10\n", path: "p", table: "t") == .list(["example.org", "::1", "fe80::/10"]))
    }

    @Test("duplicates, mixtures and missing files are errors naming the file")
    func errors() {
        #expect(throws: TableError(.malformed, table: "t", "p:2: duplicate key 'A'")) { try TableLoader.parse("a 1\nA 2\n", path: "p", table: "t") }
        #expect(throws: TableError(.malformed, table: "t", "p: mixes 'key value' lines with lone keys")) { try TableLoader.parse("a 1\nb\n", path: "p", table: "t") }
        #expect(throws: TableError(.unreadable, table: "t", "cannot read /nonexistent/x")) { try TableLoader.load(path: "/nonexistent/x", table: "t") }
    }

    @Test("AliasList splits on commas and line ends and honours quotes")
    func aliasList() {
        #expect(AliasList.items(" a ,b\n\"|cmd x, y\" , /path ,, ") == ["a", "b", "|cmd x, y", "/path"])
    }
}

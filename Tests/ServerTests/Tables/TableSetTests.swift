import Foundation
import Testing

@testable import Server

@Suite("TableSet")
struct TableSetTests {
    /// A fresh directory, removed by the caller.
    static func directory() -> String {
        let path = NSTemporaryDirectory() + "tern-tables-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Runs SQL through Debian's sqlite3 command-line tool (tools/test installs it).
    static func sqlite(_ database: String, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [database, sql]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test("inline lists answer membership services only; maps answer every service")
    func inline() throws {
        let tables = try TableSet(["d": .list(["Example.org", "192.0.2.0/24"]), "m": .map(["Alice": "$6$x"])])
        #expect(tables.contains(table: "d", key: "example.ORG", service: .domain))
        #expect(tables.value(table: "d", key: "example.org", service: .credentials) == nil)
        #expect(tables.containsNetwork(table: "d", address: "192.0.2.77"))
        #expect(!tables.containsNetwork(table: "d", address: "192.0.3.1"))
        #expect(tables.value(table: "m", key: "alice", service: .credentials) == "$6$x")
        #expect(tables.value(table: "m", key: "alice") == "$6$x")
        #expect(!tables.contains(table: "nope", key: "x"))
    }

    @Test("a file table is read at load, and replacing it reads the file again")
    func fileTable() throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/aliases"
        try "staff: alice\n".write(toFile: path, atomically: true, encoding: .utf8)
        let tables = try TableSet(["aliases": .file(path: path)])
        #expect(tables.value(table: "aliases", key: "staff", service: .alias) == "alice")
        try "staff: bob\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(tables.value(table: "aliases", key: "staff", service: .alias) == "alice", "a loaded set never changes")
        let reloaded = try tables.replacing("aliases", with: .file(path: path))
        #expect(reloaded.value(table: "aliases", key: "staff", service: .alias) == "bob")
    }

    @Test("sqlite: a database given directly answers from entries(key, value), several rows as a list")
    func sqliteDirect() throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = directory + "/t.db"
        try Self.sqlite(database, """
            CREATE TABLE entries (key TEXT, value TEXT);
            INSERT INTO entries VALUES ('staff', 'alice'), ('staff', 'bob'), ('example.org', NULL), ('192.0.2.0/24', NULL);
            """)
        let tables = try TableSet(["t": .sqlite(path: database)])
        #expect(tables.value(table: "t", key: "STAFF", service: .alias) == "alice, bob")
        #expect(tables.contains(table: "t", key: "example.org", service: .domain))
        #expect(!tables.contains(table: "t", key: "example.net", service: .domain))
    }

    @Test("sqlite: a settings file gives one query per service")
    func sqliteSettings() throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = directory + "/users.db"
        try Self.sqlite(database, """
            CREATE TABLE virtuals (address TEXT, target TEXT);
            CREATE TABLE users (name TEXT, uid INTEGER, gid INTEGER, home TEXT, password TEXT);
            CREATE TABLE networks (mask TEXT);
            INSERT INTO virtuals VALUES ('bob@example.org', 'vmail'), ('@example.org', 'catchall');
            INSERT INTO users VALUES ('vmail', 5000, 5000, '/var/vmail', '$6$hash');
            INSERT INTO networks VALUES ('198.51.100.0/24');
            """)
        let settings = directory + "/users.conf"
        try """
            # per-service queries
            dbpath users.db
            query_virtual SELECT target FROM virtuals WHERE address = ?
            query_userinfo SELECT uid, gid, home
                FROM users WHERE name = ?
            query_credentials SELECT name, password FROM users WHERE name = ?
            query_netaddr SELECT mask FROM networks
            """.write(toFile: settings, atomically: true, encoding: .utf8)
        let tables = try TableSet(["v": .sqlite(path: settings)])
        #expect(tables.value(table: "v", key: "Bob@example.org", service: .virtual) == "vmail")
        #expect(tables.value(table: "v", key: "@example.org", service: .virtual) == "catchall")
        #expect(tables.value(table: "v", key: "vmail", service: .userinfo) == "5000:5000:/var/vmail")
        #expect(tables.value(table: "v", key: "vmail", service: .credentials) == "$6$hash")
        #expect(tables.value(table: "v", key: "vmail", service: .alias) == nil, "no query_alias: no answer")
        #expect(tables.containsNetwork(table: "v", address: "198.51.100.9"))
        #expect(!tables.containsNetwork(table: "v", address: "198.51.101.9"))
        let account = LocalAccount(name: "vmail", userinfo: try #require(tables.value(table: "v", key: "vmail", service: .userinfo)))
        #expect(account == LocalAccount(name: "vmail", home: "/var/vmail", uid: 5000, gid: 5000))
    }

    @Test("sqlite: bad queries, missing databases and settings without dbpath fail at load")
    func sqliteErrors() throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = directory + "/t.db"
        try Self.sqlite(database, "CREATE TABLE entries (key TEXT, value TEXT);")
        let settings = directory + "/bad.conf"
        try "dbpath t.db\nquery_alias SELECT nothing FROM nowhere WHERE x = ?\n".write(toFile: settings, atomically: true, encoding: .utf8)
        #expect(throws: TableError.self) { try TableSet(["t": .sqlite(path: settings)]) }
        try "query_alias SELECT value FROM entries WHERE key = ?\n".write(toFile: settings, atomically: true, encoding: .utf8)
        #expect(throws: TableError(.malformed, table: "t", "\(settings): no 'dbpath' line naming the database")) { try TableSet(["t": .sqlite(path: settings)]) }
        #expect(throws: TableError(.unreadable, table: "t", "cannot read \(directory)/missing.db")) { try TableSet(["t": .sqlite(path: directory + "/missing.db")]) }
    }

    @Test("ConfigurationStore.reloadTable swaps one table in, and keeps it on errors")
    func reloadTable() throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/domains"
        try "example.org\n".write(toFile: path, atomically: true, encoding: .utf8)
        var configuration = Configuration(hostname: "mx.test")
        configuration.tables = ["domains": .file(path: path), "inline": .list(["a"])]
        let store = ConfigurationStore(try ConfigurationStore.load(configuration))
        try "example.net\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(store.current.tables.contains(table: "domains", key: "example.org", service: .domain))
        try store.reloadTable(named: "domains")
        #expect(store.current.tables.contains(table: "domains", key: "example.net", service: .domain))
        #expect(!store.current.tables.contains(table: "domains", key: "example.org", service: .domain))
        #expect(throws: TableError(.unknownTable, table: "other", "no such table in the configuration in force")) { try store.reloadTable(named: "other") }
        try FileManager.default.removeItem(atPath: path)
        #expect(throws: TableError(.unreadable, table: "domains", "cannot read \(path)")) { try store.reloadTable(named: "domains") }
        #expect(store.current.tables.contains(table: "domains", key: "example.net", service: .domain))
    }
}

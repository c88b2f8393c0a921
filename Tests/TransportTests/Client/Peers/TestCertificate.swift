import TestSupport
import Foundation
import Testing

/// A self-signed certificate for `localhost` made with Debian's openssl,
/// in a temporary directory that goes away with the value.
final class TestCertificate {
    let directory: String
    var certificatePath: String { directory + "/cert.pem" }
    var keyPath: String { directory + "/key.pem" }

    init() throws {
        directory = NSTemporaryDirectory() + "tern-cert-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let (status, output) = try PeerProcess.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", directory + "/key.pem", "-out", directory + "/cert.pem", "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
            ],
            package: "openssl")
        try #require(status == 0, "openssl failed: \(output)")
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

import Foundation
import Testing
import TestSupport

/// dnsmasq answering for `*.test` on a free loopback port.
func startDNS(_ records: [String]) throws -> (PeerProcess, Int) {
    let port = freePort()
    let dns = try PeerProcess("/usr/sbin/dnsmasq", [
        "--no-daemon", "--port", "\(port)", "--listen-address", "127.0.0.1", "--bind-interfaces",
        "--no-resolv", "--no-hosts", "--local=/test/", "--pid-file=",
    ] + records, package: "dnsmasq-base")
    try dns.waitUntil("dnsmasq listening") { dns.output().contains("started") || canBindUDP(port: port) == false }
    return (dns, port)
}

/// Postfix's smtp-sink on `address`:`port`, dumping each message into `workspace/sink-NAME/`.
func startSink(_ address: String, port: Int = 25, name: String, workspace: Workspace, options: [String] = []) throws -> PeerProcess {
    // smtp-sink runs as postfix: it must reach and write its dump directory.
    chmod(workspace.path, 0o755)
    let dumpDirectory = workspace.file("sink-\(name)")
    try FileManager.default.createDirectory(atPath: dumpDirectory, withIntermediateDirectories: true)
    if let postfix = getpwnam("postfix") { chown(dumpDirectory, postfix.pointee.pw_uid, postfix.pointee.pw_gid) }
    let sink = try PeerProcess(
        "/usr/sbin/smtp-sink", ["-u", "postfix", "-c", "-d", "\(dumpDirectory)/%H%M%S."] + options + ["\(address):\(port)", "100"],
        package: "postfix"
    )
    try sink.waitUntil("smtp-sink on \(address):\(port)") { canConnect(address: address, port: port) }
    return sink
}

/// The messages an smtp-sink dumped, each as text.
func sinkMessages(_ name: String, workspace: Workspace) -> [String] {
    let directory = workspace.file("sink-\(name)")
    let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    return files.compactMap { try? String(contentsOfFile: directory + "/" + $0, encoding: .utf8) }
}

/// smtp-sink's last counter line (`sess=… quit=… mesg=…`).
func sinkCounters(_ sink: PeerProcess) -> String {
    sink.output().split(whereSeparator: { $0 == "\r" || $0 == "\n" }).last.map(String.init) ?? ""
}

/// Whether a UDP socket can bind 127.0.0.1:`port` (false once dnsmasq holds it).
func canBindUDP(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}

/// Whether something accepts TCP connections on `address`:`port` (IPv4).
func canConnect(address: String, port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var socketAddress = sockaddr_in()
    socketAddress.sin_family = sa_family_t(AF_INET)
    socketAddress.sin_addr.s_addr = inet_addr(address)
    socketAddress.sin_port = in_port_t(UInt16(port).bigEndian)
    return withUnsafePointer(to: &socketAddress) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}

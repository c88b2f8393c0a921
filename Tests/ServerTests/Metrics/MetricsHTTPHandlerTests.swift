import NIOCore
import NIOEmbedded
import NIOHTTP1
import Prometheus
@testable import Server
import TestSupport
import Testing

@Suite("MetricsHTTPHandler")
struct MetricsHTTPHandlerTests {
    /// Sends one request through the handler; returns the response head and body.
    static func exchange(_ method: HTTPMethod, _ uri: String, registry: PrometheusCollectorRegistry) throws -> (HTTPResponseHead, String) {
        let channel = EmbeddedChannel(handler: MetricsHTTPHandler(registry: registry))
        defer { _ = try? channel.finish() }
        try channel.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: method, uri: uri)))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        guard case .head(let head) = try channel.readOutbound(as: HTTPServerResponsePart.self) else {
            Issue.record("no response head")
            return (HTTPResponseHead(version: .http1_1, status: .internalServerError), "")
        }
        var body = ""
        while let part = try channel.readOutbound(as: HTTPServerResponsePart.self) {
            if case .body(.byteBuffer(let buffer)) = part { body += String(buffer: buffer) }
        }
        return (head, body)
    }

    @Test("GET /metrics answers the registry in text format 0.0.4")
    func metrics() throws {
        let registry = PrometheusCollectorRegistry()
        registry.makeCounter(descriptor: MetricNameDescriptor(metricName: "tern_test", unitName: "total", helpText: "A test counter.")).increment(by: Int64(5))
        let (head, body) = try Self.exchange(.GET, "/metrics", registry: registry)
        #expect(head.status == .ok)
        #expect(head.headers["Content-Type"] == ["text/plain; version=0.0.4; charset=utf-8"])
        #expect(try PrometheusExposition(body).value("tern_test_total") == 5)
        #expect(head.headers["Content-Length"] == ["\(body.utf8.count)"])
    }

    @Test("other paths get 404 and other methods on /metrics get 405")
    func notFound() throws {
        let registry = PrometheusCollectorRegistry()
        #expect(try Self.exchange(.GET, "/", registry: registry).0.status == .notFound)
        #expect(try Self.exchange(.GET, "/metricsx", registry: registry).0.status == .notFound)
        #expect(try Self.exchange(.POST, "/metrics", registry: registry).0.status == .methodNotAllowed)
        #expect(try Self.exchange(.GET, "/metrics?name=x", registry: registry).0.status == .ok)
    }
}

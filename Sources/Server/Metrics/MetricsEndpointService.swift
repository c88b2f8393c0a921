import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import ServiceLifecycle

/// The `metrics listen on ADDRESS port N` endpoint: an HTTP/1.1 server that
/// answers `GET /metrics` with the registry in Prometheus' text exposition
/// format 0.0.4 and 404 to anything else. On graceful shutdown it stops
/// accepting and closes.
final class MetricsEndpointService: Service {
    let bindAddress: SocketAddress
    let channel: any Channel
    let logger: Logger

    /// Binds the endpoint before the daemon reports itself started, so that
    /// a scrape right after "ternd started" is answered and a taken port
    /// stops start-up with its error.
    init(bindAddress: SocketAddress, registry: PrometheusCollectorRegistry, group: any EventLoopGroup, logger: Logger) async throws {
        self.bindAddress = bindAddress
        self.logger = logger
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMapThrowing {
                    try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(registry: registry))
                }
            }
            .bind(to: bindAddress)
            .get()
        logger.notice("metrics endpoint listening on http://\(bindAddress)/metrics")
    }

    func run() async throws {
        let channel = self.channel
        try await withGracefulShutdownHandler {
            try await channel.closeFuture.get()
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
        logger.notice("metrics endpoint stopped")
    }
}

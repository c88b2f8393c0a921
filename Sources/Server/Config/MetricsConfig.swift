/// A `metrics listen on ADDRESS [port N]` statement: where the Prometheus
/// endpoint listens (`metrics none`, the default, disables it).
///
///     metrics listen on 127.0.0.1 port 9125
public struct MetricsConfig: Hashable, Sendable {
    /// The address to listen on.
    public var address: IPLiteral
    /// The port; 9125 by default.
    public var port: Int

    /// Creates a metrics setting.
    public init(address: IPLiteral, port: Int = ConfigDefaults.metricsPort) {
        self.address = address
        self.port = port
    }
}

import Logging
import Synchronization

/// The log levels in force, changeable at run time (`ternctl log verbose|brief`,
/// `ternctl trace SUBSYSTEM`). Subsystems are the loggers labelled
/// `tern.<subsystem>`: `smtp`, `delivery`, `journal`, `control`.
public final class LogLevelControl: Sendable {
    /// The subsystems `trace` accepts.
    public static let subsystems = ["smtp", "delivery", "journal", "control"]

    private struct State {
        var base: Logger.Level
        var traced: Set<String> = []
    }

    private let state: Mutex<State>
    /// The level `brief` returns to.
    public let briefLevel: Logger.Level

    /// Starts at `level`, which `brief` returns to.
    public init(level: Logger.Level) {
        briefLevel = level
        state = Mutex(State(base: level))
    }

    /// The level of the logger labelled `label`.
    ///
    /// Asked before every log call that might be written, so the usual case,
    /// nothing traced, looks at no string.
    public func level(for label: String) -> Logger.Level {
        state.withLock { state in
            guard !state.traced.isEmpty, label.hasPrefix("tern.") else { return state.base }
            return state.traced.contains(String(label.dropFirst(5))) ? .trace : state.base
        }
    }

    /// `log verbose` (debug detail) or `log brief` (the start-up level).
    public func setVerbose(_ verbose: Bool) {
        state.withLock { $0.base = verbose ? min(.debug, briefLevel) : briefLevel }
    }

    /// Turns tracing of one subsystem on or off; false for an unknown subsystem.
    public func setTrace(_ subsystem: String, enabled: Bool) -> Bool {
        guard Self.subsystems.contains(subsystem) else { return false }
        state.withLock { state in
            if enabled { state.traced.insert(subsystem) } else { state.traced.remove(subsystem) }
        }
        return true
    }

    /// A log handler for `label` whose level follows this control.
    public func handler(label: String, wrapping base: some LogHandler) -> some LogHandler {
        ControlledLogHandler(label: label, base: base, control: self)
    }
}

/// Forwards to another handler, taking its level from a ``LogLevelControl``.
struct ControlledLogHandler<Base: LogHandler>: LogHandler {
    let label: String
    var base: Base
    let control: LogLevelControl

    var logLevel: Logger.Level {
        get { control.level(for: label) }
        set {}
    }

    var metadata: Logger.Metadata {
        get { base.metadata }
        set { base.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { base[metadataKey: key] }
        set { base[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        base.log(event: event)
    }
}

import ArgumentParser
import Foundation
import Transport

struct ShowStats: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Show the daemon's counters and gauges.")

    @OptionGroup var control: ControlOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        guard case .stats(let report) = try control.send(.showStats) else { throw control.unexpected() }
        if json { return try printJSON(report) }
        let width = report.entries.map(\.name.count).max() ?? 0
        for entry in report.entries {
            print(entry.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + format(entry.value))
        }
    }
}

struct ShowStatus: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show paused flows, listeners, version and uptime.")

    @OptionGroup var control: ControlOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        guard case .status(let status) = try control.send(.showStatus) else { throw control.unexpected() }
        if json { return try printJSON(status) }
        print("ternd \(status.version) on \(status.hostname), pid \(status.pid), up since \(QueueFormat.date(status.started))")
        print("queue: \(status.queuePath)")
        for listener in status.listeners { print("listening: \(listener)") }
        print("paused: \(status.paused.isEmpty ? "nothing" : status.paused.joined(separator: ", "))")
    }
}

struct ShowHosts: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hosts", abstract: "Show delivery by destination: connections, rate window, back-off, pause.")

    @OptionGroup var control: ControlOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        guard case .hosts(let hosts) = try control.send(.showHosts) else { throw control.unexpected() }
        if json { return try printJSON(hosts) }
        for host in hosts {
            var parts = [host.domain, "active=\(host.activeDeliveries)", "waiting=\(host.waiting)", "recent=\(host.recentStarts)"]
            if host.paused { parts.append("paused") }
            if let until = host.backedOffUntil { parts.append("backed-off-until=\(QueueFormat.date(until)) (\(host.backOffReason ?? ""))") }
            print(parts.joined(separator: " "))
        }
        if hosts.isEmpty { print("-- no destination is active, waiting, backed off or paused") }
    }
}

struct Monitor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the daemon's counters every interval: per-second rates for counters, values for gauges."
    )

    @OptionGroup var control: ControlOptions
    @Option(help: "Seconds between lines.") var interval: Double = 1
    @Option(help: "Stop after this many lines (default: until interrupted).") var count: Int?

    func validate() throws {
        guard interval > 0 else { throw ValidationError("--interval must be positive") }
    }

    func run() throws {
        var previous: StatisticsReport?
        var lines = 0
        while count.map({ lines < $0 }) ?? true {
            guard case .stats(let report) = try control.send(.showStats) else { throw control.unexpected() }
            if lines % 20 == 0 { emit(report.entries.map { abbreviate($0.name) }.joined(separator: " ")) }
            let before = Dictionary((previous?.entries ?? []).map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
            let columns = report.entries.map { entry -> String in
                let value = entry.isCounter ? (entry.value - (before[entry.name] ?? entry.value)) / interval : entry.value
                return format(value).padding(toLength: abbreviate(entry.name).count, withPad: " ", startingAt: 0)
            }
            emit(columns.joined(separator: " "))
            previous = report
            lines += 1
            if count.map({ lines < $0 }) ?? true { Thread.sleep(forTimeInterval: interval) }
        }
    }

    /// A column heading: the name's last two parts.
    private func abbreviate(_ name: String) -> String {
        name.split(separator: ".").suffix(2).joined(separator: ".")
    }
}

/// The flow argument of `pause` and `resume`.
struct FlowArguments: ParsableArguments {
    @Argument(help: "smtp (new sessions), mta (remote delivery), mda (local delivery), delivery (both), or destination DOMAIN.")
    var words: [String]

    func flows() throws -> [ControlFlow] {
        switch words.first {
        case "smtp" where words.count == 1: [.smtp]
        case "mta" where words.count == 1: [.mta]
        case "mda" where words.count == 1: [.mda]
        case "delivery" where words.count == 1: [.mta, .mda]
        case "destination" where words.count == 2: [.destination(words[1])]
        default: throw ValidationError("expected smtp, mta, mda, delivery or destination DOMAIN")
        }
    }
}

struct Pause: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Pause new SMTP sessions, delivery, or one destination.")

    @OptionGroup var control: ControlOptions
    @OptionGroup var flow: FlowArguments

    func validate() throws { _ = try flow.flows() }

    func run() throws {
        for flow in try flow.flows() { try control.perform(.pause(flow)) }
    }
}

struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Resume a paused flow; its parked mail is due at once.")

    @OptionGroup var control: ControlOptions
    @OptionGroup var flow: FlowArguments

    func validate() throws { _ = try flow.flows() }

    func run() throws {
        for flow in try flow.flows() { try control.perform(.resume(flow)) }
    }
}

/// The `ID…|all` argument of the commands on messages.
struct SelectionArguments: ParsableArguments {
    @Argument(help: "Message ids, or `all`.") var targets: [String]

    var selection: MessageSelection { targets == ["all"] ? .all : .messages(targets) }

    func validate() throws {
        guard !targets.isEmpty else { throw ValidationError("name message ids or `all`") }
        guard targets == ["all"] || !targets.contains("all") else { throw ValidationError("`all` stands alone") }
    }
}

struct Schedule: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Retry now: make recipients due and lift their destination's back-off.")

    @OptionGroup var control: ControlOptions
    @OptionGroup var selection: SelectionArguments

    func run() throws { try control.perform(.schedule(selection.selection)) }
}

struct Hold: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Hold recipients: no attempts until released (expiry still applies).")

    @OptionGroup var control: ControlOptions
    @OptionGroup var selection: SelectionArguments

    func run() throws { try control.perform(.hold(selection.selection)) }
}

struct Release: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Release held recipients; they are due at once.")

    @OptionGroup var control: ControlOptions
    @OptionGroup var selection: SelectionArguments

    func run() throws { try control.perform(.release(selection.selection)) }
}

struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove messages from the queue without notice.",
        discussion: "Asks for confirmation on a terminal; elsewhere --yes is required. A message in flight goes when its attempt ends."
    )

    @OptionGroup var control: ControlOptions
    @OptionGroup var selection: SelectionArguments
    @Flag(help: "Do not ask for confirmation.") var yes = false

    func run() throws {
        if !yes {
            guard isatty(STDIN_FILENO) == 1 else { throw ValidationError("remove needs --yes when standard input is not a terminal") }
            let what = selection.selection == .all ? "ALL messages" : "\(selection.targets.count) message\(selection.targets.count == 1 ? "" : "s")"
            FileHandle.standardOutput.write(Data("Remove \(what) from the queue without notice? [y/N] ".utf8))
            guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                print("nothing removed")
                return
            }
        }
        try control.perform(.remove(selection.selection))
    }
}

struct Update: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Reload things in the running daemon.", subcommands: [UpdateTable.self])
}

struct UpdateTable: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "table", abstract: "Re-read a file or database table.")

    @OptionGroup var control: ControlOptions
    @Argument(help: "The table's name in the configuration.") var name: String

    func run() throws { try control.perform(.updateTable(name: name)) }
}

struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Set the daemon's log level: verbose (debug detail) or brief (its start-up level).")

    @OptionGroup var control: ControlOptions
    @Argument(help: "verbose or brief.") var level: String

    func validate() throws {
        guard ["verbose", "brief"].contains(level) else { throw ValidationError("expected verbose or brief") }
    }

    func run() throws { try control.perform(.log(verbose: level == "verbose")) }
}

struct Trace: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Trace one subsystem of the daemon: smtp, delivery, journal or control.")

    @OptionGroup var control: ControlOptions
    @Argument(help: "smtp, delivery, journal or control.") var subsystem: String
    @Argument(help: "on or off.") var state = "on"

    func validate() throws {
        guard ["on", "off"].contains(state) else { throw ValidationError("expected on or off") }
    }

    func run() throws { try control.perform(.trace(subsystem: subsystem, enabled: state == "on")) }
}

/// A number without a needless fraction.
func format(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.2f", value)
}

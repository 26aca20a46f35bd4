import LibPQ
import Logging
import RapportProtocol

/// Turns one inbound frame into one reply: tokenize, look up the command, check the session may
/// run it, bind and type its arguments, run it, and map any error to an `ERR` line.
struct Dispatcher: Sendable {
    let table: CommandTable
    let commands: [String: Command]
    let context: ServerContext

    init(commands: [Command], context: ServerContext) {
        self.table = CommandTable(commands.map(\.spec))
        self.commands = Dictionary(uniqueKeysWithValues: commands.map { ($0.spec.name, $0) })
        self.context = context
    }

    var metrics: ServerMetrics { self.context.metrics }

    /// The reply to `frame`, its tag, and what the session does next. `watch` tells whether the
    /// client hung up meanwhile (counted as outcome `DISCONNECTED`, whatever the command answered).
    func handle(
        _ frame: InboundFrame,
        session: inout SessionState,
        connection: ConnectionInfo,
        watch: CommandWatch? = nil,
        logger: Logger
    ) async -> (tag: String?, reply: Reply, after: AfterReply) {
        let started = ContinuousClock.now
        let request: Request
        switch frame {
        case .invalid(let error):
            return (nil, .whole(Response(final: error.finalLine)), .proceed)
        case .line(let text, let payload):
            do {
                guard var parsed = try Tokenizer.parse(text) else { return (nil, .whole(.ok()), .proceed) }
                parsed.payload = payload
                request = parsed
            } catch {
                return (nil, .whole(Response(final: error.finalLine)), .proceed)
            }
        }

        let verb = request.verb.uppercased()
        let (reply, after) = await self.run(
            request,
            verb: verb,
            session: &session,
            connection: connection,
            logger: logger
        )
        // A streamed reply's page is already fetched: only writing it to the socket remains.
        let outcome: String =
            if watch?.isDisconnected == true {
                "DISCONNECTED"
            } else {
                switch reply {
                case .streamed: "OK"
                case .whole(let response):
                    switch response.final {
                    case .ok: "OK"
                    case .error(let code, _): code.rawValue
                    case .bye: "BYE"
                    }
                }
            }
        self.metrics.command(verb: verb, outcome: outcome, duration: ContinuousClock.now - started)
        return (request.tag, reply, after)
    }

    private func run(
        _ request: Request,
        verb: String,
        session: inout SessionState,
        connection: ConnectionInfo,
        logger: Logger
    ) async -> (Reply, AfterReply) {
        guard let command = self.commands[verb] else {
            return (
                .whole(
                    Response(final: .error(.badCommand, "unknown command \(request.verb); HELP lists the commands"))
                ),
                .proceed
            )
        }
        let required = command.spec.requiredRole
        if required > session.accessLevel {
            if session.user == nil {
                return (.whole(Response(final: .error(.authenticationRequired, "LOGIN first"))), .proceed)
            }
            return (.whole(Response(final: .error(.denied, "\(verb) needs the \(required.name) role"))), .proceed)
        }
        let arguments: BoundArguments
        do {
            arguments = try command.spec.bind(request)
        } catch {
            return (.whole(Response(final: error.finalLine)), .proceed)
        }
        var commandLogger = logger
        commandLogger[metadataKey: "command"] = "\(verb)"
        // The one place that chooses the database: a read of a session that has not written lately
        // goes to the standby when there is one and it has caught up (ReadRouting); the rest run on
        // the primary, and so does a standby read again when the standby could not be reached, was
        // busy, or cancelled it for a conflict with recovery (40001).
        var context = self.context
        if let reads = self.context.reads, let standby = self.context.standbyView,
            reads.useStandby(verb, lastWrite: session.lastWrite)
        {
            context = standby
        }
        defer { if self.context.reads != nil, !ReadRouting.servedByStandby(verb) { session.lastWrite = .now } }
        do {
            do {
                return try await command.handler(
                    Invocation(
                        request: request,
                        arguments: arguments,
                        connection: connection,
                        logger: commandLogger,
                        context: context
                    ),
                    &session
                )
            } catch let error as PGError
                where context !== self.context
                && (error.isConnectionFailure || error.kind == .poolBusy || error.isSerializationFailure)
            {
                commandLogger.debug("the standby failed a read; the primary answers", metadata: ["error": "\(error)"])
                return try await command.handler(
                    Invocation(
                        request: request,
                        arguments: arguments,
                        connection: connection,
                        logger: commandLogger,
                        context: self.context
                    ),
                    &session
                )
            }
        } catch {
            let (final, unexpected) = ErrorMapping.finalLine(for: error)
            if unexpected {
                commandLogger.error("command failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            return (.whole(Response(final: final)), .proceed)
        }
    }
}

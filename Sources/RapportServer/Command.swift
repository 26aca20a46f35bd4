import Logging
import RapportProtocol

/// What a handler gets: the bound arguments, the connection it serves and the server's shared
/// parts (so that a command is declared once, spec and handler together, with no factory).
struct Invocation: Sendable {
    var request: Request
    var arguments: BoundArguments
    var connection: ConnectionInfo
    var logger: Logger
    var context: ServerContext
}

/// What the session does after the reply.
enum AfterReply: Sendable {
    case proceed
    /// LOGIN succeeded: lift the login deadline.
    case authenticated
    /// QUIT: close the connection once the reply is written.
    case close
}

/// One protocol command: its declaration (arguments, role, help) and what it does.
struct Command: Sendable {
    typealias Handler = @Sendable (Invocation, inout SessionState) async throws -> (Response, AfterReply)
    typealias ReplyHandler = @Sendable (Invocation, inout SessionState) async throws -> (Reply, AfterReply)

    var spec: CommandSpec
    var handler: ReplyHandler

    init(_ spec: CommandSpec, _ handler: @escaping Handler) {
        self.spec = spec
        self.handler = { invocation, session in
            let (response, after) = try await handler(invocation, &session)
            return (.whole(response), after)
        }
    }

    /// A list command: its reply is a page streamed to the socket (`Paging`).
    init(_ spec: CommandSpec, list: @escaping @Sendable (Invocation, SessionState) async throws -> Reply) {
        self.spec = spec
        self.handler = { invocation, session in (try await list(invocation, session), .proceed) }
    }

    /// A handler that does not change the session or the connection.
    init(_ spec: CommandSpec, reply: @escaping @Sendable (Invocation, SessionState) async throws -> Response) {
        self.spec = spec
        self.handler = { invocation, session in (.whole(try await reply(invocation, session)), .proceed) }
    }
}

extension Response {
    static func ok(_ text: String = "", _ lines: [DataLine] = []) -> Response {
        Response(dataLines: lines, final: .ok(text))
    }
}

extension DataLine {
    /// A data line of named values, skipping nil ones.
    static func named(_ pairs: KeyValuePairs<String, String?>) -> DataLine {
        DataLine(tokens: pairs.compactMap { key, value in value.map { .named(key, $0) } })
    }
}

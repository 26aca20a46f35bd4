import Foundation
import RapportClient
import RapportProtocol

/// Connects and logs in, reporting failures on standard error; shared by one-shot commands and the shell.
struct SessionOpener {
    /// What ``open(onGreeting:)`` achieved.
    enum Outcome {
        /// Connected (and logged in, when a user is set).
        case opened(RapportConnection)
        /// Not connected; why has been printed.
        case failed(ExitStatus)
    }

    var settings: ConnectionSettings
    var timeout: Duration

    /// The connection, logged in when a user is set; or the exit status after printing why not.
    func open(onGreeting: (RapportConnection) -> Void = { _ in }) async -> Outcome {
        // A kept session ticket first: no password asked, no slow hash on the server.
        let ticket = self.settings.user.flatMap(self.keptTicket(for:))
        var secret: String?
        if ticket == nil {
            do {
                secret = try self.settings.user.map(self.secret(for:))
            } catch {
                StandardStream.error.write("rapport: \(error)\n")
                return .failed(.failure)
            }
        }
        let connection: RapportConnection
        do {
            connection = try await RapportConnection.connect(
                host: self.settings.host,
                port: self.settings.port,
                timeout: self.timeout
            )
        } catch {
            StandardStream.error.write("rapport: \(error)\n")
            return .failed(ExitStatus(error: error))
        }
        onGreeting(connection)
        if let user = self.settings.user {
            do {
                if let ticket {
                    do {
                        try await connection.login(user: user, ticket: ticket)
                        return .opened(connection)
                    } catch RapportClientError.server(.authenticationFailed, _) {
                        // Expired or revoked: forget it, log in with the password.
                        self.keep(nil, for: user)
                        secret = try self.secret(for: user)
                    }
                }
                let issued = try await connection.loginIssuingTicket(user: user, secret: secret ?? "")
                if let issued { self.keep(issued, for: user) }
            } catch {
                StandardStream.error.write("rapport: login as \(user) failed: \(error)\n")
                await connection.close()
                return .failed(ExitStatus(error: error))
            }
        }
        return .opened(connection)
    }

    /// The ticket kept in the ticket file for `user` on this server.
    private func keptTicket(for user: String) -> SessionTicket? {
        guard let path = TicketFile.path(environment: ProcessInfo.processInfo.environment) else { return nil }
        switch TicketFile.lookup(path: path, host: self.settings.host, port: self.settings.port, user: user) {
        case .found(let ticket): return ticket
        case .refused(let warning):
            StandardStream.error.write("rapport: warning: \(warning)\n")
            return nil
        case .none: return nil
        }
    }

    /// Keeps `ticket` in the ticket file (nil: forgets the one kept).
    private func keep(_ ticket: SessionTicket?, for user: String) {
        guard let path = TicketFile.path(environment: ProcessInfo.processInfo.environment) else { return }
        let host = self.settings.host
        if let warning = TicketFile.store(ticket, path: path, host: host, port: self.settings.port, user: user) {
            StandardStream.error.write("rapport: warning: \(warning)\n")
        }
    }

    /// The secret from `RAPPORT_PASSWORD`, else the password file (`RAPPORT_PASSFILE` or `~/.rapportpass`, used
    /// only when private to its owner), else asked for on the terminal.
    private func secret(for user: String) throws(UsageError) -> String {
        let environment = ProcessInfo.processInfo.environment
        if let secret = environment["RAPPORT_PASSWORD"], !secret.isEmpty { return secret }
        if let path = PassFile.path(environment: environment) {
            switch PassFile.lookup(path: path, host: self.settings.host, port: self.settings.port, user: user) {
            case .found(let secret): return secret
            case .refused(let warning): StandardStream.error.write("rapport: warning: \(warning)\n")
            case .none: break
            }
        }
        let host = self.settings.host.contains(":") ? "[\(self.settings.host)]" : self.settings.host
        return try SecretPrompt.ask(prompt: "Password for \(user)@\(host):\(self.settings.port): ")
    }
}

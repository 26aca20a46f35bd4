import Foundation
import RapportClient

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
        let secret: String?
        do {
            secret = try self.settings.user.map(self.secret(for:))
        } catch {
            StandardStream.error.write("rapport: \(error)\n")
            return .failed(.failure)
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
        if let user = self.settings.user, let secret {
            do {
                try await connection.login(user: user, secret: secret)
            } catch {
                StandardStream.error.write("rapport: login as \(user) failed: \(error)\n")
                await connection.close()
                return .failed(ExitStatus(error: error))
            }
        }
        return .opened(connection)
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

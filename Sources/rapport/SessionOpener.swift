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

    /// The secret from `RAPPORT_PASSWORD`, or asked for on the terminal.
    private func secret(for user: String) throws(UsageError) -> String {
        if let secret = ProcessInfo.processInfo.environment["RAPPORT_PASSWORD"], !secret.isEmpty {
            return secret
        }
        return try SecretPrompt.ask(prompt: "Secret for \(self.settings.url): ")
    }
}

import RapportModel
import RapportProtocol
import RapportStore

/// What a session knows between commands: who is logged in.
struct SessionState: Sendable {
    var user: UserRecord?
    /// When the session's last command that may have written ended (read routing: `ReadRouting`).
    var lastWrite: ContinuousClock.Instant?
    /// The SHA-256 (hex) of the ticket this session logged in with or was given, which a plain
    /// LOGOUT revokes.
    var ticketHash: String?

    /// The access level of the session: anyone before LOGIN, the user's role after it.
    var accessLevel: AccessLevel {
        guard let role = self.user?.role else { return .anyone }
        switch role {
        case .salesperson: return .salesperson
        case .manager: return .manager
        case .administrator: return .administrator
        }
    }

    /// The logged-in user as the store sees them (only for commands that need a login).
    var actingUser: ActingUser {
        let user = self.user!
        return ActingUser(userID: user.userID, role: user.role, salespersonCode: user.salespersonCode)
    }
}

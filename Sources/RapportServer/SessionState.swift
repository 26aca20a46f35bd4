import RapportModel
import RapportProtocol
import RapportStore

/// What a session knows between commands: who is logged in.
struct SessionState: Sendable {
    var user: UserRecord?

    /// The access level of the session: anyone before LOGIN, the user's role after it.
    var accessLevel: AccessLevel {
        guard let role = self.user?.role else { return .anyone }
        switch role {
        case .salesperson: return .salesperson
        case .manager: return .manager
        case .administrator: return .administrator
        }
    }
}

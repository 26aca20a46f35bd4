import RapportModel

/// The logged-in user as the store sees them when a rule depends on whose data it is.
public struct ActingUser: Sendable, Equatable {
    public var userID: String
    public var role: UserRole
    public var salespersonCode: String?

    public init(userID: String, role: UserRole, salespersonCode: String?) {
        self.userID = userID
        self.role = role
        self.salespersonCode = salespersonCode
    }
}

/// The role allows the operation in general, but not on this data (a salesperson acting on another
/// salesperson's entries or segments). The server answers `ERR DENIED`.
public struct AccessDenied: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { self.message }
}

import RapportProtocol

/// Every command of the protocol, declared once: arguments, required role, help and example.
/// `HELP` is generated from this table, and a test checks that `docs/PROTOCOL.md` shows it.
enum CommandSpecs {
    static let all: [CommandSpec] =
        session + users + MasterDataCommands.specs + InteractionCommands.specs + SegmentCommands.specs
        + OpportunityTaskCommands.specs

    static var session: [CommandSpec] { SessionCommands.specs }
    static var users: [CommandSpec] { UserCommands.specs }
}

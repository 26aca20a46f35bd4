import RapportProtocol

/// Interactions: create for one contact, postpone and resume, the interaction log, document
/// logging, statistics.
enum InteractionCommands {
    static let specs: [CommandSpec] = []

    static func make(_ context: ServerContext) -> [Command] {
        []
    }
}

import RapportProtocol

/// Interactions: create for one contact, postpone and resume, the interaction log, document
/// logging, statistics.
enum InteractionCommands {
    static let all: [Command] =
        CreateInteractionCommands.all + PostponedCommands.all + InteractionLogCommands.all
        + DocumentLoggingCommands.all + StatisticsCommands.all

    static var specs: [CommandSpec] { Self.all.map(\.spec) }

    static func make(_ context: ServerContext) -> [Command] { Self.all }
}

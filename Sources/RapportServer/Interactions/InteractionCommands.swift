import RapportProtocol

/// Interactions: create for one contact, postpone and resume, the interaction log, document
/// logging, statistics.
enum InteractionCommands {
    static let specs: [CommandSpec] =
        CreateInteractionCommands.specs + PostponedCommands.specs + InteractionLogCommands.specs
        + DocumentLoggingCommands.specs + StatisticsCommands.specs

    static func make(_ context: ServerContext) -> [Command] {
        CreateInteractionCommands.make(context) + PostponedCommands.make(context)
            + InteractionLogCommands.make(context) + DocumentLoggingCommands.make(context)
            + StatisticsCommands.make(context)
    }
}

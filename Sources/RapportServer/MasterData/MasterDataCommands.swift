import RapportProtocol

/// Master data: salespeople, contacts, languages, interaction groups and templates, template
/// languages and attachments, the interaction template setup, campaigns, marketing setup.
enum MasterDataCommands {
    static let specs: [CommandSpec] = []

    static func make(_ context: ServerContext) -> [Command] {
        []
    }
}

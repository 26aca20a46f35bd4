import RapportProtocol

/// Master data: salespeople, contacts, languages, interaction groups and templates, template
/// languages and attachments, the interaction template setup, campaigns, marketing setup.
enum MasterDataCommands {
    static let specs: [CommandSpec] =
        SalespersonCommands.specs + ContactCommands.specs + AltAddressCommands.specs + [ContactImportCommand.spec]
        + LanguageCommands.specs
        + GroupCommands.specs + TemplateCommands.specs + TemplateLanguageCommands.specs + AttachmentCommands.specs
        + TemplateSetupCommands.specs + CampaignCommands.specs + CampaignEntryCommands.specs
        + CampaignTargetCommands.specs + RelationCommands.specs + MarketingSetupCommands.specs

    static func make(_ context: ServerContext) -> [Command] {
        SalespersonCommands.make(context) + ContactCommands.make(context) + AltAddressCommands.make(context)
            + [ContactImportCommand.make(context)]
            + LanguageCommands.make(context) + GroupCommands.make(context) + TemplateCommands.make(context)
            + TemplateLanguageCommands.make(context) + AttachmentCommands.make(context)
            + TemplateSetupCommands.make(context) + CampaignCommands.make(context) + CampaignEntryCommands.make(context)
            + CampaignTargetCommands.make(context) + RelationCommands.make(context)
            + MarketingSetupCommands.make(context)
    }
}

import LibPQ
import RapportModel

/// Interaction templates, inside the caller's transaction, with the validations of reference
/// §3.1 R2–R5 (the rules themselves are ``TemplateRules``).
public enum TemplateStore {
    /// Creates a template. `template` holds the plain fields (correspondence type defaults to
    /// email); `content` the default language, wizard action and Word template, applied by R3–R5.
    public static func create(
        _ connection: PGConnection,
        _ template: InteractionTemplate,
        content: TemplateContentChange
    ) throws -> InteractionTemplate {
        try Self.checkFields(connection, template)
        let plan = try Self.rule {
            try TemplateRules.plan(TemplateContent(code: template.code), rows: [], change: content)
        }
        var template = template
        template.languageCodeDefault = plan.result.languageCodeDefault
        template.wizardAction = plan.result.wizardAction
        template.wordTemplateCode = plan.result.wordTemplateCode
        try MasterDataLookup.inserting("Interaction Template \(template.code) already exists") {
            try connection.execute(
                """
                INSERT INTO interaction_templates
                    (code, interaction_group_code, description, unit_cost, unit_duration, information_flow,
                     initiated_by, campaign_no, campaign_target, campaign_response, correspondence_type,
                     language_code_default, wizard_action, ignore_contact_corres_type, word_template_code)
                VALUES (\(template.code), \(template.groupCode), \(template.description),
                        \(template.unitCost), \(template.unitDuration),
                        \(template.informationFlow?.rawValue), \(template.initiatedBy?.rawValue),
                        \(template.campaignNo), \(template.campaignTarget), \(template.campaignResponse),
                        \(template.correspondenceType?.rawValue), \(template.languageCodeDefault),
                        \(template.wizardAction?.rawValue), \(template.ignoreContactCorresType),
                        \(template.wordTemplateCode))
                """
            )
        }
        try Self.applyRows(connection, plan, description: template.description)
        return try Self.require(connection, template.code)
    }

    /// Changes a template: plain fields as given, content fields through R3–R5.
    public static func update(_ connection: PGConnection, _ code: String, _ changes: TemplateChanges) throws
        -> InteractionTemplate
    {
        let rows = try connection.query(
            """
            SELECT \(unescaped: InteractionTemplate.columns) FROM interaction_templates t
            WHERE t.code = \(code) FOR UPDATE OF t
            """
        )
        guard let row = rows.first else { throw StoreError.notFound("Interaction Template \(code) does not exist") }
        var template = try InteractionTemplate(row: row)
        if let value = changes.groupCode { template.groupCode = value }
        if let value = changes.description { template.description = value }
        if let value = changes.unitCost { template.unitCost = value }
        if let value = changes.unitDuration { template.unitDuration = value }
        if let value = changes.informationFlow { template.informationFlow = value }
        if let value = changes.initiatedBy { template.initiatedBy = value }
        if let value = changes.campaignNo { template.campaignNo = value }
        if let value = changes.campaignTarget { template.campaignTarget = value }
        if let value = changes.campaignResponse { template.campaignResponse = value }
        if let value = changes.correspondenceType { template.correspondenceType = value }
        if let value = changes.ignoreContactCorresType { template.ignoreContactCorresType = value }
        try Self.checkFields(connection, template)
        if !changes.content.isEmpty {
            let facts = try TemplateLanguageStore.facts(connection, template: code)
            let plan = try Self.rule { try TemplateRules.plan(template.content, rows: facts, change: changes.content) }
            template.languageCodeDefault = plan.result.languageCodeDefault
            template.wizardAction = plan.result.wizardAction
            template.wordTemplateCode = plan.result.wordTemplateCode
            try Self.applyRows(connection, plan, description: template.description)
        }
        try connection.execute(
            """
            UPDATE interaction_templates
            SET interaction_group_code = \(template.groupCode), description = \(template.description),
                unit_cost = \(template.unitCost), unit_duration = \(template.unitDuration),
                information_flow = \(template.informationFlow?.rawValue),
                initiated_by = \(template.initiatedBy?.rawValue),
                campaign_no = \(template.campaignNo), campaign_target = \(template.campaignTarget),
                campaign_response = \(template.campaignResponse),
                correspondence_type = \(template.correspondenceType?.rawValue),
                language_code_default = \(template.languageCodeDefault),
                wizard_action = \(template.wizardAction?.rawValue),
                ignore_contact_corres_type = \(template.ignoreContactCorresType),
                word_template_code = \(template.wordTemplateCode)
            WHERE code = \(code)
            """
        )
        return try Self.require(connection, code)
    }

    public static func get(_ connection: PGConnection, _ code: String) throws -> InteractionTemplate? {
        try connection.query(
            "SELECT \(unescaped: InteractionTemplate.columns) FROM interaction_templates t WHERE t.code = \(code)"
        ).first.map(InteractionTemplate.init(row:))
    }

    public static func require(_ connection: PGConnection, _ code: String) throws -> InteractionTemplate {
        guard let template = try Self.get(connection, code) else {
            throw StoreError.notFound("Interaction Template \(code) does not exist")
        }
        return template
    }

    /// Templates in code order, optionally of one group.
    /// A keyset page after `after` of at most `limit` (nil: all).
    /// How many templates `list` pages through (optionally of one group).
    public static func count(_ connection: PGConnection, group: String? = nil) throws -> Int {
        try MasterDataLookup.count(
            connection,
            """
            SELECT count(*) FROM interaction_templates
            WHERE \(group)::text IS NULL OR interaction_group_code = \(group)
            """
        )
    }

    public static func list(
        _ connection: PGConnection,
        group: String? = nil,
        after: String? = nil,
        limit: Int? = nil
    ) throws -> [InteractionTemplate] {
        try connection.query(
            """
            SELECT \(unescaped: InteractionTemplate.columns) FROM interaction_templates t
            WHERE (\(group)::text IS NULL OR t.interaction_group_code = \(group))
              AND (\(after)::text IS NULL OR t.code > \(after))
            ORDER BY t.code LIMIT \(limit)
            """
        ).map(InteractionTemplate.init(row:))
    }

    /// Deletes a template with its language rows and their attachments; refused while log
    /// entries, segments or the template setup use it (FK RESTRICT; docs/DECISIONS.md).
    public static func delete(_ connection: PGConnection, _ code: String) throws {
        let usage = try connection.query(
            """
            SELECT EXISTS (SELECT 1 FROM interaction_templates WHERE code = \(code)),
                   EXISTS (SELECT 1 FROM interaction_log_entries WHERE interaction_template_code = \(code)),
                   (SELECT string_agg(event, ', ' ORDER BY event) FROM interaction_template_setup
                    WHERE template_code = \(code))
            """
        )[0]
        guard try usage.decode(Bool.self, at: 0) else {
            throw StoreError.notFound("Interaction Template \(code) does not exist")
        }
        if try usage.decode(Bool.self, at: 1) {
            throw StoreError.conflict(
                "Interaction Template \(code) cannot be deleted because interaction log entries use it"
            )
        }
        if let events = try usage.decode(String?.self, at: 2) {
            throw StoreError.conflict(
                "Interaction Template \(code) cannot be deleted because the Interaction Template Setup uses it "
                    + "(\(events))"
            )
        }
        try MasterDataLookup.deleting("Interaction Template \(code) cannot be deleted because segments use it") {
            try connection.execute("DELETE FROM interaction_templates WHERE code = \(code)")
        }
    }

    /// R2: group given and existing, cost and duration ≥ 0; the campaign exists.
    private static func checkFields(_ connection: PGConnection, _ template: InteractionTemplate) throws {
        try Self.rule {
            try TemplateRules.checkGroupGiven(template.groupCode, template: template.code)
            try TemplateRules.checkNotNegative(template.unitCost, field: "Unit Cost (LCY)")
            try TemplateRules.checkNotNegative(template.unitDuration, field: "Unit Duration (Min.)")
        }
        let group = template.groupCode
        if try !MasterDataLookup.exists(connection, "SELECT 1 FROM interaction_groups WHERE code = \(group)") {
            throw StoreError.invalid(TemplateRules.Problem.groupNotFound(group: group).withFix)
        }
        try MasterDataLookup.require(
            connection,
            template.campaignNo,
            in: "campaigns",
            column: "no",
            "Campaign \(template.campaignNo ?? "") does not exist"
        )
    }

    /// The row changes of a plan: create the default-language row, remove its attachment, write
    /// its Word template.
    private static func applyRows(_ connection: PGConnection, _ plan: TemplateContentPlan, description: String?) throws
    {
        let template = plan.result.code
        let language = plan.result.languageCodeDefault
        if plan.createDefaultRow {
            _ = try TemplateLanguageStore.add(
                connection,
                TemplateLanguage(templateCode: template, languageCode: language, description: description)
            )
        }
        if plan.removeDefaultAttachment {
            try AttachmentStore.remove(connection, template: template, language: language)
        }
        if let wordTemplate = plan.defaultRowWordTemplate {
            try connection.execute(
                """
                UPDATE interaction_template_languages SET word_template_code = \(wordTemplate)
                WHERE template_code = \(template) AND language_code IS NOT DISTINCT FROM \(language)
                """
            )
        }
    }

    /// Runs a template rule, turning its refusal into a store refusal.
    private static func rule<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let problem as TemplateRules.Problem {
            throw StoreError.invalid(problem.withFix)
        }
    }
}

import LibPQ
import RapportModel

/// The interaction template setup (reference §1.5): which template each event logs.
public enum TemplateSetupStore {
    /// Sets the template of `event` (nil clears it: the event is then not logged), after the
    /// checks of R7 (``TemplateSetupRules``).
    public static func set(_ connection: PGConnection, event: TemplateSetupEvent, template: String?) throws {
        guard let template else {
            try connection.execute("DELETE FROM interaction_template_setup WHERE event = \(event.rawValue)")
            return
        }
        // Languages or attachments added to the template later are caught where it is used: document
        // logging refuses templates with languages (R7), as the reference does at logging time.
        let found = try connection.query("SELECT 1 FROM interaction_templates WHERE code = \(template)")
        guard !found.isEmpty else { throw StoreError.notFound("Interaction Template \(template) does not exist") }
        let rows = try TemplateLanguageStore.facts(connection, template: template)
        do {
            try TemplateSetupRules.check(event: event, template: template, rows: rows)
        } catch {
            throw StoreError.invalid(error.description)
        }
        try connection.execute(
            """
            INSERT INTO interaction_template_setup (event, template_code) VALUES (\(event.rawValue), \(template))
            ON CONFLICT (event) DO UPDATE SET template_code = EXCLUDED.template_code
            """
        )
    }

    /// Every event with its template (nil = blank), in the order of ``TemplateSetupEvent/allCases``.
    public static func list(_ connection: PGConnection) throws -> [(event: TemplateSetupEvent, template: String?)] {
        var templates: [String: String] = [:]
        for row in try connection.query("SELECT event, template_code FROM interaction_template_setup") {
            templates[try row.decode(String.self, at: 0)] = try row.decode(String.self, at: 1)
        }
        return TemplateSetupEvent.allCases.map { ($0, templates[$0.rawValue]) }
    }
}

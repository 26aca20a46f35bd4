import RapportProtocol

/// Lays out a `HELP` reply for people, wrapped to a width: the index as `NAME  role  summary` with the summaries
/// wrapped under themselves; one command's detail as sections (usage, arguments, results, help, examples).
public enum HelpFormatter {
    /// The text for the data lines of a HELP reply, or nil when they are neither an index nor a detail.
    public static func render(_ dataLines: [DataLine], width: Int) -> String? {
        let width = max(width, 40)
        let isDetail =
            dataLines.first.map { line in
                if case .positional("usage")? = line.tokens.first { return true }
                return false
            } ?? false
        if isDetail { return Self.detail(CommandHelp(dataLines: dataLines), width: width) }
        let entries = CommandIndexEntry.entries(dataLines)
        guard !entries.isEmpty, entries.count == dataLines.count else { return nil }
        return Self.index(entries, width: width)
    }

    static func index(_ entries: [CommandIndexEntry], width: Int) -> String {
        let nameWidth = entries.map { DisplayWidth.of($0.name) }.max() ?? 0
        let roleWidth = entries.map { DisplayWidth.of($0.role) }.max() ?? 0
        let indent = nameWidth + 2 + roleWidth + 2
        var text = ""
        for entry in entries {
            let head =
                entry.name + String(repeating: " ", count: nameWidth - DisplayWidth.of(entry.name) + 2) + entry.role
                + String(repeating: " ", count: roleWidth - DisplayWidth.of(entry.role) + 2)
            if indent + 20 > width {
                text += entry.name + "  " + entry.role + "\n"
                text += TextWrap.wrap(entry.summary, width: width, indent: 4, indentFirst: true).joined(separator: "\n")
                text += "\n"
                continue
            }
            var lines = TextWrap.wrap(entry.summary, width: width - indent)
            lines[0] = head + lines[0]
            for index in lines.indices.dropFirst() {
                lines[index] = String(repeating: " ", count: indent) + lines[index]
            }
            text += lines.map { Self.trimmed($0) }.joined(separator: "\n") + "\n"
        }
        return text
    }

    static func detail(_ help: CommandHelp, width: Int) -> String {
        var text = ""
        let wrap = { (line: String, indent: Int) -> String in
            TextWrap.wrap(line, width: width, indent: indent, indentFirst: true).map(Self.trimmed).joined(
                separator: "\n"
            )
                + "\n"
        }
        text += wrap(help.usage, 0)
        if !help.summary.isEmpty { text += wrap(help.summary, 2) }
        text += "  Role: \(help.role)\n"
        if !help.arguments.isEmpty {
            text += "Arguments:\n"
            for argument in help.arguments {
                let necessity = argument.required ? "required" : "optional"
                text += wrap("\(argument.name) (\(necessity); \(argument.type))", 2)
                if !argument.help.isEmpty { text += wrap(argument.help, 6) }
            }
        }
        if !help.results.isEmpty {
            text += "Results:\n"
            text += wrap(help.results.map { "\($0.name) (\($0.type.rawValue))" }.joined(separator: ", "), 2)
        }
        if !help.help.isEmpty {
            text += "Help:\n"
            for line in help.help { text += line.isEmpty ? "\n" : wrap(line, 2) }
        }
        if !help.examples.isEmpty {
            text += "Example:\n"
            // Examples are protocol lines: not wrapped, so they can be copied.
            for example in help.examples { text += "  " + example + "\n" }
        }
        return text
    }

    private static func trimmed(_ line: String) -> String {
        var line = line
        while line.hasSuffix(" ") { line.removeLast() }
        return line
    }
}

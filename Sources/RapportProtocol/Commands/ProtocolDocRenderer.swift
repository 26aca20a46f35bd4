/// Renders the command reference of `docs/PROTOCOL.md` from the command declarations.
///
/// The output depends only on the declarations, in their order, so a test can compare it with the committed file.
public enum ProtocolDocRenderer {
    /// A summary table of all commands followed by one section per command.
    public static func markdownTable(_ specs: [CommandSpec]) -> String {
        var out: [String] = [
            "| Command | Role | Summary |",
            "| --- | --- | --- |",
        ]
        for spec in specs {
            let link = "[`\(spec.name)`](#\(Self.anchor(spec.name)))"
            out.append("| \(link) | \(spec.requiredRole.name) | \(Self.cell(spec.summary)) |")
        }
        for spec in specs {
            out += [""] + Self.section(spec)
        }
        return out.joined(separator: "\n") + "\n"
    }

    private static func section(_ spec: CommandSpec) -> [String] {
        var out = ["### \(spec.name)", "", "`\(spec.synopsis)`", "", spec.summary]
        out += ["", "Role: \(spec.requiredRole.name)."]
        let help = HelpRenderer.lines(of: spec.help)
        if !help.isEmpty { out += [""] + help }
        if !spec.arguments.isEmpty {
            out += ["", "| Argument | Kind | Required | Type | Description |", "| --- | --- | --- | --- | --- |"]
            for argument in spec.arguments {
                let kind = argument.kind == .positional ? "positional" : "named"
                let required = argument.required ? "yes" : "no"
                let type = Self.cell(argument.valueType.summary)
                out.append("| `\(argument.name)` | \(kind) | \(required) | \(type) | \(Self.cell(argument.help)) |")
            }
        }
        if !spec.example.isEmpty {
            out += ["", "Example:", "", "```"] + spec.example + ["```"]
        }
        return out
    }

    /// The GitHub heading anchor of a command name.
    private static func anchor(_ name: String) -> String {
        String(name.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
    }

    /// Text made safe for one table cell.
    private static func cell(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "|": result += "\\|"
            case "\n", "\r\n", "\r": result += " "
            default: result.append(character)
            }
        }
        return result
    }
}

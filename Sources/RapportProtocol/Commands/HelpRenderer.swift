/// Builds the data lines that HELP sends; the server adds the final `OK`.
public enum HelpRenderer {
    /// One line per command: `* NAME role=ROLE "summary"`.
    public static func helpIndex(_ specs: [CommandSpec]) -> [DataLine] {
        specs.map { spec in
            let role = Argument.named("role", spec.requiredRole.name)
            return DataLine(tokens: [.positional(spec.name), role, .positional(spec.summary)])
        }
    }

    /// The detail of one command, one fact per line, first word saying which:
    ///
    ///     * usage "LOG <template> [contact=<code>]"
    ///     * summary "Log an interaction."
    ///     * role salesperson
    ///     * argument template required "code, at most 10 characters" "The interaction template."
    ///     * result no code      (one line per key of the data lines, in order)
    ///     * help "…"            (one line per line of the help text)
    ///     * example "LOG CALL C0001"
    public static func helpText(for spec: CommandSpec) -> [DataLine] {
        var lines: [DataLine] = [
            DataLine("usage", spec.synopsis),
            DataLine("summary", spec.summary),
            DataLine("role", spec.requiredRole.name),
        ]
        for argument in spec.arguments {
            let necessity = argument.required ? "required" : "optional"
            lines.append(DataLine("argument", argument.name, necessity, argument.valueType.summary, argument.help))
        }
        for column in spec.results { lines.append(DataLine("result", column.name, column.type.rawValue)) }
        for line in Self.lines(of: spec.help) { lines.append(DataLine("help", line)) }
        for example in spec.example { lines.append(DataLine("example", example)) }
        return lines
    }

    /// The lines of a multi-line text, without trailing empty ones.
    static func lines(of text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }
}

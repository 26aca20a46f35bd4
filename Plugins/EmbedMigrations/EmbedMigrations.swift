import Foundation
import PackagePlugin

/// Embeds the package's top-level `sql/` migrations into the target as Swift source.
@main
struct EmbedMigrations: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let sqlDirectory = context.package.directoryURL.appending(path: "sql")
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: sqlDirectory.path())
        } catch {
            Diagnostics.warning("cannot list \(sqlDirectory.path()): \(error)")
            names = []
        }
        let inputs = names.filter { $0.hasSuffix(".sql") }.sorted().map { sqlDirectory.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedMigrations.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(inputs.count) SQL migrations",
                executable: try context.tool(named: "SQLEmbedder").url,
                arguments: [output.path()] + inputs.map { $0.path() },
                // The folder too: a new migration file changes it, so the command runs again.
                inputFiles: [sqlDirectory] + inputs,
                outputFiles: [output]
            )
        ]
    }
}

import Foundation

/// `rapport-bench segment-log [--contacts N] [--rounds R]`: QUALITY.md P3;
/// `rapport-bench interaction-log [--sessions N] [--seconds S]`: QUALITY.md P1/P2;
/// `rapport-bench import [--rows N] [--rounds R]`: QUALITY.md P7 (see BENCHMARKS.md).
let usage = """
    usage: rapport-bench segment-log [--contacts N] [--rounds R]
           rapport-bench interaction-log [--sessions N] [--seconds S]
           rapport-bench import [--rows N] [--rounds R]
    """

func refuse() -> Never {
    FileHandle.standardError.write(Data((usage + "\n").utf8))
    exit(2)
}

/// The `--name N` pairs after the benchmark's name (positive integers, only the `allowed` names);
/// anything else prints the usage.
func options(_ arguments: ArraySlice<String>, allowed: Set<String>) -> [String: Int] {
    var options: [String: Int] = [:]
    var rest = arguments
    while let name = rest.popFirst() {
        guard allowed.contains(name), let value = rest.popFirst().flatMap(Int.init), value > 0 else { refuse() }
        options[name] = value
    }
    return options
}

func run(_ body: () async throws -> Void) async -> Never {
    do {
        try await body()
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("rapport-bench: \(error)\n".utf8))
        exit(1)
    }
}

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "import":
    let given = options(arguments.dropFirst(), allowed: ["--rows", "--rounds"])
    let benchmark = ImportBenchmark(rows: given["--rows"] ?? 1_000_000, rounds: given["--rounds"] ?? 3)
    await run { try await benchmark.run() }
case "interaction-log":
    let given = options(arguments.dropFirst(), allowed: ["--sessions", "--seconds"])
    let benchmark = InteractionLogBenchmark(sessions: given["--sessions"] ?? 32, seconds: given["--seconds"] ?? 20)
    await run { try await benchmark.run() }
case "segment-log":
    let given = options(arguments.dropFirst(), allowed: ["--contacts", "--rounds"])
    let benchmark = SegmentLogBenchmark(contacts: given["--contacts"] ?? 100_000, rounds: given["--rounds"] ?? 3)
    await run { try await benchmark.run() }
default:
    refuse()
}

import Foundation

/// `rapport-bench segment-log [--contacts N] [--rounds R]`: QUALITY.md P3;
/// `rapport-bench interaction-log [--sessions N,N,…] [--rounds R] [--seconds S] [--hot-sessions N]`: QUALITY.md P1/P2
/// (with `RAPPORT_BENCH_FLOOR=scripts/bench/interaction-create-floor.sql`, also PostgreSQL alone running the
/// command's statements);
/// `rapport-bench import [--rows N] [--rounds R]`: QUALITY.md P7;
/// `rapport-bench scale [--entries N] [--contacts N] [--requests N]`: QUALITY.md P4/P5 (see BENCHMARKS.md);
/// `rapport-bench delivery [--messages N] [--connections N] [--rounds R] [--batch N]`: issue 15 (beside smtp-source).
let usage = """
    usage: rapport-bench segment-log [--contacts N] [--rounds R]
           [RAPPORT_BENCH_FLOOR=FILE] rapport-bench interaction-log [--sessions N,N,...] [--rounds R] [--seconds S] [--hot-sessions N]
           rapport-bench import [--rows N] [--rounds R]
           rapport-bench scale [--entries N] [--contacts N] [--requests N]
           rapport-bench delivery [--messages N] [--connections N] [--rounds R] [--batch N]
    """

func refuse() -> Never {
    FileHandle.standardError.write(Data((usage + "\n").utf8))
    exit(2)
}

/// The `--name N` pairs after the benchmark's name (positive integers, only the `allowed` names; the
/// names in `lists` take comma-separated positive integers, `N,N,…`); anything else prints the usage.
func options(_ arguments: ArraySlice<String>, allowed: Set<String>, lists: Set<String> = []) -> [String: [Int]] {
    var options: [String: [Int]] = [:]
    var rest = arguments
    while let name = rest.popFirst() {
        guard allowed.contains(name) || lists.contains(name), let text = rest.popFirst() else { refuse() }
        let values = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) ?? 0 }
        guard values.allSatisfy({ $0 > 0 }), values.count == 1 || lists.contains(name) else { refuse() }
        options[name] = values
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
    let benchmark = ImportBenchmark(rows: given["--rows"]?[0] ?? 1_000_000, rounds: given["--rounds"]?[0] ?? 3)
    await run { try await benchmark.run() }
case "interaction-log":
    let given = options(
        arguments.dropFirst(),
        allowed: ["--rounds", "--seconds", "--hot-sessions"],
        lists: ["--sessions"]
    )
    let benchmark = InteractionLogBenchmark(
        sessions: given["--sessions"] ?? [1, 8, 32],
        hotSessions: given["--hot-sessions"]?[0] ?? 32,
        rounds: given["--rounds"]?[0] ?? 3,
        seconds: given["--seconds"]?[0] ?? 10
    )
    await run { try await benchmark.run() }
case "segment-log":
    let given = options(arguments.dropFirst(), allowed: ["--contacts", "--rounds"])
    let benchmark = SegmentLogBenchmark(
        contacts: given["--contacts"]?[0] ?? 100_000,
        rounds: given["--rounds"]?[0] ?? 3
    )
    await run { try await benchmark.run() }
case "scale":
    let given = options(arguments.dropFirst(), allowed: ["--entries", "--contacts", "--requests"])
    let benchmark = ScaleBenchmark(
        entries: given["--entries"]?[0] ?? 10_000_000,
        contacts: given["--contacts"]?[0] ?? 200_000,
        requests: given["--requests"]?[0] ?? 500
    )
    await run { try await benchmark.run() }
case "delivery":
    let given = options(arguments.dropFirst(), allowed: ["--messages", "--connections", "--rounds", "--batch"])
    let benchmark = DeliveryBenchmark(
        messages: given["--messages"]?[0] ?? 10_000,
        connections: given["--connections"]?[0] ?? 4,
        rounds: given["--rounds"]?[0] ?? 5,
        batch: given["--batch"]?[0] ?? 100
    )
    await run { try await benchmark.run() }
default:
    refuse()
}

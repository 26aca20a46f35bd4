import Foundation

/// `rapport-bench segment-log [--contacts N] [--rounds R]`: QUALITY.md P3;
/// `rapport-bench interaction-log [--sessions N] [--seconds S]`: QUALITY.md P1/P2;
/// `rapport-bench import [--rows N] [--rounds R]`: QUALITY.md P7 (see BENCHMARKS.md).
let usage = """
    usage: rapport-bench segment-log [--contacts N] [--rounds R]
           rapport-bench interaction-log [--sessions N] [--seconds S]
           rapport-bench import [--rows N] [--rounds R]
    """
var arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "import" {
    arguments.removeFirst()
    var benchmark = ImportBenchmark(rows: 1_000_000, rounds: 3)
    while arguments.count >= 2, let value = Int(arguments[1]), value > 0 {
        switch arguments[0] {
        case "--rows": benchmark.rows = value
        case "--rounds": benchmark.rounds = value
        default: break
        }
        arguments.removeFirst(2)
    }
    guard arguments.isEmpty else {
        FileHandle.standardError.write(Data((usage + "\n").utf8))
        exit(2)
    }
    do {
        try await benchmark.run()
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("rapport-bench: \(error)\n".utf8))
        exit(1)
    }
}
if arguments.first == "interaction-log" {
    arguments.removeFirst()
    var benchmark = InteractionLogBenchmark(sessions: 32, seconds: 20)
    while arguments.count >= 2, let value = Int(arguments[1]), value > 0 {
        switch arguments[0] {
        case "--sessions": benchmark.sessions = value
        case "--seconds": benchmark.seconds = value
        default: break
        }
        arguments.removeFirst(2)
    }
    guard arguments.isEmpty else {
        FileHandle.standardError.write(Data((usage + "\n").utf8))
        exit(2)
    }
    do {
        try await benchmark.run()
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("rapport-bench: \(error)\n".utf8))
        exit(1)
    }
}
guard arguments.first == "segment-log" else {
    FileHandle.standardError.write(Data((usage + "\n").utf8))
    exit(2)
}
arguments.removeFirst()
var benchmark = SegmentLogBenchmark(contacts: 100_000, rounds: 3)
while !arguments.isEmpty {
    let option = arguments.removeFirst()
    guard let value = arguments.first.flatMap(Int.init), value > 0 else {
        FileHandle.standardError.write(Data((usage + "\n").utf8))
        exit(2)
    }
    arguments.removeFirst()
    switch option {
    case "--contacts": benchmark.contacts = value
    case "--rounds": benchmark.rounds = value
    default:
        FileHandle.standardError.write(Data((usage + "\n").utf8))
        exit(2)
    }
}
do {
    try await benchmark.run()
} catch {
    FileHandle.standardError.write(Data("rapport-bench: \(error)\n".utf8))
    exit(1)
}

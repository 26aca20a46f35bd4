import Foundation

/// `rapport-bench segment-log [--contacts N] [--rounds R]`: QUALITY.md P3 (see BENCHMARKS.md).
let usage = "usage: rapport-bench segment-log [--contacts N] [--rounds R]"
var arguments = Array(CommandLine.arguments.dropFirst())
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

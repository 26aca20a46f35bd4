import Testing

@testable import LibPQ

/// A group commit's deferred writes: the same `INSERT … VALUES (…)` of several commands becomes one
/// statement with a tuple each, parameters renumbered; anything else stays as it is.
@Suite("Merged deferred writes")
struct MergedStatementTests {
    @Test func theSameInsertBecomesOneStatementWithATupleEachAndTheOthersStay() {
        let first: PGQuery = "INSERT INTO t (a, b) VALUES (\(1), lower(\("X"))) ON CONFLICT DO NOTHING"
        let other: PGQuery = "UPDATE u SET c = \(5)"
        let second: PGQuery = "INSERT INTO t (a, b) VALUES (\(2), lower(\("Y"))) ON CONFLICT DO NOTHING"
        let third: PGQuery = "INSERT INTO t (a, b) VALUES (\(3), lower(\("Z"))) ON CONFLICT DO NOTHING"
        let merged = PGQuery.merged([first, other, second, third])
        #expect(
            merged.map(\.sql) == [
                "INSERT INTO t (a, b) VALUES ($1, lower($2)), ($3, lower($4)), ($5, lower($6)) ON CONFLICT DO NOTHING",
                "UPDATE u SET c = $1",
            ]
        )
        #expect(merged[0].binds == (first.binds + second.binds + third.binds))
        #expect(merged[1].binds == other.binds)
    }

    @Test func aStatementWithoutASingleValuesTupleIsNotMerged() {
        let select: PGQuery = "INSERT INTO t (a) SELECT \(1) WHERE 'VALUES (' <> ''"
        let twice: PGQuery = "INSERT INTO t (a) VALUES (\(1)) RETURNING (SELECT 1 FROM u WHERE x IN (VALUES (2)))"
        #expect(PGQuery.merged([select, select]).map(\.sql) == [select.sql, select.sql])
        #expect(PGQuery.merged([twice, twice]).count == 2)
    }

    @Test func renumberingShiftsEveryParameterAndLeavesTheRestAlone() {
        #expect(PGQuery.renumbered("($1, $10, '$', $2::int)", by: 10) == "($11, $20, '$', $12::int)")
        #expect(PGQuery.renumbered("($1)", by: 0) == "($1)")
    }

    @Test func aConnectionsCacheGivesTheSameTextAsComputingIt() {
        let key = PGQuery.MergedTextKey(text: "INSERT INTO t (a) VALUES ($1)", count: 3, parameters: 1)
        var asked: [PGQuery.MergedTextKey] = []
        let query: PGQuery = "INSERT INTO t (a) VALUES (\(7))"
        let merged = PGQuery.merged([query, query, query]) { key in
            asked.append(key)
            return PGQuery.mergedText(key)
        }
        #expect(asked == [key])
        #expect(merged.map(\.sql) == ["INSERT INTO t (a) VALUES ($1), ($2), ($3)"])
    }
}

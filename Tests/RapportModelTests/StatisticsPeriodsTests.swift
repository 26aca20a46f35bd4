import RapportModel
import RapportProtocol
import Testing

@Suite("Statistics periods: whole months from month rows, the ends from day rows")
struct StatisticsPeriodsTests {
    private func date(_ text: String) -> CalendarDate { CalendarDate(text)! }

    private func periods(_ from: String?, _ to: String?, monthly: Bool = true) -> [String] {
        let periods = StatisticsPeriods(from: from.map(self.date), to: to.map(self.date), monthly: monthly)
        return [periods.first, periods.monthsFrom, periods.monthsUntil, periods.last].map(\.sqlText)
    }

    @Test func openRangesReadEveryMonth() {
        #expect(self.periods(nil, nil) == ["-infinity", "-infinity", "infinity", "infinity"])
    }

    @Test func partialMonthsAtBothEndsComeFromDays() {
        // days 2024-03-15…2024-03-31, months April 2024…January 2025, days 2025-02-01…2025-02-10
        #expect(
            self.periods("2024-03-15", "2025-02-10")
                == ["2024-03-15", "2024-04-01", "2025-02-01", "2025-02-10"]
        )
    }

    @Test func wholeMonthsAtTheEndsAreReadAsMonths() {
        #expect(
            self.periods("2024-03-01", "2024-09-30") == ["2024-03-01", "2024-03-01", "2024-10-01", "2024-09-30"]
        )
        #expect(self.periods("2024-02-01", "2024-02-29") == ["2024-02-01", "2024-02-01", "2024-03-01", "2024-02-29"])
        #expect(self.periods("2023-12-01", "2023-12-31") == ["2023-12-01", "2023-12-01", "2024-01-01", "2023-12-31"])
    }

    @Test func aRangeWithinOneMonthReadsOnlyDays() {
        #expect(self.periods("2024-05-10", "2024-05-20") == ["2024-05-10", "2024-05-10", "2024-05-10", "2024-05-20"])
        #expect(self.periods("2024-02-28", "2024-02-28") == ["2024-02-28", "2024-02-28", "2024-02-28", "2024-02-28"])
    }

    @Test func keysKeptPerDayOnlyReadOnlyDays() {
        #expect(
            self.periods("2024-03-01", "2024-09-30", monthly: false)
                == ["2024-03-01", "2024-03-01", "2024-03-01", "2024-09-30"]
        )
        #expect(self.periods(nil, nil, monthly: false) == ["-infinity", "-infinity", "-infinity", "infinity"])
    }

    @Test func theLastMonthOfTheCalendarEndsOpen() {
        #expect(
            self.periods("9999-12-01", "9999-12-31") == ["9999-12-01", "9999-12-01", "infinity", "9999-12-31"]
        )
    }

    @Test func anInvertedRangeReadsNothing() {
        // months empty (monthsFrom == monthsUntil) and the day ranges empty because first > last
        #expect(self.periods("2025-03-01", "2024-03-01") == ["2025-03-01", "2025-03-01", "2025-03-01", "2024-03-01"])
    }
}

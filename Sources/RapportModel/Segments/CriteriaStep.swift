/// The options of a criteria step (reference 3.7 R1, R2).
public struct CriteriaOptions: Sendable, Equatable {
    /// Add: also add contacts that are already on a line.
    public var allowExisting = false
    /// Add: replace each contact that has a company by every contact of that company.
    public var expandCompanies = false
    /// Add: also add the company of each person found.
    public var allowRelatedCompanies = false
    /// Add: keep contacts flagged "Exclude from Segment".
    public var ignoreExclusion = false
    /// Reduce/refine: a match of any contact of a company counts for the whole company.
    public var entireCompanies = false

    public init(
        allowExisting: Bool = false,
        expandCompanies: Bool = false,
        allowRelatedCompanies: Bool = false,
        ignoreExclusion: Bool = false,
        entireCompanies: Bool = false
    ) {
        self.allowExisting = allowExisting
        self.expandCompanies = expandCompanies
        self.allowRelatedCompanies = allowRelatedCompanies
        self.ignoreExclusion = ignoreExclusion
        self.entireCompanies = entireCompanies
    }
}

/// One add/reduce/refine step with its filters: what a criteria action row and its filter rows hold.
public struct CriteriaStep: Sendable, Equatable {
    public var action: CriteriaAction
    public var options: CriteriaOptions
    public var filters: [FieldFilter]

    public init(action: CriteriaAction, options: CriteriaOptions = CriteriaOptions(), filters: [FieldFilter] = []) {
        self.action = action
        self.options = options
        self.filters = filters
    }

    /// The filters of one table, in the order given.
    public func filters(of table: CriteriaTable) -> [FieldFilter] {
        self.filters.filter { $0.field.table == table }
    }

    /// The criteria lines of this step, numbered from `firstLineNo`: the action row, then one filter row per
    /// table that has filters (reference 1.11: empty filters write no row).
    public func lines(firstLineNo: Int) throws(FilterError) -> [CriteriaLine] {
        var filterRows: [CriteriaLine] = []
        for table in CriteriaTable.allCases {
            guard let view = try TableView.encode(self.filters(of: table)) else { continue }
            filterRows.append(.filter(lineNo: firstLineNo + 1 + filterRows.count, table: table, view: view))
        }
        let action = CriteriaLine(
            lineNo: firstLineNo,
            kind: .action(self.action, self.options, noOfFilters: filterRows.count)
        )
        return [action] + filterRows
    }

    /// The steps stored in `lines` (in line order), for replay (Reuse Criteria, reference 3.7 R5).
    public static func steps(from lines: [CriteriaLine]) throws(FilterError) -> [CriteriaStep] {
        var steps: [CriteriaStep] = []
        for line in lines.sorted(by: { $0.lineNo < $1.lineNo }) {
            switch line.kind {
            case .action(let action, let options, _):
                steps.append(CriteriaStep(action: action, options: options))
            case .filter(let table, let view):
                guard !steps.isEmpty else {
                    throw FilterError("criteria line \(line.lineNo) is a filter without action")
                }
                steps[steps.count - 1].filters += try TableView.decode(view, table: table)
            }
        }
        return steps
    }
}

/// A stored criteria line (reference 1.11): an action row or a filter row.
public struct CriteriaLine: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case action(CriteriaAction, CriteriaOptions, noOfFilters: Int)
        case filter(CriteriaTable, view: String)
    }

    public var lineNo: Int
    public var kind: Kind

    public init(lineNo: Int, kind: Kind) {
        self.lineNo = lineNo
        self.kind = kind
    }

    static func filter(lineNo: Int, table: CriteriaTable, view: String) -> CriteriaLine {
        CriteriaLine(lineNo: lineNo, kind: .filter(table, view: view))
    }

    public var isAction: Bool {
        if case .action = self.kind { return true }
        return false
    }

    /// The line as the Segment Criteria page shows it (reference 3.7 R7).
    public var readable: String {
        switch self.kind {
        case .action(let action, let options, _):
            var flags: [String] = []
            switch action {
            case .add:
                if options.allowExisting { flags.append("Allow Existing Contacts") }
                if options.expandCompanies { flags.append("Expand Companies") }
                if options.allowRelatedCompanies { flags.append("Allow Related Companies") }
                if options.ignoreExclusion { flags.append("Ignore Exclusion") }
            case .reduce, .refine:
                if options.entireCompanies { flags.append("Entire Companies") }
            }
            return flags.isEmpty ? action.caption : action.caption + " (" + flags.joined(separator: ", ") + ")"
        case .filter(let table, let view):
            let filters = (try? TableView.decode(view, table: table)).map(TableView.readable) ?? view
            return "  " + table.caption + ": " + filters
        }
    }
}

/// Go Back (reference 3.7 R3) on the criteria lines: which lines go.
public enum CriteriaGoBack {
    /// The line numbers to delete: from the end backwards up to and including the last action row. Empty
    /// when there is no action.
    public static func linesToDelete(_ lines: [CriteriaLine]) -> [Int] {
        let sorted = lines.sorted { $0.lineNo < $1.lineNo }
        guard let last = sorted.lastIndex(where: \.isAction) else { return [] }
        return sorted[last...].map(\.lineNo)
    }
}

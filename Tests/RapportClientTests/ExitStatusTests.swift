import RapportClient
import RapportProtocol
import Testing

@Suite struct ExitStatusTests {
    @Test(arguments: ErrorCode.allCases)
    func mapsEveryErrorCodeByCategory(code: ErrorCode) {
        let expected: Int32 =
            switch code.category {
            case .request: 2
            case .refusal: 3
            case .server: 4
            }
        #expect(ExitStatus(code: code).rawValue == expected)
        #expect(ExitStatus(final: .error(code, "text")).rawValue == expected)
        #expect(ExitStatus(error: RapportClientError.server(code: code, message: "text")).rawValue == expected)
    }

    @Test func mapsCategories() {
        #expect(ExitStatus(category: .request) == .requestError)
        #expect(ExitStatus(category: .refusal) == .refused)
        #expect(ExitStatus(category: .server) == .serverCondition)
    }

    @Test func succeedsOnOKAndBye() {
        #expect(ExitStatus(final: .ok("PONG")) == .success)
        #expect(ExitStatus(final: .bye("see you")) == .success)
        #expect(ExitStatus.success.rawValue == 0)
    }

    @Test(arguments: [
        RapportClientError.connectionFailed("refused"),
        .connectionClosed(bye: "idle timeout"),
        .connectionClosed(bye: nil),
        .protocolViolation("garbage"),
        .invalidRequest("bad verb"),
    ])
    func failsWithoutAReply(error: RapportClientError) {
        #expect(ExitStatus(error: error) == .failure)
        #expect(ExitStatus(error: error).rawValue == 1)
    }

    @Test func treatsUsageErrorsAsFailures() {
        #expect(ExitStatus(error: UsageError("bad URL")).rawValue == 1)
    }

    @Test func documentsEveryCode() {
        for code in ErrorCode.allCases { #expect(ExitStatus.helpText.contains(code.rawValue)) }
        for line in ExitStatus.helpText.split(separator: "\n") { #expect(line.count <= 80) }
    }
}

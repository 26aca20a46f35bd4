import RapportModel
import Testing

@Suite("Log entry display title") struct LogEntryTitleTests {
    @Test func byTheSalespersonOrTheUserFromTheContact() {
        func title(_ flow: InformationFlow?, salesperson: String? = "Anna Hall", user: String? = "Alice Adams")
            -> String?
        {
            LogEntryTitle.title(
                templateDescription: "Phone call",
                templateFlow: flow,
                salespersonName: salesperson,
                userFullName: user,
                contactName: "Ann Lee"
            )
        }
        #expect(title(.outbound) == "Phone call - by Anna Hall")
        #expect(title(.outbound, salesperson: nil) == "Phone call - by Alice Adams")
        #expect(title(.outbound, salesperson: "", user: nil) == "Phone call")
        #expect(title(.inbound) == "Phone call - from Ann Lee")
        #expect(title(nil) == "Phone call")
        #expect(
            LogEntryTitle.title(
                templateDescription: nil,
                templateFlow: nil,
                salespersonName: nil,
                userFullName: nil,
                contactName: nil
            ) == nil
        )
    }
}

import RapportModel
import Testing

@Suite("Codes and roles")
struct CodeTests {
    @Test(arguments: [("  abc ", "ABC"), ("Grüße", "GRÜSSE"), ("x-1", "X-1")])
    func normalizeTrimsAndUpperCases(_ input: String, _ expected: String) {
        #expect(Code.normalize(input) == expected)
    }

    @Test func blankIsNil() {
        #expect(Code.normalize("   ") == nil)
        #expect(Code.normalize("") == nil)
    }

    @Test func requiredRefusesBlankAndLong() {
        #expect(throws: Code.Problem.empty(field: "user")) { try Code.required(" ", field: "user", maximum: 5) }
        #expect(throws: Code.Problem.tooLong(field: "user", maximum: 5)) {
            try Code.required("abcdef", field: "user", maximum: 5)
        }
        #expect(Code.Problem.tooLong(field: "user", maximum: 5).description == "user must be at most 5 characters")
    }

    @Test func rolesIncludeTheOnesBefore() {
        #expect(UserRole.salesperson < .manager)
        #expect(UserRole.manager < .administrator)
        #expect(UserRole.allCases.max() == .administrator)
    }
}

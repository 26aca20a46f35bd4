/// The character classes of the grammar, shared by the tokenizer and the encoder.
enum CharacterClasses {
    /// Longest tag after its `#`, and longest verb.
    static let maximumNameLength = 32

    /// Space or TAB: what separates tokens.
    static func isBlank(_ scalar: Unicode.Scalar) -> Bool { scalar == " " || scalar == "\t" }

    /// C0 controls, DEL and C1 controls (general category Cc).
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0)
    }

    /// A character that may appear unquoted in a token.
    static func isAtom(_ scalar: Unicode.Scalar) -> Bool {
        !(scalar == " " || scalar == "\t" || scalar == "\"" || scalar == "\\" || isControl(scalar))
    }

    static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    static func isASCIIDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    /// Letters, digits, `_` and `-`: the characters of tags and verbs.
    static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        isASCIILetter(scalar) || isASCIIDigit(scalar) || scalar == "_" || scalar == "-"
    }

    /// Characters after the first one of an argument key: letters, digits, `_`, `.`, `-`.
    static func isKeyCharacter(_ scalar: Unicode.Scalar) -> Bool {
        isASCIILetter(scalar) || isASCIIDigit(scalar) || scalar == "_" || scalar == "." || scalar == "-"
    }

    /// Whether `key` is a valid argument key (`[A-Za-z][A-Za-z0-9_.-]*`).
    static func isValidKey(_ key: some StringProtocol) -> Bool {
        guard let first = key.unicodeScalars.first, isASCIILetter(first) else { return false }
        return key.unicodeScalars.allSatisfy(isKeyCharacter)
    }

    /// Length of a key-and-`=` prefix at the start of `scalars`, or nil: the rule that makes a token named.
    static func namedPrefixLength(_ scalars: some Collection<Unicode.Scalar>) -> Int? {
        guard let first = scalars.first, isASCIILetter(first) else { return nil }
        var length = 0
        for scalar in scalars {
            if scalar == "=" { return length }
            guard isKeyCharacter(scalar) else { return nil }
            length += 1
        }
        return nil
    }

    /// Whether `tag` is `#` followed by 1–32 name characters.
    static func isValidTag(_ tag: some StringProtocol) -> Bool {
        let scalars = tag.unicodeScalars
        guard scalars.first == "#" else { return false }
        let name = scalars.dropFirst()
        return (1...maximumNameLength).contains(name.count) && name.allSatisfy(isNameCharacter)
    }
}

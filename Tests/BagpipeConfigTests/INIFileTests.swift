import BagpipeConfig
import Testing

@Suite("INI file, as oslo.config reads it")
struct INIFileTests {
    @Test("key = value and key: value, trimmed, whichever separator comes first")
    func assignments() {
        let file = INIFile(
            parsing: """
                [S]
                a = 1
                b: 2
                c=x:y
                d:x=y
                  \t
                e =   spaced out\t
                """)
        #expect(file.errors.isEmpty)
        let s = file.section("S")
        #expect(s?["a"]?.value == "1")
        #expect(s?["b"]?.value == "2")
        #expect(s?["c"]?.value == "x:y")
        #expect(s?["d"]?.value == "x=y")
        #expect(s?["e"]?.value == "spaced out")
        #expect(s?["e"]?.line == 7)
    }

    @Test("One pair of matching quotes around a value is removed")
    func quotes() {
        let file = INIFile(
            parsing: """
                [S]
                a = "  padded  "
                b = 'single'
                c = "mismatched'
                d = ""quoted""
                e = "
                """)
        let s = file.section("S")
        #expect(s?["a"]?.value == "  padded  ")
        #expect(s?["b"]?.value == "single")
        #expect(s?["c"]?.value == "\"mismatched'")
        #expect(s?["d"]?.value == "\"quoted\"")
        #expect(s?["e"]?.value == "")
    }

    @Test("Comment lines start with # or ;, and there are no inline comments")
    func comments() {
        let file = INIFile(
            parsing: """
                # a comment
                ; another
                [S]
                # key = not a key
                a = 1 # not a comment
                """)
        #expect(file.errors.isEmpty)
        #expect(file.section("S")?.keys == ["a"])
        #expect(file.section("S")?["a"]?.value == "1 # not a comment")
    }

    @Test("Indented lines continue the value; a blank or unindented line ends it")
    func continuations() {
        let file = INIFile(
            parsing: """
                [S]
                peers = 192.0.2.1,
                    192.0.2.2,
                \t192.0.2.3
                b = x

                  # an indented comment with nothing to continue
                c = y
                # a comment ends the value
                d = z
                """)
        let s = file.section("S")
        #expect(s?["peers"]?.value == "192.0.2.1,\n192.0.2.2,\n192.0.2.3")
        #expect(s?["b"]?.value == "x")
        #expect(s?["c"]?.value == "y")
        #expect(file.errors.isEmpty)
        #expect(
            file.warnings.map(\.description) == [
                "[S] (line 7): indented comment line (oslo.config rejects it as an unexpected continuation line)"
            ])
    }

    @Test("A repeated key: the last value wins, with a warning")
    func duplicateKeys() {
        let file = INIFile(
            parsing: """
                [S]
                a = 1
                a = 2
                [T]
                a = 3
                [S]
                a = 4
                """)
        #expect(file.section("S")?["a"]?.value == "4")
        #expect(file.section("S")?.entries.count == 3)
        #expect(file.section("T")?["a"]?.value == "3")
        #expect(
            file.warnings.map(\.description) == [
                "[S] a (line 3): set again (also at line 2); the last value wins",
                "[S] (line 6): section repeated (first at line 1); their options are merged",
                "[S] a (line 7): set again (also at line 3); the last value wins",
            ])
    }

    @Test("Section names match without regard to case, except DEFAULT")
    func sectionNames() {
        let file = INIFile(
            parsing: """
                [bgp]
                a = 1
                [Bgp]
                b = 2
                [DEFAULT]
                c = 3
                [default]
                d = 4
                """)
        #expect(file.section("BGP")?.name == "bgp")
        #expect(file.section("BGP")?.keys == ["a", "b"])
        #expect(file.section("DEFAULT")?.keys == ["c"])
        #expect(file.section("default")?.keys == ["d"])
        #expect(file.sections.count == 3)
    }

    @Test("Keys are case-sensitive")
    func keyCase() {
        let file = INIFile(parsing: "[S]\nMy_AS = 1\nmy_as = 2\n")
        #expect(file.section("S")?["my_as"]?.value == "2")
        #expect(file.section("S")?["My_AS"]?.value == "1")
        #expect(file.warnings.isEmpty)
    }

    @Test("CRLF and CR line ends, trailing white space and a byte-order mark")
    func lineEnds() {
        let file = INIFile(parsing: "\u{FEFF}[S]\r\na = 1  \r\nb = 2\rc = 3\n")
        #expect(file.errors.isEmpty)
        #expect(file.section("S")?["a"]?.value == "1")
        #expect(file.section("S")?["c"]?.line == 4)
    }

    @Test("Every syntax error is reported, with its line")
    func syntaxErrors() {
        let file = INIFile(
            parsing: """
                orphan = 1
                [S
                skipped = after a bad header
                []
                [T]
                no separator here
                 = empty key
                  indented, continues the error line above
                [U]
                  stray continuation
                ok = 1
                """)
        #expect(
            file.errors.map(\.description) == [
                "orphan (line 1): assignment before any [section] header",
                "line 2: \"[S\" is not a section header (it must end with \"]\")",
                "line 4: empty section name",
                "[T] (line 6): \"no separator here\" has no \"=\" or \":\" (not an assignment, section or comment)",
                "[U] (line 10): \"stray continuation\" is indented (a continuation line) but no option comes before it",
            ])
        #expect(file.errors.allSatisfy { $0.kind == .syntax })
        #expect(file.section("U")?["ok"]?.value == "1")
        #expect(file.section("T")?.entries.isEmpty == true)
    }

    @Test("An empty key is an error")
    func emptyKey() {
        let file = INIFile(parsing: "[S]\n= value\n")
        #expect(file.errors.map(\.description) == ["[S] (line 2): \"= value\" has an empty option name"])
    }
}

/// A new content for one cell: a value, optionally a formula (whose cached result the value is),
/// and optionally a cell format; nil keeps the cell's own.
///
/// A text is always written as text, never as a formula, even when it starts with `=`, `+`, `-`
/// or `@` (SPEC §7): only `formula` makes a formula.
public struct CellEdit: Sendable, Equatable {
    public var value: CellValue
    public var formula: String?
    public var styleIndex: Int?
    /// Formulas filled down a column, as `recalc` writes its derived columns: the edits of one
    /// sheet and column with the same `fillDown` name hold the same formula moved by their rows
    /// (`D2/C2`, `D3/C3` …), so they are saved as one shared formula (`<f t="shared">`) — its text
    /// once, at the first, as Excel saves a filled column. Each edit still gives its own `formula`;
    /// a name reused for a different formula makes the cells compute something else.
    public var fillDown: String?

    /// True for `CellEdit.style(_:)`: only the format changes; the value and formula stay.
    public var keepsContent = false

    public init(value: CellValue, formula: String? = nil, styleIndex: Int? = nil, fillDown: String? = nil) {
        self.value = value
        self.formula = formula
        self.styleIndex = styleIndex
        self.fillDown = fillDown
    }

    /// Gives the cell the format `index` (e.g. from `WorkbookEditor.deriveStyle`), keeping what it holds.
    public static func style(_ index: Int) -> CellEdit {
        var e = CellEdit(value: .empty, styleIndex: index)
        e.keepsContent = true
        return e
    }
}

/// One `<c>` element, for the editor and the writer alike (ECMA-376 Part 1, §18.3.1.4).
enum CellXML {
    /// A cell's place in a shared formula (§18.3.1.40): the group `si`, and at its first cell the
    /// range it covers (`ref`), written with the formula's text; the others carry no text.
    struct Shared {
        var si: String
        var ref: String?
    }

    /// Writes `<c r s t><f/><v/></c>`. Text goes to the shared-string table when `sharedString`
    /// gives an index, else inline; a text is never a formula unless `formula` says so.
    static func write(_ ref: CellReference, value: CellValue, formula: String?, style: String?, prefix: String = "",
                      to out: XMLOut, sharedString: ((String) -> Int)? = nil, shared: Shared? = nil) {
        func writeFormula() {
            guard let formula else { return }
            guard let shared else { return out.element(prefix + "f", text: formula) }
            out.start(prefix + "f")
            out.attribute("t", "shared")
            if let range = shared.ref { out.attribute("ref", range) }
            out.attribute("si", shared.si)
            if shared.ref != nil { out.text(formula) }
            out.end()
        }
        out.start(prefix + "c")
        out.attribute("r", ref.description)
        if let style, style != "0" { out.attribute("s", style) }
        var value = value
        // Excel has no NaN or infinity; a number that is not finite is its #NUM! error.
        if let n = value.number, !n.isFinite { value = .error("#NUM!") }
        switch value {
        case .empty:
            writeFormula()
        case .number(let n):
            writeFormula()
            out.element(prefix + "v", text: SheetEditRewriter.number(n))
        case .date(let d):
            writeFormula()
            out.element(prefix + "v", text: SheetEditRewriter.number(d.serial))
        case .bool(let b):
            out.attribute("t", "b")
            writeFormula()
            out.element(prefix + "v", text: b ? "1" : "0")
        case .error(let e):
            out.attribute("t", "e")
            writeFormula()
            out.element(prefix + "v", text: e)
        case .string(let s):
            if formula != nil {
                out.attribute("t", "str")
                writeFormula()
                out.element(prefix + "v", text: OOXMLText.escape(s))
            } else if let sharedString {
                out.attribute("t", "s")
                out.element(prefix + "v", text: String(sharedString(s)))
            } else {
                out.attribute("t", "inlineStr")
                out.start(prefix + "is")
                out.element(prefix + "t", [("xml:space", "preserve")], text: OOXMLText.escape(s))
                out.end()
            }
        }
        out.end()
    }
}

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
                      to out: XMLOut, sharedString: ((String) -> Int)? = nil, shared: Shared? = nil, asBytes: Bool = true) {
        // The same markup made as bytes and written at once: a tenth of the work of the calls below.
        if asBytes, markup(ref, value: value, formula: formula, style: style, prefix: prefix, into: &out.markup, sharedString: sharedString, shared: shared) {
            return out.writeMarkup()
        }
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
                out.element(prefix + "t", OOXMLText.hasEdgeSpace(s) ? [("xml:space", "preserve")] : [], text: OOXMLText.escape(s))
                out.end()
            }
        }
        out.end()
    }

    /// `write`'s markup, escaped as libxml2 escapes it, in `bytes`; false (and `bytes` of no use)
    /// for what only `write` handles: text holding a control character other than tab and newline.
    static func markup(_ ref: CellReference, value: CellValue, formula: String?, style: String?, prefix: String,
                       into bytes: inout [UInt8], sharedString: ((String) -> Int)?, shared: Shared?) -> Bool {
        bytes.removeAll(keepingCapacity: true)
        var value = value
        if let n = value.number, !n.isFinite { value = .error("#NUM!") }
        let prefixed = !prefix.isEmpty
        // One byte appended as an element: a tenth of the work of appending a buffer.
        func raw(_ s: StaticString) {
            if s.utf8CodeUnitCount == 1 { bytes.append(s.utf8Start.pointee) }
            else { bytes.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)) }
        }
        func tag(_ name: StaticString) {
            if prefixed { bytes.append(contentsOf: prefix.utf8) }
            raw(name)
        }
        func attribute(_ name: StaticString, _ v: String) -> Bool {
            raw(" "); raw(name); raw("=\""); defer { raw("\"") }
            return escape(v, attribute: true, into: &bytes)
        }
        func element(_ name: StaticString, _ text: String) -> Bool {
            raw("<"); tag(name); raw(">")
            guard escape(text, attribute: false, into: &bytes) else { return false }
            raw("</"); tag(name); raw(">")
            return true
        }
        /// `<v>` with a finite number's shortest text.
        func number(_ n: Double) {
            raw("<"); tag("v"); raw(">")
            appendShortestText(n, to: &bytes)
            raw("</"); tag("v"); raw(">")
        }
        func writeFormula() -> Bool {
            guard let formula else { return true }
            guard let shared else { return element("f", formula) }
            raw("<"); tag("f"); raw(" t=\"shared\"")
            if let range = shared.ref { guard attribute("ref", range) else { return false } }
            guard attribute("si", shared.si) else { return false }
            guard shared.ref != nil else { raw("/>"); return true }
            raw(">")
            guard escape(formula, attribute: false, into: &bytes) else { return false }
            raw("</"); tag("f"); raw(">")
            return true
        }
        raw("<"); tag("c"); raw(" r=\"")
        ref.append(to: &bytes)
        raw("\"")
        if let style, style != "0" { guard attribute("s", style) else { return false } }
        var ok = true
        switch value {
        case .empty:
            if formula == nil { raw("/>"); return true }
            raw(">")
            ok = writeFormula()
        case .number(let n):
            raw(">")
            ok = writeFormula()
            number(n)
        case .date(let d):
            raw(">")
            ok = writeFormula()
            number(d.serial)
        case .bool(let b):
            raw(" t=\"b\">")
            ok = writeFormula() && element("v", b ? "1" : "0")
        case .error(let e):
            raw(" t=\"e\">")
            ok = writeFormula() && element("v", e)
        case .string(let s):
            if formula != nil {
                raw(" t=\"str\">")
                ok = writeFormula() && element("v", OOXMLText.escape(s))
            } else if let sharedString {
                raw(" t=\"s\">")
                ok = element("v", String(sharedString(s)))
            } else {
                raw(" t=\"inlineStr\"><"); tag("is"); raw("><"); tag("t")
                raw(OOXMLText.hasEdgeSpace(s) ? " xml:space=\"preserve\">" : ">")
                ok = escape(OOXMLText.escape(s), attribute: false, into: &bytes)
                raw("</"); tag("t"); raw("></"); tag("is"); raw(">")
            }
        }
        raw("</"); tag("c"); raw(">")
        return ok
    }

    /// Appends `s` escaped as xmlTextWriter escapes text (`&`, `<`, `>`) and attribute values (also
    /// `"`); false for a control character other than tab and newline, which only libxml2's own
    /// writer handles (a carriage return it writes as `&#13;`).
    static func escape(_ s: String, attribute: Bool, into bytes: inout [UInt8]) -> Bool {
        var s = s
        return s.withUTF8 { u in
            var clean = true
            for c in u where c < 0x3F {
                if c == UInt8(ascii: "&") || c == UInt8(ascii: "<") || c == UInt8(ascii: ">") || c < 0x20 || (attribute && c == UInt8(ascii: "\"")) {
                    clean = false
                    break
                }
            }
            if clean { bytes.append(contentsOf: u); return true }
            for c in u {
                switch c {
                case UInt8(ascii: "&"): bytes.append(contentsOf: "&amp;".utf8)
                case UInt8(ascii: "<"): bytes.append(contentsOf: "&lt;".utf8)
                case UInt8(ascii: ">"): bytes.append(contentsOf: "&gt;".utf8)
                case UInt8(ascii: "\"") where attribute: bytes.append(contentsOf: "&quot;".utf8)
                case 0x09 where !attribute, 0x0A where !attribute: bytes.append(c)
                case ..<0x20: return false
                default: bytes.append(c)
                }
            }
            return true
        }
    }
}

/// The XML of legacy notes: `<comment>` entries (ECMA-376 Part 1, §18.7) and the VML shapes
/// Excel needs to show them (one hidden box per note, §20 of Part 4's VML).
enum NoteXML {
    static func comment(_ ref: CellReference, authorID: Int, text: String, prefix: String = "", to out: XMLOut) {
        out.start(prefix + "comment"); out.attribute("ref", ref.description); out.attribute("authorId", String(authorID))
        out.start(prefix + "text")
        run(text, prefix: prefix, to: out)
        out.end()
        out.end()
    }

    /// One rich-text run, spaces kept.
    static func run(_ text: String, prefix: String = "", to out: XMLOut) {
        out.start(prefix + "r")
        out.element(prefix + "t", [("xml:space", "preserve")], text: OOXMLText.escape(text))
        out.end()
    }

    /// A whole VML part for `refs`; shape ids start in id block `block` (1024 each).
    static func drawing(_ refs: [CellReference], block: Int, part: String) throws -> [UInt8] {
        let out = XMLOut(part: part)
        out.startDocument(standalone: nil)
        out.start("xml")
        out.attribute("xmlns:v", "urn:schemas-microsoft-com:vml")
        out.attribute("xmlns:o", "urn:schemas-microsoft-com:office:office")
        out.attribute("xmlns:x", "urn:schemas-microsoft-com:office:excel")
        out.start("o:shapelayout"); out.attribute("v:ext", "edit")
        out.element("o:idmap", [("v:ext", "edit"), ("data", String(block))]); out.end()
        shapeType(to: out)
        for (i, ref) in refs.enumerated() { shape(ref, id: 1024 * block + 1 + i, z: i + 1, to: out) }
        out.end()
        return try out.finish()
    }

    /// The note box type (`_x0000_t202`) that note shapes refer to.
    static func shapeType(to out: XMLOut) {
        out.start("v:shapetype")
        out.attribute("id", "_x0000_t202"); out.attribute("coordsize", "21600,21600"); out.attribute("o:spt", "202")
        out.attribute("path", "m,l,21600r21600,l21600,xe")
        out.element("v:stroke", [("joinstyle", "miter")])
        out.element("v:path", [("gradientshapeok", "t"), ("o:connecttype", "rect")])
        out.end()
    }

    static func shape(_ ref: CellReference, id: Int, z: Int, to out: XMLOut) {
        let row = ref.row - 1, col = ref.column - 1
        out.start("v:shape")
        out.attribute("id", "_x0000_s\(id)"); out.attribute("type", "#_x0000_t202")
        out.attribute("style", "position:absolute;margin-left:59.25pt;margin-top:1.5pt;width:108pt;height:59.25pt;z-index:\(z);visibility:hidden")
        out.attribute("fillcolor", "#ffffe1"); out.attribute("o:insetmode", "auto")
        out.element("v:fill", [("color2", "#ffffe1")])
        out.element("v:shadow", [("on", "t"), ("color", "black"), ("obscured", "t")])
        out.element("v:path", [("o:connecttype", "none")])
        out.start("v:textbox"); out.attribute("style", "mso-direction-alt:auto")
        out.element("div", [("style", "text-align:left")]); out.end()
        out.start("x:ClientData"); out.attribute("ObjectType", "Note")
        out.element("x:MoveWithCells"); out.element("x:SizeWithCells")
        out.element("x:Anchor", text: "\(col + 1), 15, \(max(row - 1, 0)), 10, \(col + 3), 15, \(row + 3), 4")
        out.element("x:AutoFill", text: "False")
        out.element("x:Row", text: String(row)); out.element("x:Column", text: String(col))
        out.end()
        out.end()
    }
}

import XLSX

/// What the rules layer says when a command cannot go on (the diagnostics' own words are still
/// written where each check is made); the words are in the catalogs below, one per language.
public enum RulesMessageKey: String, MessageKey {
    case recalcNoTemplate, recalcAmbiguous

    public static let english: [Self: String] = [
        .recalcNoTemplate: "{path}: no sheet matches a tracksheet template; nothing was changed",
        .recalcAmbiguous: "{path}: the sheet {sheet} fits the templates {chosen} and {other} about equally; run recalc with --template to say which it is; nothing was changed",
    ]

    public static let chinese: [Self: String] = [
        .recalcNoTemplate: "{path}:没有工作表与任何模板相符,未做任何修改",
        .recalcAmbiguous: "{path}:工作表“{sheet}”与模板 {chosen} 和 {other} 的吻合程度相当;请用 --template 指定模板后再重算;未做任何修改",
    ]
}

public typealias RulesMessage = Message<RulesMessageKey>

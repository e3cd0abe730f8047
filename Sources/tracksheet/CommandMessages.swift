import XLSX

/// What the command line says of its own (the layers' messages come from their catalogs); the
/// words are in the catalogs below, one per language.
enum CommandMessageKey: String, MessageKey {
    // Options.
    case dateOption, workbookSuffix, recalcWhere, recalcBoth
    // Files.
    case noSuchFile, noWorkbooksInFolder, outputIsInput, outputExists, exportOutputExists, noStoreThere, storeFailed
    // validate.
    case annotateNeedsFolder, validateNoTemplate, annotatedSuffix, annotateIsInput, validateSummary
    case severityError, severityWarning, severityInfo, asOfToday, asOfDay
    // recalc and new.
    case note, recalcUpToDate, recalcWrote, newWrote
    // sync and export.
    case syncHeading, syncDryRun, syncStoreAbsent, syncStoreCreated, syncStoreChanges, syncWorkbookChanges
    case syncMoved, syncConflictCount, syncNoChange, syncPartsSeparator, syncInvalidCells, syncTooLong
    case syncConflicts, syncSettledBy, syncUnresolved, syncDryRunDone, syncAgree, syncDone
    case syncStoreUpdated, syncStoreUnchanged, syncWorkbookWritten, syncWorkbookUnchanged, exported
    // inspect.
    case inspectFile, inspectDates, inspectHidden, inspectVeryHidden, inspectDataIn, inspectCounts, inspectOwnSheet
    case inspectMerged, inspectValidation, inspectFrozen, inspectNotes, inspectLinks, inspectNames, inspectLocalSheet
    case inspectTemplate, inspectWhy, inspectAmbiguous, inspectMissing, inspectHeaderAs, inspectUnit, inspectNearMiss
    case inspectOr, inspectExtra, inspectMissingRequired, inspectProblems
    case kindWorksheet, kindChartsheet, kindDialogsheet, kindMacrosheet, kindUnknown
    case validationList, validationWhole, validationDecimal, validationDate, validationTime, validationTextLength
    case validationCustom, validationNone

    static let english: [Self: String] = [
        .dateOption: "{option} {value} is not a date such as {example}",
        .workbookSuffix: "{out}: the workbook must end in .xlsx",
        .recalcWhere: "say where to write: -o OUT.xlsx, or --in-place",
        .recalcBoth: "-o and --in-place cannot be used together",
        .noSuchFile: "{file}: no such file",
        .noWorkbooksInFolder: "{folder}: no .xlsx files in this folder",
        .outputIsInput: "-o {output} is the input file; to rewrite it use --in-place",
        .outputExists: "{out} already exists; add --force to replace it",
        .exportOutputExists: "{out} exists; use --force to replace it",
        .noStoreThere: "there is no store at {path} (only sync creates one; check --store)",
        .storeFailed: "the store failed: {why}",
        .annotateNeedsFolder: "with several files, --annotate must name a folder",
        .validateNoTemplate: "no sheet matches a tracksheet template (a master plan, an effect analysis, a process card …)",
        .annotatedSuffix: "-checked.xlsx",
        .annotateIsInput: "--annotate {out} is the file being checked; name another file for the annotated copy",
        .validateSummary: "{errors} error(s), {warnings} warning(s), {infos} note(s), {asOf}",
        .severityError: "error  ",
        .severityWarning: "warning",
        .severityInfo: "info   ",
        .asOfToday: "as of today, {day}",
        .asOfDay: "as of {day}",
        .note: "Note: {text}",
        .recalcUpToDate: "{out}: the derived cells were already up to date; nothing changed ({asOf})",
        .recalcWrote: "Recalculated {count} cells ({sheets}); wrote {out} ({asOf})",
        .newWrote: "Wrote {out} (template {template} v{version}, campaign {campaign}, {start} to {end})",
        .syncHeading: "{path} ⇄ {store} (campaign \"{campaign}\", {asOf}){dryRun}",
        .syncDryRun: ": dry run, nothing is changed",
        .syncStoreAbsent: "  The store does not exist yet: planned against an empty store; the first sync creates it.",
        .syncStoreCreated: "  Created the store {store}.",
        .syncStoreChanges: "store +{inserts} rows, {updates} updated ({cells} cells), −{deletes}",
        .syncWorkbookChanges: "workbook +{inserts} rows, {updates} updated ({cells} cells), −{deletes}",
        .syncMoved: "{count} rows reordered",
        .syncConflictCount: "{count} conflict(s)",
        .syncNoChange: "no change",
        .syncPartsSeparator: "; ",
        .syncInvalidCells: "Not synced (these cells fail validation; fix them and sync again):",
        .syncTooLong: "Store values longer than a cell holds (32,767 characters) were not written to: {cells}{more}",
        .syncConflicts: "Conflicts:",
        .syncSettledBy: " (settled by --prefer {side})",
        .syncUnresolved: "{count} conflict(s) left: nothing was changed on either side. Edit one side, or sync again with --prefer workbook|store.",
        .syncDryRunDone: "Dry run: neither the workbook nor the store was changed.",
        .syncAgree: "The workbook and the store agree; nothing to sync.",
        .syncDone: "Synced: {store}; {workbook}.",
        .syncStoreUpdated: "store updated",
        .syncStoreUnchanged: "store unchanged",
        .syncWorkbookWritten: "workbook written (derived columns recalculated)",
        .syncWorkbookUnchanged: "workbook unchanged",
        .exported: "Exported campaign \"{campaign}\" from {store} to {out} ({rows} rows)",
        .inspectFile: "File {file}",
        .inspectDates: "Date system {system}, {count} sheet(s)",
        .inspectHidden: " [hidden]",
        .inspectVeryHidden: " [veryHidden]",
        .inspectDataIn: ", data in {range}",
        .inspectCounts: ", {rows} row(s), {cells} cell(s) with values",
        .inspectOwnSheet: " (tracksheet's own sheet, not read as a template's)",
        .inspectMerged: "     merged: ",
        .inspectValidation: "     validation ",
        .inspectFrozen: "     frozen at {cell}",
        .inspectNotes: "     {count} note(s)",
        .inspectLinks: "     {count} hyperlink(s)",
        .inspectNames: "\nDefined names:",
        .inspectLocalSheet: " (sheet {number})",
        .inspectTemplate: "\nTemplate {template}: \"{sheet}\" is \"{name}\", headers in row {rows}",
        .inspectWhy: "  why: {found} of the template's {columns} columns found, {found} of {headers} headers understood, fit {fit}% with the values below",
        .inspectAmbiguous: "  note: fits {other} about as well; choose with --template",
        .inspectMissing: "MISSING",
        .inspectHeaderAs: " ← \"{header}\"",
        .inspectUnit: " (in {unit}: ×{factor} to CNY)",
        .inspectNearMiss: "  {column} \"{header}\": did you mean {names}?",
        .inspectOr: " or ",
        .inspectExtra: "  {column} extra column (kept): {header}",
        .inspectMissingRequired: "  missing required columns: {columns}",
        .inspectProblems: "\nProblems while reading:",
        .kindWorksheet: "worksheet",
        .kindChartsheet: "chart sheet",
        .kindDialogsheet: "dialog sheet",
        .kindMacrosheet: "macro sheet",
        .kindUnknown: "unknown kind",
        .validationList: "list",
        .validationWhole: "whole number",
        .validationDecimal: "decimal",
        .validationDate: "date",
        .validationTime: "time",
        .validationTextLength: "text length",
        .validationCustom: "custom",
        .validationNone: "any value",
    ]

    static let chinese: [Self: String] = [
        .dateOption: "{option} {value} 不是日期(例如 {example})",
        .workbookSuffix: "{out}:工作簿文件名须以 .xlsx 结尾",
        .recalcWhere: "请指定写到哪里:-o 输出.xlsx,或 --in-place",
        .recalcBoth: "-o 与 --in-place 不能同时使用",
        .noSuchFile: "找不到文件 {file}",
        .noWorkbooksInFolder: "文件夹 {folder} 中没有 .xlsx 文件",
        .outputIsInput: "-o {output} 就是输入文件;要改写它请用 --in-place",
        .outputExists: "{out} 已存在;如需覆盖请加 --force",
        .exportOutputExists: "{out} 已存在;使用 --force 覆盖",
        .noStoreThere: "没有存储库 {path}(只有 sync 会创建存储库;请检查 --store)",
        .storeFailed: "存储库出错:{why}",
        .annotateNeedsFolder: "检查多个文件时 --annotate 须是文件夹",
        .validateNoTemplate: "没有工作表与任何模板(主跟踪表、效果分析表、流程跟踪表……)相符",
        .annotatedSuffix: "-校验.xlsx",
        .annotateIsInput: "--annotate {out} 就是被检查的文件;请另选输出文件",
        .validateSummary: "{errors} 个错误,{warnings} 个警告,{infos} 个提示,{asOf}",
        .severityError: "错误",
        .severityWarning: "警告",
        .severityInfo: "提示",
        .asOfToday: "按今天 {day} 判断",
        .asOfDay: "按 {day} 判断",
        .note: "注意:{text}",
        .recalcUpToDate: "{out}:派生列已是最新,未做修改({asOf})",
        .recalcWrote: "已重算 {count} 个单元格({sheets}),写入 {out}({asOf})",
        .newWrote: "已生成 {out}(模板 {template} 第 {version} 版,活动 {campaign},{start}–{end})",
        .syncHeading: "{path} ⇄ {store}(活动“{campaign}”,{asOf}){dryRun}",
        .syncDryRun: ":预演,不做任何修改",
        .syncStoreAbsent: "  存储库尚不存在:以下按空存储库计算;第一次正式同步时才会创建它。",
        .syncStoreCreated: "  已新建存储库 {store}。",
        .syncStoreChanges: "存储库 新增 {inserts} 行、更新 {updates} 行({cells} 格)、删除 {deletes} 行",
        .syncWorkbookChanges: "工作簿 新增 {inserts} 行、更新 {updates} 行({cells} 格)、清除 {deletes} 行",
        .syncMoved: "{count} 行调整了顺序",
        .syncConflictCount: "{count} 处冲突",
        .syncNoChange: "无变化",
        .syncPartsSeparator: ";",
        .syncInvalidCells: "未同步的单元格(校验错误,修正后再同步):",
        .syncTooLong: "存储库中的值超过单元格上限(32,767 个字符),以下单元格未写入:{cells}{more}",
        .syncConflicts: "冲突:",
        .syncSettledBy: "(按 --prefer {side} 处理)",
        .syncUnresolved: "有 {count} 处冲突未解决:两边均未修改。请修改其中一边,或使用 --prefer workbook|store 后重新同步。",
        .syncDryRunDone: "预演结束:未修改工作簿和存储库。",
        .syncAgree: "工作簿与存储库一致,无需同步。",
        .syncDone: "已同步:{store};{workbook}。",
        .syncStoreUpdated: "存储库已更新",
        .syncStoreUnchanged: "存储库无变化",
        .syncWorkbookWritten: "工作簿已写入(派生列已重算)",
        .syncWorkbookUnchanged: "工作簿无变化",
        .exported: "已从 {store} 导出活动“{campaign}”到 {out}({rows} 行)",
        .inspectFile: "文件 {file}",
        .inspectDates: "日期系统 {system},{count} 个工作表",
        .inspectHidden: " [隐藏]",
        .inspectVeryHidden: " [深度隐藏]",
        .inspectDataIn: ",数据区域 {range}",
        .inspectCounts: ",{rows} 行,{cells} 个有值单元格",
        .inspectOwnSheet: "(tracksheet 自己的表,不按模板读)",
        .inspectMerged: "     合并单元格: ",
        .inspectValidation: "     数据验证 ",
        .inspectFrozen: "     冻结窗格于 {cell}",
        .inspectNotes: "     批注 {count} 条",
        .inspectLinks: "     超链接 {count} 个",
        .inspectNames: "\n定义的名称:",
        .inspectLocalSheet: "(工作表 {number})",
        .inspectTemplate: "\n模板 {template}:“{sheet}”对应“{name}”,表头在第 {rows} 行",
        .inspectWhy: "  依据:模板 {columns} 列中找到 {found} 列,表头 {headers} 个中识别 {found} 个,综合吻合度 {fit}%",
        .inspectAmbiguous: "  注意:与模板 {other} 的吻合程度相当,请用 --template 指定",
        .inspectMissing: "缺少",
        .inspectHeaderAs: " ← “{header}”",
        .inspectUnit: "(单位 {unit},×{factor} 折算为元)",
        .inspectNearMiss: "  {column} “{header}”:是否想写 {names}?",
        .inspectOr: " 或 ",
        .inspectExtra: "  {column} 额外的列(保留):{header}",
        .inspectMissingRequired: "  缺少必填列:{columns}",
        .inspectProblems: "\n读取时发现的问题:",
        .kindWorksheet: "工作表",
        .kindChartsheet: "图表工作表",
        .kindDialogsheet: "对话框工作表",
        .kindMacrosheet: "宏工作表",
        .kindUnknown: "未知类型",
        .validationList: "序列",
        .validationWhole: "整数",
        .validationDecimal: "小数",
        .validationDate: "日期",
        .validationTime: "时间",
        .validationTextLength: "文本长度",
        .validationCustom: "自定义",
        .validationNone: "任何值",
    ]
}

typealias Line = Message<CommandMessageKey>

extension Language {
    init(chinese: Bool) { self = chinese ? .zh : .en }
}

/// A line of the command's own in the language already chosen (`zh`: the workbook's or --lang's).
func words(_ key: CommandMessageKey, _ values: [String: Line.Value] = [:], chinese zh: Bool) -> String {
    Line(key, values).text(Language(chinese: zh))
}

/// A layer's message in the language already chosen.
func words(_ said: any Said, chinese zh: Bool) -> String {
    said.text(Language(chinese: zh))
}

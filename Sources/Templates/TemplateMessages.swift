import XLSX

/// Everything the templates say: a template that cannot be found or read, a workbook that cannot
/// be made. The words are in the catalogs below, one per language.
public enum TemplateMessageKey: String, MessageKey {
    case noSuchTemplate, shippedTemplateMissing, templateUnreadable, templateInvalid, templateFolderMissing
    case periodBackwards
    // Where a template file is wrong (`templateInvalid`'s {why}).
    case notAColumnType, notJSON, lacksKey, decodingDetail

    public static let english: [Self: String] = [
        .noSuchTemplate: "no template named \"{id}\"; the shipped ones are {ids}",
        .shippedTemplateMissing: "tracksheet's template {id}.json is missing from {folder}; reinstall tracksheet",
        .templateUnreadable: "cannot read the template file {path}",
        .templateInvalid: "the template file {path} is not valid: {why}",
        .templateFolderMissing: "cannot find the template files tracksheet needs (looked in {looked}); reinstall it or set {variable} to the templates folder",
        .periodBackwards: "the campaign ends ({end}) before it starts ({start})",
        .notAColumnType: "{at}: \"{value}\" is not a column type ({types})",
        .notJSON: "not valid JSON",
        .lacksKey: "{at}lacks \"{key}\"",
        .decodingDetail: "{detail}",
    ]

    public static let chinese: [Self: String] = [
        .noSuchTemplate: "没有名为“{id}”的模板;可用的模板:{ids}",
        .shippedTemplateMissing: "tracksheet 的模板 {id}.json 不在 {folder} 中;请重新安装 tracksheet",
        .templateUnreadable: "无法读取模板文件 {path}",
        .templateInvalid: "模板文件 {path} 格式不正确:{why}",
        .templateFolderMissing: "找不到 tracksheet 的模板文件(查找过:{looked});请重新安装,或把 {variable} 设为模板文件夹",
        .periodBackwards: "推广周期的结束日期 {end} 早于开始日期 {start}",
        .notAColumnType: "{at}:“{value}”不是列类型(可用:{types})",
        .notJSON: "不是有效的 JSON",
        .lacksKey: "{at}缺少“{key}”",
        .decodingDetail: "{detail}",
    ]
}

public typealias TemplateMessage = Message<TemplateMessageKey>

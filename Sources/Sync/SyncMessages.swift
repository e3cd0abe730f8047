import XLSX

/// Everything a sync or an export says when it stops; the words are in the catalogs below, one
/// per language.
public enum SyncMessageKey: String, MessageKey {
    case noCampaign, noCampaignNone, noTemplateSheet, templateAmbiguous
    case campaignOptionWithSeveral, tooManyCampaigns, workbookNotReplaced, rowsSortedWithoutIDs
    case templateDiffers, boundToAnother, campaignNameInvalid

    public static let english: [Self: String] = [
        .noCampaign: "the store {location} has no campaign \"{campaign}\" (campaigns: {campaigns})",
        .noCampaignNone: "none",
        .noTemplateSheet: "{path}: no sheet matches a template, so there is nothing to sync",
        .templateAmbiguous: "{path}: the sheet {sheet} fits the templates {chosen} and {other} about equally; run sync with --template to say which it is",
        .campaignOptionWithSeveral: "{path} holds {count} campaigns; --campaign {campaign} cannot name them all: sync without --campaign (each is bound to the campaign its sheets or titles name)",
        .tooManyCampaigns: "{path} holds {count} campaigns (sheets of the same template repeated); one sync takes at most {most}: split the workbook, one file per group of campaigns",
        .workbookNotReplaced: "the store was updated but {path} could not be replaced ({why}); the merged workbook is at {staged} — sync again to finish",
        .rowsSortedWithoutIDs: "{path}: the rows of {sheet} were sorted without their row identities (rows {rows} hold what other rows held at the last sync); nothing was changed — undo the sort, or sort the hidden tracksheet-id column with the rows, then sync again",
        .templateDiffers: "the campaign \"{campaign}\" in the store uses the {stored} template, this workbook {template}",
        .boundToAnother: "this workbook is bound to the campaign \"{bound}\", not \"{campaign}\"; copy it with tracksheet export to start another",
        .campaignNameInvalid: "the campaign name \"{campaign}\" is empty or too long; give one with --campaign",
    ]

    public static let chinese: [Self: String] = [
        .noCampaign: "存储库 {location} 中没有活动“{campaign}”(现有活动:{campaigns})",
        .noCampaignNone: "无",
        .noTemplateSheet: "{path}:没有与模板匹配的工作表,无可同步的内容",
        .templateAmbiguous: "{path}:工作表“{sheet}”与模板 {chosen} 和 {other} 的吻合程度相当;请用 --template 指定模板后再同步",
        .campaignOptionWithSeveral: "{path} 包含 {count} 个活动;--campaign {campaign} 无法同时指定:请去掉 --campaign 再同步(各活动按其工作表名或标题绑定)",
        .tooManyCampaigns: "{path} 包含 {count} 个活动(同一模板的工作表重复出现);一次同步最多 {most} 个:请把工作簿拆分为多个文件",
        .workbookNotReplaced: "存储库已更新,但无法替换 {path}({why});合并后的工作簿在 {staged},请再次同步",
        .rowsSortedWithoutIDs: "{path}:“{sheet}”的行被排序时没有带上隐藏的行标识(第 {rows} 行是上次同步时其他行的内容);未做任何修改——请撤销排序,或连同隐藏的 tracksheet-id 列一起排序后再同步",
        .templateDiffers: "存储库中的活动“{campaign}”使用 {stored} 模板,而此工作簿使用 {template}",
        .boundToAnother: "此工作簿已绑定活动“{bound}”,而不是“{campaign}”;如需另一个活动,请用 tracksheet export 导出新工作簿",
        .campaignNameInvalid: "活动名称“{campaign}”为空或过长;请用 --campaign 指定",
    ]
}

typealias SyncMessage = Message<SyncMessageKey>

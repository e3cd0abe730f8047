import XLSX

/// Everything the store says; the words are in the catalogs below, one per language.
public enum StoreMessageKey: String, MessageKey {
    case postgresAddress, postgresPort, postgresUnreachable, postgresRefused, postgresSilent
    case schemaNewer, rowIDForeign, rowVersionForeign, campaignNotCreated, rowChangedDuringSync
    case sqliteCannotOpen, sqlitePathEmpty, sqliteNotAFile, sqliteNotRegular

    public static let english: [Self: String] = [
        .postgresAddress: "{location} is not a PostgreSQL address such as postgres://user:password@localhost:5432/tracksheet",
        .postgresPort: "{location} names the port {port}, which is not a port (1–65535)",
        .postgresUnreachable: "cannot reach the PostgreSQL store {location}: {why}",
        .postgresRefused: "the PostgreSQL store {location} refused: {why}",
        .postgresSilent: "the PostgreSQL server did not answer for {seconds} s (the connection was lost or the server stopped); nothing was committed",
        .schemaNewer: "the store's schema is version {version}, newer than this tracksheet knows: upgrade tracksheet",
        .rowIDForeign: "the store's table {table} holds a row whose id \"{id}\" tracksheet did not make (added by hand or by another tool); give it an id from tracksheet (delete the row and add it in the workbook) and sync again",
        .rowVersionForeign: "the store's row {id} in {table} has the version {version} and position {position}, which tracksheet never writes: the store was edited by hand or is damaged",
        .campaignNotCreated: "the campaign \"{campaign}\" could not be created in the store",
        .rowChangedDuringSync: "the store's row {id} changed while this sync ran; nothing was changed — run sync again",
        .sqliteCannotOpen: "cannot open the SQLite store {path}: {why}",
        .sqlitePathEmpty: "the store path is empty: name a file (--store team.db) or a PostgreSQL address",
        .sqliteNotAFile: "{path} is not a file a store can be kept in (an in-memory or URI database keeps nothing after the sync): name a file such as team.db",
        .sqliteNotRegular: "the store {path} is not a regular file ({kind})",
    ]

    public static let chinese: [Self: String] = [
        .postgresAddress: "{location} 不是有效的 PostgreSQL 地址(例如 postgres://user:password@localhost:5432/tracksheet)",
        .postgresPort: "{location} 中的端口 {port} 无效(应为 1–65535)",
        .postgresUnreachable: "无法连接 PostgreSQL 存储库 {location}:{why}",
        .postgresRefused: "PostgreSQL 存储库 {location} 拒绝了操作:{why}",
        .postgresSilent: "PostgreSQL 服务器 {seconds} 秒内没有响应(连接已断开或服务器已停止);未提交任何修改",
        .schemaNewer: "存储库的结构版本为 {version},比当前 tracksheet 新:请升级 tracksheet",
        .rowIDForeign: "存储库 {table} 中有一行的 id“{id}”不是 tracksheet 生成的(手工或其他工具添加);请删除该行并在工作簿中重新添加后再同步",
        .rowVersionForeign: "存储库 {table} 中的行 {id} 的版本 {version}、位置 {position} 不是 tracksheet 写入的值:存储库被手工修改或已损坏",
        .campaignNotCreated: "无法在存储库中创建活动“{campaign}”",
        .rowChangedDuringSync: "同步过程中存储库的行 {id} 被修改;未做任何更改,请重新同步",
        .sqliteCannotOpen: "无法打开 SQLite 存储库 {path}:{why}",
        .sqlitePathEmpty: "存储库路径为空:请指定文件(--store team.db)或 PostgreSQL 地址",
        .sqliteNotAFile: "{path} 不是可长期保存的存储库文件(内存或 URI 数据库在同步后不保留任何内容):请指定文件,例如 team.db",
        .sqliteNotRegular: "存储库 {path} 不是普通文件({kind})",
    ]
}

public typealias StoreMessage = Message<StoreMessageKey>

//! Every word list the model reads labels, sentences and headings with, in one place.

/// Label words that put a figure outside the plan's breakdowns.
pub const EXCLUDE: &[&str] = &[
    "浮动",
    "上年",
    "去年",
    "上一年",
    "比上年",
    "同比",
    "环比",
    "增长",
    "增加",
    "减少",
    "下降",
    "年均",
    "平均",
    "容积率",
    "地价",
    "价格",
    "单价",
    "楼面",
    "起始价",
    "底价",
    "累计",
    "历年",
    "前三年",
    "近三年",
    "近五年",
    "以往",
    // The plan before an adjustment ("原计划供应总量300公顷"): not this plan's figures.
    "原计划",
    "原供应",
    "原储备",
    "调整前",
];

/// Words naming a class or housing type: a 规模 of one class is not the plan total.
pub const CLASS_WORDS: &[&str] = &[
    "住宅",
    "商服",
    "商业",
    "工矿",
    "工业",
    "仓储",
    "公共管理",
    "交通",
    "水域",
    "特殊",
    "保障",
    "商品",
    "租赁",
    "棚户",
    "新增",
    "存量",
];

/// Headings of sections about the past, whose figures are history in a plan.
pub const HISTORY_HEADINGS: &[&str] = &[
    "执行情况",
    "完成情况",
    "实施情况",
    "执行评价",
    "实施评价",
    "回顾",
    "总结",
];

/// Words that make a sentence about a past year a statement of history.
pub const HISTORY_WORDS: &[&str] = &[
    "情况",
    "实际",
    "完成",
    "已",
    "上年",
    "去年",
    "累计",
    "共供应",
    "供应了",
    "实现",
];

/// Label words that make a figure a whole.
pub const TOTAL_WORDS: &[&str] = &[
    "实际供应",
    "完成供应",
    "已供应",
    "实际储备",
    "已收储",
    "实际收储",
    "调整后",
    "总量",
    "总规模",
    "储备规模",
    "供应规模",
    "总面积",
    "合计",
    "总计",
    "计划储备",
    "计划供应",
    "供应量",
    "储备量",
    "规模",
    "拟供应",
    "拟储备",
    "计划收储",
    "收储规模",
    "供应面积",
];

/// Words naming a kind of housing (a housing sub-item).
pub const HOUSING_WORDS: &[&str] = &[
    "保障性",
    "棚户区",
    "棚改",
    "商品住房",
    "商品房",
    "租赁住房",
    "廉租",
    "经济适用",
    "公共租赁",
    "安置房",
    "中小套型",
    "共有产权",
    "人才住房",
    "公租房",
];

/// Endings of place names (townships, districts, parks).
pub const PLACE_SUFFIXES: &[&str] = &[
    "街道办事处",
    "街道",
    "开发区",
    "新区",
    "园区",
    "工业区",
    "办事处",
    "片区",
    "组团",
    "县域",
    "本级",
    "管委会",
    "镇",
    "乡",
    "区",
    "场",
    "县",
    "市",
    "旗",
];

/// Words after a class name that do not change what it names: "住宅用地供应面积为…",
/// "工业用地计划供应…", "商服用地的面积" all speak of the class.
pub const CLASS_TAILS: &[&str] = &[
    "计划供应面积",
    "拟供应面积",
    "供应面积",
    "供地面积",
    "计划供应",
    "拟供应",
    "供应规模",
    "供应量",
    "供应",
    "供地",
    "计划安排",
    "安排",
    "储备规模",
    "储备面积",
    "储备",
    "收储",
    "面积",
    "规模",
    "计划",
    "的",
];

/// Words after which a label no longer names a place (红旗乡|土地供应量为…).
pub const PLACE_STOPS: &[&str] = &[
    "土地", "供应", "计划", "用地", "储备", "面积", "规模", "合计", "小计", "拟", "共", "为", "的",
    "安排",
];

/// Words that make a figure an outcome rather than a plan.
pub const ACTUAL_WORDS: &[&str] = &["实际", "已供", "已收储", "完成", "累计"];

/// Words that close a list as its remainder (其他, 其余 …): the list is then exhaustive.
pub const REMAINDER_WORDS: &[&str] = &["其他", "其它", "其余", "剩余"];

/// Words of a label that make a figure the plan's (供应, 储备 …), not background.
pub const PLAN_WORDS: &[&str] = &["供应", "储备", "收储", "供地", "出让", "计划"];

/// Topics of an inline heading ("（五）供应结构。…") about the plan's parts.
pub const HEADING_TOPICS: &[&str] = &[
    "总量", "规模", "结构", "布局", "时序", "方式", "用途", "来源", "资金", "安排", "住房", "执行",
    "情况", "分布",
];

/// Label words that make a % figure something other than a share (完成率, 增长 …).
pub const NOT_SHARE_WORDS: &[&str] = &["完成", "达到", "率", "增", "降", "减", "不低于", "不超过"];

/// Words before class parts that make them parts of the plan total (…总量中，…).
pub const SPEAKS_OF_TOTAL: &[&str] = &[
    "总量",
    "总规模",
    "储备规模",
    "供应规模",
    "总面积",
    "按用途",
    "按用地类型",
    "按土地用途",
    "分用途",
];

/// Words before class parts that make them a selection, not the whole structure.
pub const SELECTION_WORDS: &[&str] = &["重点", "主要", "优先", "包括", "含"];

/// Words of the title that make a line the title (计划, 方案, 通知 …).
pub const TITLE_WORDS: &[&str] = &["计划", "规划", "报告", "方案", "情况", "通知", "公告"];

/// Words of a label that make a 上年末 figure the reserve's stock.
pub const STOCK_WORDS: &[&str] = &["库存", "储备"];

/// Words of a label that make a figure a stock as of a date (截至上年末), not a part.
pub const AS_OF_WORDS: &[&str] = &["截至", "截止", "底"];

/// Words that make a 新增/存量 figure quota used (使用新增建设用地计划指标), not a part.
pub const QUOTA_WORDS: &[&str] = &["指标", "使用", "下达", "消化", "盘活利用"];

/// Words of a timing item (时序).
pub const TIMING_WORDS: &[&str] = &["季度", "上半年", "下半年"];

/// Ways of 出让 (招拍挂, 协议): sub-items of the 出让 method.
pub const SALE_WAY_WORDS: &[&str] = &["招拍挂", "招标", "拍卖", "挂牌", "协议出让", "协议方式"];

/// Words of a batch of parcels put on the market together (首批集中出让, 第二批次): a batch is
/// a part of its method (or of the year), never another method beside it.
pub const BATCH_WORDS: &[&str] = &[
    "首批",
    "第一批",
    "第二批",
    "第三批",
    "第四批",
    "批次",
    "分批",
    "本批",
    "该批",
    "末批",
];

/// Supply methods (供应方式).
pub const METHOD_WORDS: &[&str] = &["划拨", "出让", "租赁方式", "作价出资", "作价入股"];

/// Reserve methods (储备方式) of a reserve plan.
pub const RESERVE_METHOD_WORDS: &[&str] = &["收购", "收回", "征收", "置换", "划转"];

/// Words of an affordable-housing item.
pub const AFFORDABLE_WORDS: &[&str] = &["保障性", "安居"];

/// Words of a commercial-housing item.
pub const COMMERCIAL_HOUSING_WORDS: &[&str] = &["商品住房", "商品房", "商品住宅"];

/// Words of a housing item that is a subset of another (中小套型 of 商品住房, 棚改 of 安居工程).
pub const HOUSING_SUBSET_WORDS: &[&str] = &["中小套型", "棚户区", "棚改", "其中", "90平方米"];

/// Column headers that name a parcel when the list has no id column.
pub const PARCEL_NAME_HEADERS: [&str; 4] = ["地块名称", "项目名称", "宗地名称", "地块位置名称"];

/// Words before a parcel's location in prose (坐落：…).
pub const LOCATION_WORDS: &[&str] = &["坐落", "位置", "地址"];

/// Words that introduce the stated period.
pub const PERIOD_WORDS: &[&str] = &[
    "计划期限",
    "规划期限",
    "期限为",
    "计划期为",
    "规划期为",
    "执行期",
];

/// Five-year plans named in titles, with their years.
pub const FIVE_YEAR_PLANS: &[(&str, i32, i32)] = &[
    ("十三五", 2016, 2020),
    ("十四五", 2021, 2025),
    ("十五五", 2026, 2030),
];

/// Words between a figure and the next that start another matter (not its 其中 clause).
pub const ANOTHER_MATTER_WORDS: &[&str] = &["另", "此外", "；", ";", "同时"];

/// Column headers of a table's total column (合计, 面积 …).
pub const TABLE_TOTAL_HEADERS: &[&str] = &["合计", "总计", "总面积", "面积", "规模"];

/// Column headers of a row's total column.
pub const ROW_TOTAL_HEADERS: &[&str] = &["合计", "小计", "总计", "总面积", "总量"];

/// Section words under which a table's 合计 is the plan total restated.
pub const TOPICAL_SECTION_WORDS: &[&str] = &["布局", "分布", "区域", "结构"];

/// Section words under which a table is a part (新增, 存量) or history, not the plan.
pub const PART_SECTION_WORDS: &[&str] = &["新增", "存量", "库存", "上年", "执行"];

/// Words of a plan's table caption (an Excel 附表 titled without 计划).
pub const PLAN_TABLE_WORDS: &[&str] = &["土地储备", "建设用地供应", "土地供应"];

/// Words of an execution report's title.
pub const EXECUTION_TITLE_WORDS: &[&str] = &["执行情况", "实施情况", "完成情况", "执行报告"];

/// Titles of a housing-land plan.
pub const HOUSING_PLAN_TITLES: &[&str] = &["住房用地供应计划", "住宅用地供应计划", "住房用地计划"];

/// A notice's verbs before the region ("关于调整某市…").
pub const NOTICE_VERBS: &[&str] = &[
    "调整", "印发", "公布", "下达", "发布", "公开", "批准", "修改", "变更", "实施",
];

/// Words where a title's region ends.
pub const REGION_ENDS: [&str; 7] = [
    "国有建设用地",
    "土地",
    "年度",
    "住房",
    "住宅",
    "关于",
    "建设用地",
];

/// Issuing offices, which are not the region ("某县人民政府关于…").
pub const ISSUING_OFFICES: [&str; 9] = [
    "人民政府办公室",
    "人民政府办公厅",
    "人民政府",
    "自然资源和规划局",
    "自然资源局",
    "自然资源厅",
    "国土资源局",
    "土地储备中心",
    "土地储备和整理中心",
];

/// What may stand in brackets (or after a slash) before a restatement in another unit.
pub const RESTATE_IN_BRACKETS: &[&str] = &[
    "",
    "约",
    "合",
    "折合",
    "折合约",
    "约合",
    "即",
    "计",
    "相当于",
];

/// What may stand after a comma before a restatement in another unit.
pub const RESTATE_AFTER_COMMA: &[&str] = &["折合", "合", "约合", "折合约", "即", "相当于"];

/// True when `s` contains any of `words`.
pub fn contains_any(s: &str, words: &[&str]) -> bool {
    words.iter().any(|w| s.contains(w))
}

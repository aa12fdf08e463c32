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

/// True when `s` contains any of `words`.
pub fn contains_any(s: &str, words: &[&str]) -> bool {
    words.iter().any(|w| s.contains(w))
}

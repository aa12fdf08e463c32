//! Web pages: a plan published as an HTML page (the usual form on a government site) → lines.
//!
//! The page is parsed with html5ever (through `scraper`), the browsers' parsing algorithm, so the
//! tag soup of real sites (unclosed `<p>`, `<font>` inside `<td>`, tables used for layout) comes
//! out as a browser would see it. Then:
//!
//! 1. **Page chrome is dropped**: `script`, `style`, `head`, `nav`, `header`, `footer`, `aside`,
//!    forms and inline SVG (charts carry labels and figures that are not the plan's text).
//! 2. **The article is found**: from `body`, the walk descends into the one child that holds most
//!    of the page's Chinese text (a layout table's cell, a `div class="article"`), and stops where
//!    the text is spread over several children, the paragraphs of the article. Related-article
//!    lists and footers in side columns, with other years and other plans in them, stay outside.
//!    The page's `<h1>` titles (or the `<title>`) outside that article are put first, since the
//!    plan's name is often a sibling of its body.
//! 3. **The article is laid out as the docx reader lays out a Word document**: each block
//!    (`p`, `div`, `h1`–`h6`, `li`, `br`) is a line; each table row one line with its cells
//!    separated by a tab. `colspan` leaves empty cells after the cell and `rowspan` leaves empty
//!    cells in the rows below, so that every cell stays under its header column. A table inside a
//!    cell is flattened into that cell's text.
//!
//! Whitespace is collapsed as a browser does, except that a line break between two Chinese
//! characters is removed rather than turned into a space (the source of many pages wraps its
//! Chinese text at arbitrary points).
//!
//! Nesting is bounded before the walk: a chain of wrappers (`div` in `div`, `span` in `font`)
//! lays out as one wrapper and is read as one, and whatever still sits deeper than
//! [`MAX_DEPTH`] elements is read as its text alone, with a note ([`HtmlText::flattened`]).
//! A page nested 100,000 `div`s deep is then read in time linear in its size.

use scraper::{ElementRef, Html, Node};

type NodeRef<'a> = ego_tree::NodeRef<'a, Node>;

/// Whether decoded text looks like an HTML page rather than plain text.
///
/// Looks for a doctype or one of the tags that open a page or its body among the first non-blank
/// characters (after a BOM or an XML declaration).
pub fn looks_like_html(text: &str) -> bool {
    let head: String = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .take(1024)
        .collect::<String>()
        .to_ascii_lowercase();
    let head = if head.starts_with("<?xml") {
        match head.find("?>") {
            Some(i) => head[i + 2..].trim_start().to_string(),
            None => return false,
        }
    } else {
        head
    };
    const OPENERS: [&str; 10] = [
        "<!doctype html",
        "<html",
        "<head",
        "<body",
        "<meta",
        "<title",
        "<table",
        "<div",
        "<p>",
        "<!--",
    ];
    OPENERS.iter().any(|o| head.starts_with(o))
        && (head.contains("<html")
            || head.contains("<body")
            || head.contains("<p")
            || head.contains("<table")
            || head.contains("<div"))
}

/// The deepest nesting laid out element by element; deeper content is read as its text.
pub const MAX_DEPTH: usize = 256;

/// A page laid out as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HtmlText {
    /// The lines.
    pub text: String,
    /// Elements nested deeper than [`MAX_DEPTH`] (after wrapper chains are merged) were read
    /// as their text only: their paragraphs and tables are not told apart.
    pub flattened: bool,
}

/// Lay out an HTML page as text lines (see the module documentation).
pub fn html_to_text(html: &str) -> String {
    html_to_document(html).text
}

/// The deepest nesting of elements with an end tag kept in the source given to the parser: the
/// browsers' algorithm looks through the open elements for each new block, so that a page
/// nested 100,000 `div`s deep would take it minutes.
pub const MAX_SOURCE_DEPTH: usize = 1024;

/// Lay out an HTML page as text lines, saying whether deep nesting was flattened.
pub fn html_to_document(html: &str) -> HtmlText {
    let limited = limit_nesting(html, MAX_SOURCE_DEPTH);
    let mut doc = Html::parse_document(limited.as_deref().unwrap_or(html));
    merge_wrapper_chains(&mut doc);
    let flattened = flatten_deep(&mut doc) || limited.is_some();
    HtmlText {
        text: lay_out(&doc),
        flattened,
    }
}

/// Elements whose end tag may be left out, or that have none: they are not counted as nesting
/// (sloppy pages leave thousands of `<p>` and `<td>` open).
fn nests_without_end_tag(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
            | "keygen"
            | "html"
            | "head"
            | "body"
            | "p"
            | "li"
            | "dt"
            | "dd"
            | "option"
            | "optgroup"
            | "tr"
            | "td"
            | "th"
            | "thead"
            | "tbody"
            | "tfoot"
            | "colgroup"
            | "caption"
            | "rb"
            | "rt"
            | "rtc"
            | "rp"
    )
}

/// The source without the start tags (and their end tags) nested deeper than `max`, counted
/// naively by tag (elements whose end tag may be omitted not counted); `None` when nothing is
/// that deep. Text, comments and the contents of scripts are kept as they are.
fn limit_nesting(html: &str, max: usize) -> Option<String> {
    let b = html.as_bytes();
    let find = |from: usize, pat: &[u8]| {
        b[from.min(b.len())..]
            .windows(pat.len())
            .position(|w| w.eq_ignore_ascii_case(pat))
            .map(|p| from + p)
    };
    let mut out: Option<String> = None;
    let mut kept = 0; // bytes of `html` copied (or to copy) up to here
    let mut depth = 0usize;
    let mut dropped: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut i = 0;
    while let Some(p) = b[i..].iter().position(|&c| c == b'<') {
        let lt = i + p;
        let rest = &b[lt + 1..];
        // Comments, doctypes, processing instructions.
        if rest.starts_with(b"!--") {
            i = find(lt + 4, b"-->").map_or(b.len(), |e| e + 3);
            continue;
        }
        if rest.first().is_some_and(|&c| c == b'!' || c == b'?') {
            i = find(lt + 1, b">").map_or(b.len(), |e| e + 1);
            continue;
        }
        let end_tag = rest.first() == Some(&b'/');
        let name_start = lt + 1 + usize::from(end_tag);
        let name_len = b[name_start..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        if name_len == 0 || !b[name_start].is_ascii_alphabetic() {
            i = lt + 1;
            continue;
        }
        let name = html[name_start..name_start + name_len].to_ascii_lowercase();
        // The end of the tag, quoted attribute values skipped.
        let mut e = name_start + name_len;
        let mut quote = None;
        while e < b.len() {
            match (quote, b[e]) {
                (None, b'"' | b'\'') => quote = Some(b[e]),
                (Some(q), c) if c == q => quote = None,
                (None, b'>') => break,
                _ => {}
            }
            e += 1;
        }
        let tag_end = (e + 1).min(b.len());
        let self_closing = e > 0 && b[e - 1] == b'/';
        let mut drop = false;
        if !nests_without_end_tag(&name) && !self_closing {
            if end_tag {
                match dropped.get_mut(&name) {
                    Some(n) if *n > 0 => {
                        *n -= 1;
                        drop = true;
                    }
                    _ => depth = depth.saturating_sub(1),
                }
            } else if depth >= max {
                *dropped.entry(name.clone()).or_default() += 1;
                drop = true;
            } else {
                depth += 1;
            }
        }
        if drop {
            let o = out.get_or_insert_with(|| String::with_capacity(html.len()));
            o.push_str(&html[kept..lt]);
            kept = tag_end;
        }
        i = tag_end;
        // The raw text of a script or style is not markup.
        if !end_tag && matches!(name.as_str(), "script" | "style" | "textarea" | "xmp") {
            let close = format!("</{name}");
            i = find(i, close.as_bytes()).unwrap_or(b.len());
        }
    }
    out.map(|mut o| {
        o.push_str(&html[kept..]);
        o
    })
}

/// Wrappers that lay out as one when nested in one another with nothing else beside them.
fn wrapper_class(name: &str) -> Option<bool> {
    match name {
        "div" | "section" | "article" | "main" | "center" => Some(true),
        "span" | "font" | "b" | "i" | "u" | "em" | "strong" | "small" | "big" => Some(false),
        _ => None,
    }
}

/// The only element child of `n` when every other child is whitespace.
fn only_element_child(n: NodeRef<'_>) -> Option<ego_tree::NodeId> {
    let mut found = None;
    for c in n.children() {
        match c.value() {
            Node::Element(_) if found.is_none() => found = Some(c.id()),
            Node::Element(_) => return None,
            Node::Text(t) if t.trim().is_empty() => {}
            Node::Comment(_) => {}
            _ => return None,
        }
    }
    found
}

/// Merge chains of wrappers of one kind (block or inline): `<div><div><div>…</div></div></div>`
/// lays out as one `div`, so the inner ones give their children to the outer one.
fn merge_wrapper_chains(doc: &mut Html) {
    let mut stack = vec![doc.tree.root().id()];
    while let Some(id) = stack.pop() {
        let Some(node) = doc.tree.get(id) else {
            continue;
        };
        if let Some(class) = element(node).and_then(|e| wrapper_class(e.name())) {
            // Absorb the single wrapper child as long as there is one.
            while let Some(node) = doc.tree.get(id) {
                let Some(child) = only_element_child(node) else {
                    break;
                };
                let same = doc
                    .tree
                    .get(child)
                    .and_then(|c| element(c))
                    .and_then(|e| wrapper_class(e.name()))
                    == Some(class);
                if !same {
                    break;
                }
                let Some(mut me) = doc.tree.get_mut(id) else {
                    break;
                };
                me.reparent_from_id_append(child);
                if let Some(mut c) = doc.tree.get_mut(child) {
                    c.detach();
                }
            }
        }
        if let Some(node) = doc.tree.get(id) {
            stack.extend(node.children().map(|c| c.id()));
        }
    }
}

/// Read whatever sits deeper than [`MAX_DEPTH`] elements as its text alone. True when any did.
fn flatten_deep(doc: &mut Html) -> bool {
    let mut cut = Vec::new();
    let mut stack = vec![(doc.tree.root().id(), 0usize)];
    while let Some((id, depth)) = stack.pop() {
        let Some(node) = doc.tree.get(id) else {
            continue;
        };
        if depth == MAX_DEPTH && node.children().any(|c| c.has_children()) {
            cut.push(id);
            continue;
        }
        stack.extend(node.children().map(|c| (c.id(), depth + 1)));
    }
    for &id in &cut {
        let Some(node) = doc.tree.get(id) else {
            continue;
        };
        // Its text in document order, chrome (scripts, styles …) left out.
        let mut text = String::new();
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            match n.value() {
                Node::Text(t) => text.push_str(t),
                Node::Element(e) if is_chrome(e.name()) => {}
                _ => stack.extend(n.children().rev()),
            }
        }
        let children: Vec<ego_tree::NodeId> = node.children().map(|c| c.id()).collect();
        for c in children {
            if let Some(mut c) = doc.tree.get_mut(c) {
                c.detach();
            }
        }
        if let Some(mut n) = doc.tree.get_mut(id) {
            n.append(Node::Text(scraper::node::Text { text: text.into() }));
        }
    }
    !cut.is_empty()
}

/// Lay out a parsed page.
fn lay_out(doc: &Html) -> String {
    let root = doc.root_element();
    let body = root
        .children()
        .filter_map(ElementRef::wrap)
        .find(|e| e.value().name() == "body")
        .unwrap_or(root);
    let article = find_article(*body);
    let mut layout = Layout::default();
    layout.block(article);
    let text = layout.finish();
    // Titles outside the article come first: the plan's name is often a sibling of its body.
    let mut titles = Vec::new();
    collect_titles(*body, article, &mut titles);
    if titles.is_empty() {
        // The article names itself when its first line is a title, not a sentence.
        let first = text.lines().next().unwrap_or("");
        let named = first.chars().count() <= 60
            && !first.contains(['，', '。'])
            && ["计划", "方案", "通知", "公告", "公示", "规划", "报告"]
                .iter()
                .any(|w| first.contains(w));
        if !named {
            titles.extend(page_title(root));
        }
    }
    let mut out = String::new();
    for t in titles {
        out.push_str(&t);
        out.push('\n');
    }
    out.push_str(&text);
    out
}

/// Elements whose content is never the plan's text.
fn is_chrome(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "head"
            | "nav"
            | "header"
            | "footer"
            | "aside"
            | "form"
            | "select"
            | "button"
            | "svg"
            | "math"
            | "canvas"
            | "iframe"
            | "object"
            | "embed"
            | "audio"
            | "video"
    )
}

/// Elements that start a new line.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "section"
            | "article"
            | "main"
            | "blockquote"
            | "pre"
            | "center"
            | "address"
            | "figure"
            | "figcaption"
            | "caption"
            | "hr"
            | "body"
            | "html"
    )
}

fn element(n: NodeRef<'_>) -> Option<&scraper::node::Element> {
    n.value().as_element()
}

fn name_of(n: NodeRef<'_>) -> &str {
    element(n).map(|e| e.name()).unwrap_or("")
}

/// The weight of a subtree, chrome excluded: its sentence punctuation (，。；), which paragraphs
/// are dense in and link lists, data tables and footers are nearly free of.
fn weight(n: NodeRef<'_>) -> usize {
    let mut w = 0;
    let mut stack = vec![n];
    while let Some(n) = stack.pop() {
        match n.value() {
            Node::Text(t) => {
                w += t
                    .chars()
                    .filter(|c| matches!(c, '，' | '。' | '；'))
                    .count()
            }
            Node::Element(e) if is_chrome(e.name()) => {}
            _ => stack.extend(n.children()),
        }
    }
    w
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}')
}

/// The element holding the article: descend while one child holds most of the text.
fn find_article(body: NodeRef<'_>) -> NodeRef<'_> {
    let mut node = body;
    loop {
        // Sentences decide: a page without any (tables only) is taken whole, chrome excepted.
        let total = weight(node);
        if total == 0 {
            return node;
        }
        let name = name_of(node);
        // A table is entered only when it is a layout table.
        if name == "table" && !is_layout_table(node) {
            return node;
        }
        let best = node
            .children()
            .filter(|c| c.value().is_element() && !is_chrome(name_of(*c)))
            .map(|c| (c, weight(c)))
            .max_by_key(|(_, w)| *w);
        let Some((best, w)) = best else {
            return node;
        };
        // Text directly in this node (outside its element children) counts against descending;
        // a paragraph, or a block holding no blocks of its own (a paragraph written as a div), is
        // part of the article, not the article.
        if w * 10 < total * 7
            || matches!(
                name_of(best),
                "p" | "h1" | "h2" | "h3" | "h4" | "li" | "pre"
            )
            || !best.descendants().skip(1).any(|d| {
                matches!(
                    name_of(d),
                    "p" | "div" | "table" | "tr" | "h1" | "h2" | "h3" | "li" | "section"
                )
            })
        {
            return node;
        }
        node = best;
    }
}

/// A table used to lay out a page rather than to hold figures: a cell holds another table or
/// several paragraphs of sentences (a data table's cell holds a phrase, or a paragraph or two in
/// Word's web pages), or the table has a single row.
fn is_layout_table(table: NodeRef<'_>) -> bool {
    let rows = rows_of(table);
    rows.len() == 1
        || rows.iter().any(|r| {
            r.children().any(|cell| {
                let mut blocks = 0;
                for d in cell.descendants().skip(1) {
                    match name_of(d) {
                        "table" => return true,
                        "p" | "div" | "h1" | "h2" | "h3" | "h4" | "ul" | "ol" | "section" => {
                            blocks += 1
                        }
                        _ => {}
                    }
                }
                // Several paragraphs with sentences: body text laid out in a cell (a data cell
                // of a Word table may hold a few short paragraphs, but not prose).
                blocks >= 3 && weight(cell) > 0
            })
        })
}

/// The rows of a table in the order a browser draws them: `thead` rows, body rows, then `tfoot`
/// rows (a 合计 row in a `tfoot` written before the body still comes last).
fn rows_of(table: NodeRef<'_>) -> Vec<NodeRef<'_>> {
    let (mut head, mut body, mut foot) = (Vec::new(), Vec::new(), Vec::new());
    for c in table.children() {
        let rows = || c.children().filter(|r| name_of(*r) == "tr");
        match name_of(c) {
            "tr" => body.push(c),
            "thead" => head.extend(rows()),
            "tbody" => body.extend(rows()),
            "tfoot" => foot.extend(rows()),
            _ => {}
        }
    }
    head.extend(body);
    head.extend(foot);
    head
}

/// `h1` elements outside the article, in page order.
fn collect_titles(n: NodeRef<'_>, article: NodeRef<'_>, out: &mut Vec<String>) {
    if n.id() == article.id() {
        return;
    }
    match name_of(n) {
        x if is_chrome(x) => {}
        "h1" => {
            let t = inline_text(n);
            if !t.is_empty() {
                out.push(t);
            }
        }
        _ => {
            for c in n.children() {
                collect_titles(c, article, out);
            }
        }
    }
}

/// The page `<title>`, without the site name that follows a separator.
fn page_title(root: ElementRef<'_>) -> Option<String> {
    let title = root
        .descendants()
        .find(|d| name_of(*d) == "title")
        .map(inline_text)?;
    let mut main = title
        .split(['_', '|', '｜'])
        .next()
        .unwrap_or("")
        .split(" - ")
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    // "…计划-某市人民政府门户网站": a site name after a dash (a year range keeps its dash).
    if let Some(i) = main.rfind(['-', '－', '—']) {
        let tail = main[i..].trim_start_matches(['-', '－', '—']);
        let site = ["网", "网站", "政府", "局", "厅", "门户", "中心"]
            .iter()
            .any(|w| tail.ends_with(w))
            && !tail.chars().any(|c| c.is_ascii_digit());
        if site {
            main.truncate(i);
        }
    }
    let main = main.trim().to_string();
    (!main.is_empty()).then_some(main)
}

/// The text under `n` on one line: blocks and line breaks become spaces.
fn inline_text(n: NodeRef<'_>) -> String {
    let mut l = Layout {
        inline: true,
        ..Layout::default()
    };
    l.walk(n);
    collapse_spaces(l.cur.trim())
}

fn collapse_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c == ' ' || c == '\n' || c == '\t' {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out
}

/// Text being laid out: finished lines and the line being filled.
#[derive(Default)]
struct Layout {
    out: String,
    cur: String,
    /// Whitespace seen since the last character of `cur`, and whether it held a line break.
    pending_space: bool,
    pending_break: bool,
    /// Inside a table cell: blocks become spaces, not lines.
    inline: bool,
}

impl Layout {
    fn text(&mut self, t: &str) {
        for c in t.chars() {
            match c {
                '\n' | '\r' => {
                    self.pending_space = true;
                    self.pending_break = true;
                }
                ' ' | '\t' | '\u{a0}' | '\u{3000}' | '\u{200b}' | '\u{feff}' => {
                    self.pending_space = true
                }
                c => {
                    if self.pending_space && !self.cur.is_empty() {
                        let prev = self.cur.chars().next_back().unwrap_or(' ');
                        let joined =
                            self.pending_break && is_cjk_or_punct(prev) && is_cjk_or_punct(c);
                        if !joined && prev != ' ' {
                            self.cur.push(' ');
                        }
                    }
                    self.pending_space = false;
                    self.pending_break = false;
                    self.cur.push(c);
                }
            }
        }
    }

    /// End the current line (a space when laying out a cell).
    fn flush(&mut self) {
        if self.inline {
            self.pending_space = true;
            self.pending_break = false;
            return;
        }
        let line = self.cur.trim_end();
        if !line.is_empty() {
            self.out.push_str(line);
            self.out.push('\n');
        }
        self.cur.clear();
        self.pending_space = false;
        self.pending_break = false;
    }

    fn line(&mut self, s: &str) {
        self.flush();
        self.cur.push_str(s);
        self.flush();
    }

    fn block(&mut self, n: NodeRef<'_>) {
        self.flush();
        self.walk(n);
        self.flush();
    }

    fn walk(&mut self, n: NodeRef<'_>) {
        match n.value() {
            Node::Text(t) => self.text(t),
            Node::Element(e) => {
                let name = e.name();
                if is_chrome(name) {
                    return;
                }
                match name {
                    "br" => self.flush(),
                    "table" if !self.inline => self.table(n),
                    "td" | "th" if self.inline => {
                        self.pending_space = true;
                        for c in n.children() {
                            self.walk(c);
                        }
                        self.pending_space = true;
                    }
                    "tr" if self.inline => {
                        self.pending_space = true;
                        for c in n.children() {
                            self.walk(c);
                        }
                        self.pending_space = true;
                    }
                    _ if is_block(name) => {
                        self.flush();
                        for c in n.children() {
                            self.walk(c);
                        }
                        self.flush();
                    }
                    _ => {
                        for c in n.children() {
                            self.walk(c);
                        }
                    }
                }
            }
            Node::Document | Node::Fragment => {
                for c in n.children() {
                    self.walk(c);
                }
            }
            _ => {}
        }
    }

    /// A table: caption first, then one tab-separated line per row on the table's grid.
    fn table(&mut self, table: NodeRef<'_>) {
        self.flush();
        if is_layout_table(table) {
            for row in rows_of(table) {
                for cell in row.children() {
                    self.block(cell);
                }
            }
            return;
        }
        for c in table.children().filter(|c| name_of(*c) == "caption") {
            let t = inline_text(c);
            if !t.is_empty() {
                self.line(&t);
            }
        }
        // Columns still covered by a rowspan from an earlier row: rows left to cover.
        let mut covered: Vec<usize> = Vec::new();
        let mut grid: Vec<Vec<String>> = Vec::new();
        for row in rows_of(table) {
            let mut cells: Vec<String> = Vec::new();
            let mut col = 0usize;
            let skip_covered =
                |col: &mut usize, cells: &mut Vec<String>, covered: &mut Vec<usize>| {
                    while *col < covered.len() && covered[*col] > 0 {
                        covered[*col] -= 1;
                        cells.push(String::new());
                        *col += 1;
                    }
                };
            for cell in row
                .children()
                .filter(|c| matches!(name_of(*c), "td" | "th"))
            {
                skip_covered(&mut col, &mut cells, &mut covered);
                let e = element(cell).expect("td/th is an element");
                let span = attr_count(e.attr("colspan"));
                let down = attr_count(e.attr("rowspan"));
                cells.push(inline_text(cell).replace('\t', " "));
                for k in 0..span {
                    if k > 0 {
                        cells.push(String::new());
                    }
                    if covered.len() <= col {
                        covered.resize(col + 1, 0);
                    }
                    covered[col] = down - 1;
                    col += 1;
                }
            }
            // Covered columns after the last cell of this row.
            skip_covered(&mut col, &mut cells, &mut covered);
            if cells.iter().any(|c| !c.is_empty()) {
                grid.push(cells);
            }
        }
        // A short row is padded with empty cells, as a browser draws it: every row has as many
        // cells as the table has columns, so that its figures stay under their headers.
        let width = grid.iter().map(Vec::len).max().unwrap_or(0);
        for mut cells in grid {
            cells.resize(width, String::new());
            self.out.push_str(&cells.join("\t"));
            self.out.push('\n');
        }
    }

    fn finish(mut self) -> String {
        self.flush();
        self.out
    }
}

/// A `colspan`/`rowspan` value: 1 when absent or unreadable, at most 64.
fn attr_count(v: Option<&str>) -> usize {
    v.and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, 64)
}

fn is_cjk_or_punct(c: char) -> bool {
    is_cjk(c) || matches!(c, '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ffef}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_pages_but_not_plain_text() {
        assert!(looks_like_html(
            "<!DOCTYPE html><html><body><p>x</p></body></html>"
        ));
        assert!(looks_like_html(
            "\u{feff}  <html>\n<head><meta charset=\"gbk\"></head>"
        ));
        assert!(looks_like_html(
            "<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\">"
        ));
        assert!(!looks_like_html(
            "某县2025年国有建设用地供应计划\n一、供应总量"
        ));
        assert!(!looks_like_html("<供应总量>120公顷"));
    }

    #[test]
    fn blocks_are_lines_and_chinese_wrapped_in_source_is_rejoined() {
        let t = html_to_text(
            "<html><body><div class=\"article\"><p>一、供应总量\n  计划供应120公顷。</p>\
             <p>二、 结构<br>住宅用地&nbsp;60公顷</p><div>Total 3\n apples</div></div></body></html>",
        );
        assert_eq!(
            t,
            "一、供应总量计划供应120公顷。\n二、 结构\n住宅用地 60公顷\nTotal 3 apples\n"
        );
    }

    #[test]
    fn tables_keep_cells_on_the_grid_with_colspan_and_rowspan() {
        let t = html_to_text(
            "<table><tr><th rowspan=2>乡镇</th><th colspan=2>面积</th></tr>\
             <tr><th>公顷</th><th>亩</th></tr>\
             <tr><td>甲镇</td><td>10</td><td>150</td></tr>\
             <tr><td rowspan=2>乙镇</td><td>2</td><td>30</td></tr>\
             <tr><td>3</td><td>45</td></tr></table>",
        );
        assert_eq!(
            t,
            "乡镇\t面积\t\n\t公顷\t亩\n甲镇\t10\t150\n乙镇\t2\t30\n\t3\t45\n"
        );
    }

    #[test]
    fn chrome_and_side_columns_stay_out() {
        let page = "<html><head><title>某县2025年度国有建设用地供应计划_某县人民政府</title>\
            <script>var a='2019年';</script></head><body>\
            <nav>首页 政务公开</nav>\
            <table><tr><td><div>相关文章</div><ul><li>2023年供应计划</li><li>2022年供应计划</li></ul></td>\
            <td><div id=\"zoom\"><p>一、供应总量</p><p>全县计划供应国有建设用地120公顷，其中住宅用地60公顷。</p>\
            <p>二、供应结构</p><p>工矿仓储用地60公顷，占50%。</p></div></td></tr></table>\
            <footer>版权所有 电话 0571-1234567</footer></body></html>";
        let t = html_to_text(page);
        assert!(
            t.starts_with("某县2025年度国有建设用地供应计划\n一、供应总量\n"),
            "{t}"
        );
        assert!(!t.contains("2023"), "{t}");
        assert!(
            !t.contains("首页") && !t.contains("版权") && !t.contains("2019"),
            "{t}"
        );
    }

    #[test]
    fn a_tfoot_written_before_the_body_comes_last() {
        let t = html_to_text(
            "<table><thead><tr><th>区域</th><th>面积</th></tr></thead>\
             <tfoot><tr><td>合计</td><td>3</td></tr></tfoot>\
             <tbody><tr><td>甲</td><td>1</td></tr><tr><td>乙</td><td>2</td></tr></tbody></table>",
        );
        assert_eq!(t, "区域\t面积\n甲\t1\n乙\t2\n合计\t3\n");
    }

    #[test]
    fn header_cells_of_several_short_paragraphs_keep_a_data_table() {
        let t = html_to_text(
            "<table><tr><td><p>用地</p><p>类型</p><p>（一级类）</p></td><td><p>面积</p><p>（公顷）</p></td></tr>\
             <tr><td>住宅用地</td><td>10.00</td></tr></table>",
        );
        assert_eq!(t, "用地 类型 （一级类）\t面积 （公顷）\n住宅用地\t10.00\n");
    }

    #[test]
    fn a_page_nested_100000_divs_deep_is_read_in_linear_time_with_a_note() {
        let body = "<p>一、供应总量</p><p>全县计划供应国有建设用地120公顷。</p>";
        for depth in [10, 2_000, 100_000] {
            let page = format!(
                "<html><body>{}{body}{}</body></html>",
                "<div>".repeat(depth),
                "</div>".repeat(depth)
            );
            let start = std::time::Instant::now();
            let read = html_to_document(&page);
            assert_eq!(
                read.text, "一、供应总量\n全县计划供应国有建设用地120公顷。\n",
                "{depth}"
            );
            assert_eq!(read.flattened, depth > MAX_SOURCE_DEPTH, "{depth}");
            assert!(
                start.elapsed().as_secs() < 20,
                "{depth}: {:?}",
                start.elapsed()
            );
        }
    }

    #[test]
    fn deep_alternating_nesting_is_read_as_text_past_the_limit() {
        let depth = MAX_DEPTH + 50;
        let page = format!(
            "<html><body>{}住宅用地12公顷{}</body></html>",
            "<div><b>".repeat(depth),
            "</b></div>".repeat(depth)
        );
        let read = html_to_document(&page);
        assert!(read.flattened);
        assert_eq!(read.text.trim(), "住宅用地12公顷");
    }

    #[test]
    fn sloppy_pages_with_thousands_of_open_paragraphs_are_not_cut() {
        let page: String = (0..3000).map(|i| format!("<p>第{i}段")).collect();
        assert_eq!(limit_nesting(&page, MAX_SOURCE_DEPTH), None);
        let script = "<script>var s = '<div><div><div>';</script><div>x</div>";
        assert_eq!(limit_nesting(script, 1), None);
    }

    #[test]
    fn a_table_holding_a_table_is_page_layout_and_its_cells_are_blocks() {
        let t = html_to_text(
            "<p>表1</p><table><tr><td>甲<table><tr><td>x</td><td>y</td></tr>\
             <tr><td>1</td><td>2</td></tr></table></td><td>说明</td></tr></table>",
        );
        assert_eq!(t, "表1\n甲\nx\ty\n1\t2\n说明\n");
    }
}

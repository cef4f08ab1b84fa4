//! The layers `docs/architecture.md` writes down are the layers the code
//! has: every `use crate::…` (and `super::…`, and inline `crate::x::y`
//! paths) outside tests is held against the table's "may use" column, and
//! no two files use each other, directly or in a circle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Every module of the library by path (`tui::view::list`), with its
/// source outside `#[cfg(test)]` and comments.
fn modules() -> BTreeMap<String, String> {
    fn walk(dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(Path::new(ROOT).join("src")).unwrap();
            let mut parts: Vec<String> = rel
                .with_extension("")
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            if parts == ["main"] {
                continue;
            }
            if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
                parts.pop();
            }
            let text = std::fs::read_to_string(&path).unwrap();
            out.insert(parts.join("::"), code_of(&text));
        }
    }
    let mut out = BTreeMap::new();
    walk(&Path::new(ROOT).join("src"), &mut out);
    out
}

/// The text without line comments and without the test module at the end.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `a::{b, c::{D, E}}` as `a::b`, `a::c::D`, `a::c::E`.
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let path = tree.split(" as ").next().unwrap_or(tree);
        return vec![path.trim().to_owned()];
    };
    let close = tree.rfind('}').unwrap_or(tree.len());
    let (prefix, inner) = (&tree[..open], &tree[open + 1..close]);
    let (mut items, mut depth, mut current) = (Vec::new(), 0, String::new());
    for c in inner.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    items.push(current);
    items
        .iter()
        .filter(|i| !i.trim().is_empty())
        .flat_map(|i| expand(i).into_iter().map(|p| format!("{prefix}{p}")))
        .collect()
}

/// The module `path` (written in module `from`) names, if it is one of ours.
fn resolve(modules: &BTreeMap<String, String>, from: &str, path: &str) -> Option<String> {
    let mut segs: Vec<&str> = path.split("::").map(str::trim).collect();
    let mut base: Vec<&str> = if from.is_empty() {
        vec![]
    } else {
        from.split("::").collect()
    };
    match segs.first() {
        Some(&"crate") => base.clear(),
        Some(&"super") => {
            while segs.first() == Some(&"super") {
                base.pop();
                segs.remove(0);
            }
            segs.insert(0, "super");
        }
        Some(&"self") => {}
        _ => return None,
    }
    segs.remove(0);
    let full: Vec<&str> = base.into_iter().chain(segs).collect();
    (0..=full.len())
        .rev()
        .map(|k| full[..k].join("::"))
        .find(|m| modules.contains_key(m))
}

/// Which modules each module uses. A `pub use` is a facade and a `mod`
/// line a declaration: neither is a use.
fn uses(modules: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, code) in modules {
        let mut paths = Vec::new();
        let bytes = code.as_bytes();
        for (i, _) in code.match_indices("use ") {
            if i > 0 && !bytes[i - 1].is_ascii_whitespace() {
                continue;
            }
            let before = code[..i].trim_end();
            if before.ends_with("pub") || before.ends_with(')') {
                continue; // `pub use`, `pub(crate) use`: a facade
            }
            let end = code[i..].find(';').map_or(code.len(), |e| i + e);
            paths.extend(expand(&code[i + 4..end]));
        }
        for start in ["crate::", "super::"] {
            for (i, _) in code.match_indices(start) {
                if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_') {
                    continue;
                }
                let end = code[i..]
                    .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                    .map_or(code.len(), |e| i + e);
                paths.push(code[i..end].trim_end_matches(':').to_owned());
            }
        }
        let used = out.entry(module.clone()).or_default();
        for path in paths {
            if let Some(target) = resolve(modules, module, &path)
                && &target != module
                && !target.starts_with(&format!("{module}::"))
            {
                used.insert(target);
            }
        }
    }
    out
}

/// The table in docs/architecture.md: each layer and what it may use. A
/// row may name several layers (`` `config`, `cli` ``) and, in its last
/// column, exceptions like "only `backend/engine.rs` uses `engine`".
fn table() -> Vec<Layer> {
    let doc = std::fs::read_to_string(Path::new(ROOT).join("docs/architecture.md")).unwrap();
    let names = |cell: &str| -> Vec<String> {
        cell.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    };
    doc.lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").collect();
            let may = cells.last().copied().unwrap_or("");
            let (allowed, only) = match may.split_once("; only ") {
                Some((a, o)) => (a, Some(o)),
                None => (may, None),
            };
            let exceptions = only
                .map(|o| {
                    let n = names(o);
                    // "only `backend/engine.rs` uses `engine`"
                    let file = n[0].trim_end_matches(".rs").replace('/', "::");
                    vec![(file, n[1].clone())]
                })
                .unwrap_or_default();
            Layer {
                names: names(cells[0]),
                everything: allowed.trim() == "everything",
                may_use: names(allowed),
                exceptions,
            }
        })
        .collect()
}

struct Layer {
    names: Vec<String>,
    /// The top: it may use every layer.
    everything: bool,
    may_use: Vec<String>,
    /// (file, layer): only this file of the layer may use that layer.
    exceptions: Vec<(String, String)>,
}

#[test]
fn every_module_uses_only_the_layers_the_architecture_allows() {
    let modules = modules();
    let uses = uses(&modules);
    let table = table();
    let layer_of = |m: &str| m.split("::").next().unwrap_or("").to_owned();
    let mut wrong = Vec::new();
    for (module, used) in &uses {
        let layer = layer_of(module);
        if layer.is_empty() {
            continue;
        }
        let Some(row) = table.iter().find(|l| l.names.contains(&layer)) else {
            wrong.push(format!(
                "{module}: the layer `{layer}` is not in docs/architecture.md"
            ));
            continue;
        };
        for target in used {
            let to = layer_of(target);
            if to == layer || row.everything {
                continue;
            }
            let allowed = row.may_use.contains(&to)
                && !row.exceptions.iter().any(|(_, l)| l == &to)
                || row
                    .exceptions
                    .iter()
                    .any(|(file, l)| l == &to && module == file);
            // A file singled out as the layer's one way in is reached
            // only by its own layer and the top.
            let through = table.iter().flat_map(|l| &l.exceptions).any(|(file, _)| {
                (target == file || target.starts_with(&format!("{file}::")))
                    && layer_of(file) != layer
            });
            if !allowed || through {
                wrong.push(format!("{module} uses {target}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "uses docs/architecture.md does not allow:\n  {}",
        wrong.join("\n  ")
    );
}

#[test]
fn no_files_use_each_other_in_a_circle() {
    let modules = modules();
    let uses = uses(&modules);
    // Tarjan's strongly connected components.
    struct Walk<'a> {
        uses: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        circles: Vec<Vec<&'a str>>,
    }
    fn visit<'a>(w: &mut Walk<'a>, v: &'a str) {
        let i = w.index.len();
        w.index.insert(v, i);
        w.low.insert(v, i);
        w.stack.push(v);
        for next in w.uses.get(v).into_iter().flatten() {
            let next = next.as_str();
            if !w.index.contains_key(next) {
                visit(w, next);
                let l = w.low[next].min(w.low[v]);
                w.low.insert(v, l);
            } else if w.stack.contains(&next) {
                let l = w.index[next].min(w.low[v]);
                w.low.insert(v, l);
            }
        }
        if w.low[v] == w.index[v] {
            let at = w.stack.iter().rposition(|m| *m == v).unwrap();
            let circle = w.stack.split_off(at);
            if circle.len() > 1 {
                w.circles.push(circle);
            }
        }
    }
    let mut walk = Walk {
        uses: &uses,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        circles: Vec::new(),
    };
    for m in modules.keys() {
        if !walk.index.contains_key(m.as_str()) {
            visit(&mut walk, m);
        }
    }
    assert!(
        walk.circles.is_empty(),
        "files that use each other: {:?}",
        walk.circles
    );
}

#[test]
fn the_checker_sees_uses_in_every_form() {
    let mut modules = BTreeMap::new();
    for m in ["", "a", "a::b", "c", "c::d"] {
        modules.insert(m.to_owned(), String::new());
    }
    modules.insert(
        "a::b".to_owned(),
        "use crate::c::{d::X, Y};\nuse super::Z;\npub use crate::c::W;\nfn f() { crate::c::d::g(); }".to_owned(),
    );
    let uses = uses(&modules);
    let got: Vec<&str> = uses["a::b"].iter().map(String::as_str).collect();
    assert_eq!(got, ["a", "c", "c::d"]);
}

/// Every source file under `src/`, with its text before its test module.
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let code = match text.find("#[cfg(test)]\nmod tests") {
                    Some(i) => text[..i].to_owned(),
                    None => text,
                };
                let rel = path.strip_prefix(ROOT).unwrap();
                out.push((rel.display().to_string(), code));
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(ROOT).join("src"), &mut out);
    out.sort();
    out
}

/// Each function as (its name, its length in lines): from its `fn` line
/// to the closing brace at the same indent (the code is rustfmt's).
fn functions(code: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut out = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        let body = line.trim_start();
        let indent = &line[..line.len() - body.len()];
        let body = body
            .trim_start_matches("pub ")
            .trim_start_matches("pub(crate) ")
            .trim_start_matches("pub(super) ")
            .trim_start_matches("const ")
            .trim_start_matches("async ");
        let Some(rest) = body.strip_prefix("fn ") else {
            continue;
        };
        if line.trim_end().ends_with(';') {
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let close = format!("{indent}}}");
        if let Some(end) = lines[n..].iter().position(|l| *l == close) {
            out.push((name, end + 1));
        }
    }
    out
}

#[test]
fn no_source_file_is_over_800_lines_outside_its_tests() {
    let long: Vec<(String, usize)> = sources()
        .into_iter()
        .map(|(path, code)| (path, code.lines().count()))
        .filter(|(_, n)| *n > 800)
        .collect();
    assert!(long.is_empty(), "files over 800 lines: {long:?}");
}

#[test]
fn no_function_is_over_100_lines() {
    let long: Vec<String> = sources()
        .into_iter()
        .flat_map(|(path, code)| {
            functions(&code)
                .into_iter()
                .filter(|(_, n)| *n > 100)
                .map(move |(name, n)| format!("{path}: {name} ({n} lines)"))
        })
        .collect();
    assert!(long.is_empty(), "functions over 100 lines: {long:?}");
}

#[test]
fn the_function_finder_measures_what_rustfmt_writes() {
    let code = "fn a() {\n    x();\n}\n\nimpl B {\n    pub fn c(&self) {\n        if y {\n        }\n    }\n    fn d();\n}\n";
    assert_eq!(
        functions(code),
        [("a".to_owned(), 3), ("c".to_owned(), 4)],
        "a trait method without a body is not a function"
    );
}

/// `App` knows its rooms only: a handful of fields, each a room.
#[test]
fn the_app_holds_at_most_twenty_rooms() {
    let text = std::fs::read_to_string(Path::new(ROOT).join("src/tui/app/mod.rs")).unwrap();
    let start = text
        .find("pub struct App {")
        .expect("App is in tui/app/mod.rs");
    let body = &text[start..];
    let body = &body[..body.find("\n}").unwrap()];
    let fields = body
        .lines()
        .filter(|l| l.starts_with("    pub ") && l.contains(':'))
        .count();
    assert!(
        (10..=20).contains(&fields),
        "App has {fields} fields: a new field is a room's, or a new room"
    );
}

/// Each popup is one file under `src/tui/dialogs/`, named after its
/// variant, with its keys (`on_key`) and its lines (`lines` or `draw`);
/// nothing else draws or keys one.
#[test]
fn each_dialog_is_one_file_with_its_keys_and_its_lines() {
    let dir = Path::new(ROOT).join("src/tui/dialogs");
    let text = std::fs::read_to_string(dir.join("mod.rs")).unwrap();
    let start = text.find("pub enum Dialog {").unwrap();
    let body = &text[start..];
    let body = &body[..body.find("\n}").unwrap()];
    let variants: Vec<&str> = body
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| l.chars().next().is_some_and(char::is_uppercase))
        .map(|l| l.split(['(', ',', ' ']).next().unwrap())
        .collect();
    assert!(variants.len() >= 10, "{variants:?}");
    for v in variants {
        let mut file = String::new();
        for (i, c) in v.chars().enumerate() {
            if c.is_uppercase() && i > 0 {
                file.push('_');
            }
            file.push(c.to_ascii_lowercase());
        }
        let path = dir.join(format!("{file}.rs"));
        let code = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("the {v} popup has no file {}", path.display()));
        assert!(
            code.contains("fn on_key("),
            "{v}: its keys are not in its file"
        );
        assert!(
            code.contains("pub fn lines(") || code.contains("pub fn draw("),
            "{v}: its lines are not in its file"
        );
    }
    let popups = std::fs::read_to_string(Path::new(ROOT).join("src/tui/view/popups.rs")).unwrap();
    assert!(
        !popups.contains("_lines("),
        "view/popups.rs boxes popups; their lines are the dialogs'"
    );
}

/// What only the tests use is not in a plain build: behind `cfg(test)`
/// or the `test-support` feature the tests turn on. (The package is the
/// tested binary; `packaging/check-deb` checks the code is not in it.)
#[test]
fn test_support_is_not_in_a_plain_build() {
    let gate = "#[cfg(any(test, feature = \"test-support\"))]";
    for (file, item) in [
        ("src/tui/mod.rs", "pub mod svg;"),
        ("src/engine/dataset.rs", "pub fn to_dataset("),
        ("src/engine/dataset.rs", "pub fn same_state("),
    ] {
        let text = std::fs::read_to_string(Path::new(ROOT).join(file)).unwrap();
        let at = text
            .find(item)
            .unwrap_or_else(|| panic!("{item} in {file}"));
        let before = text[..at].trim_end();
        assert!(
            before.ends_with(gate),
            "{file}: {item} is built into the binary"
        );
    }
    let manifest = std::fs::read_to_string(Path::new(ROOT).join("Cargo.toml")).unwrap();
    assert!(
        !manifest.contains("default = [\"test-support\""),
        "test support is not a default feature"
    );
}

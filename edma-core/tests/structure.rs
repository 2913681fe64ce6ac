//! The crate's shape, checked: no import cycle between edma-core's
//! top-level modules, and no source file over 600 lines (inline test
//! modules excluded; `regs.rs`, a table of register maps, may be longer).
//! The graph is read from the sources: every `crate::<module>` path in
//! code (comments and doc comments excluded).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level module a file belongs to (`None` for lib.rs).
fn module_of(p: &Path) -> Option<String> {
    let rel = p.strip_prefix(src()).unwrap();
    let first = rel
        .components()
        .next()?
        .as_os_str()
        .to_string_lossy()
        .into_owned();
    let name = first.trim_end_matches(".rs").to_string();
    (name != "lib").then_some(name)
}

/// The code of a file: comments dropped, and the inline `#[cfg(test)]`
/// module (to the end of the file) cut off.
fn code(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(test)]") {
            break;
        }
        let code = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        out.push(code.to_string());
    }
    out
}

/// Every top-level module a file's code names through `crate::`.
fn uses(lines: &[String], modules: &BTreeSet<String>) -> BTreeSet<String> {
    let text = lines.join("\n");
    let mut out = BTreeSet::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + 7..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let head = item.trim().split("::").next().unwrap_or("").trim();
                if modules.contains(head) {
                    out.insert(head.to_string());
                }
            }
        } else {
            let head: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if modules.contains(&head) {
                out.insert(head);
            }
        }
    }
    out
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    sources(&src(), &mut files);
    let modules: BTreeSet<String> = files.iter().filter_map(|f| module_of(f)).collect();
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let Some(m) = module_of(f) else { continue };
        let text = std::fs::read_to_string(f).unwrap();
        let deps = uses(&code(&text), &modules);
        g.entry(m.clone())
            .or_default()
            .extend(deps.into_iter().filter(|d| *d != m));
    }
    g
}

#[test]
#[cfg_attr(miri, ignore = "reads the sources; nothing for Miri to check")]
fn no_import_cycle_between_modules() {
    let g = graph();
    eprintln!("{g:?}");
    // Depth-first search for a back edge.
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) {
        match state.get(n) {
            Some(2) => return,
            Some(1) => {
                let at = path.iter().position(|p| p == n).unwrap();
                panic!("import cycle: {} -> {n}", path[at..].join(" -> "));
            }
            _ => {}
        }
        state.insert(n.to_string(), 1);
        path.push(n.to_string());
        for d in g.get(n).into_iter().flatten() {
            visit(d, g, state, path);
        }
        path.pop();
        state.insert(n.to_string(), 2);
    }
    let mut state = BTreeMap::new();
    for n in g.keys() {
        visit(n, &g, &mut state, &mut Vec::new());
    }
    // The layering docs/architecture.md draws.
    assert!(!g["controller"].contains("channel"), "{g:?}");
    assert!(!g["progress"].contains("channel"), "{g:?}");
    assert!(!g["plan"].contains("controller"), "{g:?}");
}

#[test]
fn the_checker_finds_a_cycle_and_the_paths() {
    let modules: BTreeSet<String> = ["a", "b", "plan"].iter().map(|s| s.to_string()).collect();
    let lines = code(
        "use crate::{b, ChannelDir, plan::Entry};\n// crate::a in a comment\nlet x = crate::a::f();\n#[cfg(test)]\nuse crate::b;",
    );
    assert_eq!(
        uses(&lines, &modules),
        ["a", "b", "plan"].iter().map(|s| s.to_string()).collect()
    );
}

#[test]
#[cfg_attr(miri, ignore = "reads the sources; nothing for Miri to check")]
fn no_source_file_over_600_lines() {
    let mut files = Vec::new();
    sources(&src(), &mut files);
    let mut long = Vec::new();
    for f in &files {
        if f.ends_with("regs.rs") {
            continue;
        }
        let n = code(&std::fs::read_to_string(f).unwrap()).len();
        if n > 600 {
            long.push(format!("{} ({n} lines)", f.display()));
        }
    }
    assert!(long.is_empty(), "over 600 lines: {long:?}");
}

//! The driver ABI's two sides agree: `<bluegen/driver.h>` and the libc component's Rust.
//!
//! C drivers compile against `components/libc/include/bluegen/driver.h`;
//! the functions behind it are `extern "C"` functions of
//! `components/libc/src/driver.rs` and `src/driver/` (and `bg_log`, in
//! `c/bluegen_services.c`). Nothing but this test ties the two: a C compiler never
//! sees the Rust, rustc never sees the header. So this reads both and
//! checks, function by function, that each header prototype has exactly
//! one Rust definition with the same parameter and return types (Rust's
//! types mapped to C's) and vice versa; that each group is declared under
//! the header macro of the Kconfig symbol its cargo feature follows
//! (`services-mutex` follows `MUTEX`: `#ifdef BLUEGEN_MUTEX`); that the
//! constants (`BG_EINVAL`, `BG_FOREVER`, …) have the same values; and that
//! the size each side asserts for an object type (`_Static_assert` in the
//! header, `const _: () = assert!` in Rust) is the same expression.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn libc() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("components/libc")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A function of the ABI: its C parameter and return types, and the
/// header macro it exists under (None: always).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Function {
    params: Vec<String>,
    ret: String,
    guard: Option<String>,
}

/// Whitespace collapsed, one space before a `*` and none after it.
fn c_type(text: &str) -> String {
    let spaced = text.replace('*', " * ");
    let words: Vec<&str> = spaced.split_whitespace().collect();
    let mut out = String::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 && !(w == &"*" && out.ends_with('*')) {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Splits at the commas outside parentheses.
fn top_level_split(text: &str) -> Vec<String> {
    let (mut parts, mut depth, mut current) = (Vec::new(), 0, String::new());
    for ch in text.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(ch);
    }
    if !current.trim().is_empty() {
        parts.push(current);
    }
    parts.into_iter().map(|p| p.trim().to_string()).collect()
}

/// A C parameter's type without its name: `const char *s` is `const char
/// *`, `void (*fn)(void *arg)` is `void (*)(void *)`.
fn c_param(param: &str) -> String {
    if let Some(open) = param.find("(*") {
        let close = open + param[open..].find(')').expect("a function pointer's name ends");
        let inner = &param[close + 1..];
        let inner = inner.trim().trim_start_matches('(').trim_end_matches(')');
        let params: Vec<String> = top_level_split(inner).iter().map(|p| c_param(p)).collect();
        return format!("{} (*)({})", c_type(&param[..open]), params.join(", "));
    }
    if param == "void" || param == "..." {
        return param.to_string();
    }
    // The header names every parameter: the last word is the name.
    let spaced = param.replace('*', " * ");
    let mut words: Vec<&str> = spaced.split_whitespace().collect();
    assert!(words.len() >= 2, "a parameter without a name in driver.h: `{param}`");
    words.pop();
    c_type(&words.join(" "))
}

/// The header's prototypes of `bg_*` functions, each with the innermost
/// `#ifdef` macro around it (include guards and `__cplusplus` excluded).
fn header_functions(header: &str) -> BTreeMap<String, Function> {
    let mut guards: Vec<Option<String>> = Vec::new();
    let mut functions = BTreeMap::new();
    for line in header.lines() {
        let directive = line.trim_start().strip_prefix('#').map(str::trim_start);
        if let Some(d) = directive {
            if let Some(name) = d.strip_prefix("ifdef ") {
                let name = name.trim();
                guards.push(name.starts_with("BLUEGEN_").then(|| name.to_string()).filter(|n| n != "BLUEGEN_DRIVER_H"));
            } else if d.starts_with("if") {
                guards.push(None);
            } else if d.starts_with("endif") {
                guards.pop().expect("an #endif without #if in driver.h");
            }
            continue;
        }
        // Prototypes start at column 0 with their return type, and end in `;`.
        if !line.starts_with(|c: char| c.is_ascii_alphabetic()) || !line.trim_end().ends_with(';') {
            continue;
        }
        // The name: the `bg_` word right before the first parenthesis.
        let Some(open) = line.find('(') else { continue };
        let Some(at) = line[..open].rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map(|i| i + 1) else { continue };
        if !line[at..open].starts_with("bg_") {
            continue;
        }
        let name = line[at..open].trim().to_string();
        let ret = c_type(&line[..at]);
        let mut depth = 0;
        let close = line[open..]
            .char_indices()
            .find(|&(_, c)| {
                depth += match c {
                    '(' => 1,
                    ')' => -1,
                    _ => 0,
                };
                depth == 0
            })
            .map(|(i, _)| open + i)
            .expect("a prototype's parameters end");
        let params: Vec<String> = top_level_split(&line[open + 1..close]).iter().map(|p| c_param(p)).filter(|p| p != "void").collect();
        let guard = guards.iter().rev().flatten().next().cloned();
        let previous = functions.insert(name.clone(), Function { params, ret, guard });
        assert!(previous.is_none(), "driver.h declares {name} twice");
    }
    assert!(guards.is_empty(), "driver.h: #if without #endif");
    functions
}

/// A Rust type of an `extern "C"` signature as its C type.
fn rust_to_c(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Ptr(p) => {
            let pointee = rust_to_c(&p.elem);
            if p.const_token.is_some() { format!("const {pointee} *") } else { format!("{pointee} *") }
        }
        syn::Type::Tuple(t) if t.elems.is_empty() => "void".to_string(),
        syn::Type::BareFn(f) => {
            let params: Vec<String> = f.inputs.iter().map(|a| rust_to_c(&a.ty)).collect();
            let ret = match &f.output {
                syn::ReturnType::Default => "void".to_string(),
                syn::ReturnType::Type(_, t) => rust_to_c(t),
            };
            format!("{ret} (*)({})", params.join(", "))
        }
        syn::Type::Path(p) => {
            let last = p.path.segments.last().expect("a type has a name");
            let name = last.ident.to_string();
            if name == "Option" {
                // Option<fn> is C's nullable function pointer.
                let syn::PathArguments::AngleBracketed(args) = &last.arguments else { panic!("Option without its type") };
                let Some(syn::GenericArgument::Type(inner @ syn::Type::BareFn(_))) = args.args.first() else { panic!("only Option<extern \"C\" fn> crosses the ABI") };
                return rust_to_c(inner);
            }
            match name.as_str() {
                "u8" => "uint8_t",
                "u16" => "uint16_t",
                "u32" => "uint32_t",
                "u64" => "uint64_t",
                "i32" => "int32_t",
                "i64" => "int64_t",
                "usize" => "size_t",
                "c_int" => "int",
                "c_uint" => "unsigned",
                "c_char" => "char",
                "c_void" => "void",
                other if other.starts_with("bg_") => other,
                other => panic!("no C type for the Rust type {other}"),
            }
            .to_string()
        }
        _ => panic!("no C type for a Rust type of this shape (a reference, an array, …)"),
    }
}

/// The `feature = "…"` of an item's `#[cfg(…)]`, if any; a condition of
/// another shape as its text (no header macro matches it: a function
/// under it is reported).
fn cfg_feature(attrs: &[syn::Attribute]) -> Option<String> {
    let attr = attrs.iter().find(|a| a.path().is_ident("cfg"))?;
    let text = attr.meta.require_list().expect("#[cfg(...)]").tokens.to_string();
    let feature = text.strip_prefix("feature = \"").and_then(|rest| rest.strip_suffix('"')).filter(|f| !f.contains('"'));
    Some(feature.map_or_else(|| format!("cfg({text})"), str::to_string))
}

/// What the Rust side of the driver ABI says.
#[derive(Default)]
struct RustSide {
    /// name → (file, C types, the cargo feature it exists with).
    functions: BTreeMap<String, Vec<(String, Vec<String>, String, Option<String>)>>,
    /// `BG_*` constants: name → value.
    constants: BTreeMap<String, i128>,
    /// type → the size expression its `const _: () = assert!` gives.
    sizes: BTreeMap<String, String>,
}

fn rust_value(expr: &syn::Expr) -> i128 {
    match expr {
        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(i), .. }) => i.base10_parse().unwrap(),
        syn::Expr::Unary(syn::ExprUnary { op: syn::UnOp::Neg(_), expr, .. }) => -rust_value(expr),
        syn::Expr::Path(p) if p.path.segments.len() == 2 && p.path.segments[1].ident == "MAX" => match p.path.segments[0].ident.to_string().as_str() {
            "u32" => u32::MAX.into(),
            "u16" => u16::MAX.into(),
            other => panic!("the MAX of {other}"),
        },
        _ => panic!("a BG_ constant that is not an integer literal or a MAX"),
    }
}

/// `size_of::<bg_x_t>() == EXPR` in an assertion's tokens.
fn size_assertion(tokens: &str) -> Option<(String, String)> {
    let compact: String = tokens.split_whitespace().collect();
    let (_, rest) = compact.split_once("size_of::<")?;
    let (ty, rest) = rest.split_once(">()==")?;
    ty.starts_with("bg_").then(|| (ty.to_string(), rest.replace("core::mem::size_of::<usize>()", "sizeof(uintptr_t)")))
}

fn rust_file(side: &mut RustSide, path: &Path, module_feature: Option<String>) -> Vec<(String, Option<String>)> {
    let file = syn::parse_file(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let label = path.file_name().unwrap().to_string_lossy().into_owned();
    let mut modules = Vec::new();
    for item in &file.items {
        match item {
            syn::Item::Fn(f) if f.sig.abi.is_some() && matches!(f.vis, syn::Visibility::Public(_)) => {
                let params = f
                    .sig
                    .inputs
                    .iter()
                    .map(|arg| match arg {
                        syn::FnArg::Typed(t) => rust_to_c(&t.ty),
                        syn::FnArg::Receiver(_) => panic!("a method in the ABI"),
                    })
                    .collect();
                let ret = match &f.sig.output {
                    syn::ReturnType::Default => "void".to_string(),
                    syn::ReturnType::Type(_, t) => rust_to_c(t),
                };
                let feature = cfg_feature(&f.attrs).or(module_feature.clone());
                side.functions.entry(f.sig.ident.to_string()).or_default().push((label.clone(), params, ret, feature));
            }
            syn::Item::Const(c) if c.ident.to_string().starts_with("BG_") && matches!(c.vis, syn::Visibility::Public(_)) => {
                side.constants.insert(c.ident.to_string(), rust_value(&c.expr));
            }
            syn::Item::Const(c) if c.ident == "_" => {
                if let syn::Expr::Macro(m) = &*c.expr {
                    if let Some((ty, expr)) = size_assertion(&m.mac.tokens.to_string()) {
                        side.sizes.insert(ty, expr);
                    }
                }
            }
            syn::Item::Mod(m) if m.content.is_none() => modules.push((m.ident.to_string(), cfg_feature(&m.attrs))),
            _ => {}
        }
    }
    modules
}

fn rust_side() -> RustSide {
    let mut side = RustSide::default();
    let src = libc().join("src");
    for (module, feature) in rust_file(&mut side, &src.join("driver.rs"), None) {
        let nested = rust_file(&mut side, &src.join("driver").join(format!("{module}.rs")), feature);
        assert!(nested.is_empty(), "driver/{module}.rs has modules of its own: read them too");
    }
    side
}

/// The header's numeric `#define BG_*`s.
fn header_constants(header: &str) -> BTreeMap<String, i128> {
    let mut out = BTreeMap::new();
    for line in header.lines() {
        let Some(rest) = line.strip_prefix("#define BG_") else { continue };
        let mut words = rest.split_whitespace();
        let (Some(name), Some(value)) = (words.next(), words.next()) else { continue };
        let value = value.trim_start_matches('(').trim_end_matches(')').trim_end_matches('u');
        let parsed = match value.strip_prefix("0x") {
            Some(hex) => i128::from_str_radix(hex, 16).ok(),
            None => value.parse().ok(),
        };
        if let Some(v) = parsed {
            out.insert(format!("BG_{name}"), v);
        }
    }
    out
}

/// The header's `__bg_static_assert(sizeof(bg_x_t) == EXPR, …)`s.
fn header_sizes(header: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in header.lines() {
        let Some(rest) = line.strip_prefix("__bg_static_assert(sizeof(") else { continue };
        let (ty, rest) = rest.split_once(") ==").expect("sizeof(T) == …");
        let expr = rest.rsplit_once(", \"").expect("a message").0;
        out.insert(ty.to_string(), expr.split_whitespace().collect());
    }
    out
}

/// The `bg_*` functions C defines (`c/bluegen_services.c`): definitions start at
/// column 0 and are not followed by `;`.
fn c_functions(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|l| !l.starts_with([' ', '\t', '#', '/', '*', '{', '}']) && !l.trim_end().ends_with(';'))
        .filter_map(|l| {
            let at = l.find("bg_")?;
            let open = at + l[at..].find('(')?;
            Some(l[at..open].trim().to_string())
        })
        .collect()
}

/// Cargo feature → header macro: `[package.metadata.bluegen.features]`
/// of the libc component, `feature = ["SYMBOL"]` meaning `BLUEGEN_SYMBOL`.
fn feature_macros() -> BTreeMap<String, String> {
    let manifest = read(&libc().join("Cargo.toml"));
    let table = manifest.split("[package.metadata.bluegen.features]").nth(1).expect("the metadata table");
    let mut out = BTreeMap::new();
    for line in table.lines().take_while(|l| !l.starts_with('[')) {
        let Some((feature, symbols)) = line.split_once('=') else { continue };
        // Every services-* feature needs C_SERVICES too, which the whole
        // header requires: the group's macro is the other symbol's.
        let symbols: Vec<&str> = symbols.trim().trim_matches(['[', ']']).split(',').map(|s| s.trim().trim_matches('"')).filter(|s| !s.is_empty() && *s != "C_SERVICES").collect();
        if let [symbol] = symbols[..] {
            out.insert(feature.trim().to_string(), format!("BLUEGEN_{symbol}"));
        }
    }
    out
}

/// Every disagreement between the two sides, one line each.
fn mismatches(header: &str, c_source: &str, rust: &RustSide, macros: &BTreeMap<String, String>) -> Vec<String> {
    let declared = header_functions(header);
    let in_c = c_functions(c_source);
    let mut problems = Vec::new();
    for (name, f) in &declared {
        let defs = rust.functions.get(name).map(Vec::as_slice).unwrap_or_default();
        if in_c.contains(name) {
            if !defs.is_empty() {
                problems.push(format!("{name}: defined in C (c/bluegen_services.c) and in Rust"));
            }
            if f.guard.is_some() {
                problems.push(format!("{name}: C defines it always, the header only under {:?}", f.guard));
            }
            continue;
        }
        let [(file, params, ret, feature)] = defs else {
            problems.push(format!("{name}: driver.h declares it, Rust defines it {} times", defs.len()));
            continue;
        };
        if params != &f.params || ret != &f.ret {
            problems.push(format!("{name}: driver.h has {} ({}), {file} has {ret} ({})", f.ret, f.params.join(", "), params.join(", ")));
        }
        let wanted = feature.as_ref().map(|feat| macros.get(feat).cloned().unwrap_or_else(|| format!("<no Kconfig symbol for feature {feat}>")));
        if wanted != f.guard {
            problems.push(format!("{name}: driver.h declares it under {:?}, {file} defines it with feature {feature:?}, which is {wanted:?}", f.guard));
        }
    }
    for (name, defs) in &rust.functions {
        if !declared.contains_key(name) {
            problems.push(format!("{name}: {} defines it, driver.h does not declare it", defs[0].0));
        }
    }
    for name in &in_c {
        if !declared.contains_key(name) {
            problems.push(format!("{name}: c/bluegen_services.c defines it, driver.h does not declare it"));
        }
    }
    let defines = header_constants(header);
    if defines != rust.constants {
        problems.push(format!("the BG_ constants differ:\n  driver.h {defines:?}\n  Rust     {:?}", rust.constants));
    }
    let sizes = header_sizes(header);
    if sizes != rust.sizes {
        problems.push(format!("the asserted sizes differ:\n  driver.h {sizes:?}\n  Rust     {:?}", rust.sizes));
    }
    problems
}

#[test]
fn header_and_rust_declare_the_same_functions_types_groups_and_sizes() {
    let header = read(&libc().join("include/bluegen/driver.h"));
    let c_source = read(&libc().join("c/bluegen_services.c"));
    let rust = rust_side();
    let problems = mismatches(&header, &c_source, &rust, &feature_macros());
    assert!(problems.is_empty(), "driver.h and the libc component disagree:\n{}", problems.join("\n"));
    // The parsers saw the whole ABI, not an empty file.
    let declared = header_functions(&header);
    for name in ["bg_sem_take", "bg_mutex_lock", "bg_events_wait", "bg_queue_recv", "bg_sleep_ms", "bg_critical", "bg_irq_pend", "bg_irq_enable", "bg_irq_disable", "bg_log", "bg_alloc"] {
        assert!(declared.contains_key(name), "driver.h: {name} not found by the parser");
    }
    assert_eq!(declared["bg_critical"].params, ["void (*)(void *)", "void *"]);
    assert_eq!(declared["bg_sem_take"].guard.as_deref(), Some("BLUEGEN_SEMAPHORE"));
    assert_eq!(declared["bg_irq_disable"].guard.as_deref(), Some("BLUEGEN_INTERRUPTS"));
    assert_eq!(rust.sizes.len(), 4, "{:?}", rust.sizes);
}

#[test]
fn a_changed_type_a_missing_function_or_a_wrong_group_is_caught() {
    let header = read(&libc().join("include/bluegen/driver.h"));
    let c_source = read(&libc().join("c/bluegen_services.c"));
    let rust = rust_side();
    let macros = feature_macros();
    let case = |from: &str, to: &str| {
        assert!(header.contains(from), "the case's text is in driver.h: {from}");
        mismatches(&header.replacen(from, to, 1), &c_source, &rust, &macros)
    };
    let changed = case("int bg_sem_take(bg_sem_t *s, uint32_t timeout_ms);", "int bg_sem_take(bg_sem_t *s, int timeout_ms);");
    assert!(changed.iter().any(|p| p.starts_with("bg_sem_take:")), "{changed:?}");
    let changed = case("uint64_t bg_ticks(void);", "uint32_t bg_ticks(void);");
    assert!(changed.iter().any(|p| p.starts_with("bg_ticks:")), "{changed:?}");
    let missing = case("int bg_mutex_unlock(bg_mutex_t *m);", "");
    assert!(missing.iter().any(|p| p.starts_with("bg_mutex_unlock:")), "{missing:?}");
    let extra = case("int bg_mutex_unlock(bg_mutex_t *m);", "int bg_mutex_unlock(bg_mutex_t *m);\nint bg_mutex_trylock(bg_mutex_t *m);");
    assert!(extra.iter().any(|p| p.starts_with("bg_mutex_trylock:")), "{extra:?}");
    let regrouped = case("#ifdef BLUEGEN_QUEUE", "#ifdef BLUEGEN_EVENTS");
    assert!(regrouped.iter().any(|p| p.starts_with("bg_queue_send:")), "{regrouped:?}");
    let renumbered = case("#define BG_ETIMEDOUT (-116)", "#define BG_ETIMEDOUT (-110)");
    assert!(renumbered.iter().any(|p| p.contains("BG_ constants")), "{renumbered:?}");
    let resized = case("sizeof(bg_mutex_t) == 5 *", "sizeof(bg_mutex_t) == 4 *");
    assert!(resized.iter().any(|p| p.contains("sizes")), "{resized:?}");
    let pointer = case("void bg_critical(void (*fn)(void *arg), void *arg);", "void bg_critical(void (*fn)(void), void *arg);");
    assert!(pointer.iter().any(|p| p.starts_with("bg_critical:")), "{pointer:?}");
}

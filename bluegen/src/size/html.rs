//! HTML: one self-contained page with treemaps of flash and RAM.
//!
//! The layout (squarified treemap) is computed here and written as inline
//! SVG, so the page needs no script, no stylesheet and no network: it opens
//! from a file anywhere. Each rectangle has a `<title>` with its full name
//! and size; components are outlined, symbols are filled.

use std::fmt::Write as _;

use super::report::SizeReport;
use super::Classes;

const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 480.0;

#[derive(Debug, Clone, Copy, PartialEq)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

/// Lays out `weights` (largest first works best) in `area`, squarified.
fn squarify(weights: &[f64], area: Rect) -> Vec<Rect> {
    let total: f64 = weights.iter().sum();
    if weights.is_empty() || total <= 0.0 {
        return vec![Rect { w: 0.0, h: 0.0, ..area }; weights.len()];
    }
    let scale = area.w * area.h / total;
    let areas: Vec<f64> = weights.iter().map(|w| w * scale).collect();
    let mut out = Vec::with_capacity(areas.len());
    let mut rest = area;
    let mut i = 0;
    while i < areas.len() {
        let side = rest.w.min(rest.h);
        let worst = |row: &[f64]| {
            let s: f64 = row.iter().sum();
            let (max, min) = row.iter().fold((0f64, f64::MAX), |(a, b), &r| (a.max(r), b.min(r)));
            if s <= 0.0 || min <= 0.0 { f64::MAX } else { (side * side * max / (s * s)).max(s * s / (side * side * min)) }
        };
        let mut j = i + 1;
        while j < areas.len() && worst(&areas[i..=j]) <= worst(&areas[i..j]) {
            j += 1;
        }
        let row = &areas[i..j];
        let sum: f64 = row.iter().sum();
        if rest.w >= rest.h {
            let w = if rest.h > 0.0 { sum / rest.h } else { 0.0 };
            let mut y = rest.y;
            for a in row {
                let h = if w > 0.0 { a / w } else { 0.0 };
                out.push(Rect { x: rest.x, y, w, h });
                y += h;
            }
            rest = Rect { x: rest.x + w, w: (rest.w - w).max(0.0), ..rest };
        } else {
            let h = if rest.w > 0.0 { sum / rest.w } else { 0.0 };
            let mut x = rest.x;
            for a in row {
                let w = if h > 0.0 { a / h } else { 0.0 };
                out.push(Rect { x, y: rest.y, w, h });
                x += w;
            }
            rest = Rect { y: rest.y + h, h: (rest.h - h).max(0.0), ..rest };
        }
        i = j;
    }
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A stable colour per component name.
fn colour(name: &str, light: bool) -> String {
    let hue = name.bytes().fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b))) % 360;
    format!("hsl({hue}, 55%, {}%)", if light { 82 } else { 45 })
}

/// One treemap of `measure` (flash or RAM bytes) as an SVG element.
fn treemap(report: &SizeReport, title: &str, measure: fn(&Classes) -> u64) -> String {
    let mut comps: Vec<(&str, u64, Vec<(String, u64)>)> = report
        .components
        .iter()
        .map(|c| {
            let mut syms: Vec<(String, u64)> = c
                .modules
                .iter()
                .flat_map(|m| m.symbols.iter())
                .map(|s| {
                    let mut k = Classes::default();
                    k.add(class(&s.class), s.size);
                    (s.name.clone(), measure(&k))
                })
                .filter(|(_, b)| *b > 0)
                .collect();
            syms.sort_by(|a, b| b.1.cmp(&a.1));
            (c.name.as_str(), measure(&c.size), syms)
        })
        .filter(|(_, b, _)| *b > 0)
        .collect();
    comps.sort_by(|a, b| b.1.cmp(&a.1));
    let total: u64 = comps.iter().map(|c| c.1).sum();
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<h2>{} — {total} bytes</h2>\n<svg class=\"treemap\" role=\"img\" aria-label=\"{}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\">\n",
        escape(title),
        escape(title)
    );
    let area = Rect { x: 0.0, y: 0.0, w: WIDTH, h: HEIGHT };
    let rects = squarify(&comps.iter().map(|c| c.1 as f64).collect::<Vec<_>>(), area);
    for ((name, bytes, syms), r) in comps.iter().zip(rects) {
        let _ = writeln!(
            svg,
            "<g class=\"component\"><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\" stroke=\"#222\" stroke-width=\"2\"><title>{} — {bytes} B</title></rect>",
            r.x, r.y, r.w, r.h, colour(name, true), escape(name)
        );
        let inner = Rect { x: r.x + 2.0, y: r.y + 16.0, w: (r.w - 4.0).max(0.0), h: (r.h - 18.0).max(0.0) };
        let srects = squarify(&syms.iter().map(|s| s.1 as f64).collect::<Vec<_>>(), inner);
        for ((sname, sbytes), s) in syms.iter().zip(srects) {
            let _ = writeln!(
                svg,
                "<rect class=\"symbol\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\" stroke=\"#fff\"><title>{} — {sbytes} B</title></rect>",
                s.x, s.y, s.w, s.h, colour(name, false), escape(sname)
            );
            if s.w > 70.0 && s.h > 28.0 {
                let short = sname.rsplit("::").next().unwrap_or(sname);
                let _ = writeln!(
                    svg,
                    "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#fff\">{} {sbytes} B</text>",
                    s.x + 3.0,
                    s.y + 13.0,
                    escape(short)
                );
            }
        }
        if r.w > 40.0 && r.h > 14.0 {
            let _ = writeln!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\">{} {bytes} B</text>",
                r.x + 4.0,
                r.y + 12.0,
                escape(name)
            );
        }
        svg.push_str("</g>\n");
    }
    svg.push_str("</svg>\n");
    svg
}

fn class(s: &str) -> super::Class {
    match s {
        "text" => super::Class::Text,
        "data" => super::Class::Data,
        "bss" => super::Class::Bss,
        _ => super::Class::Rodata,
    }
}

/// The models and the image's kernel/model/app split, with the headroom.
fn models_table(m: &super::models::ModelsUse) -> String {
    let mut html = String::from("<h2>Models</h2>\n<table><tr><th>model</th><th>engine</th><th>weights</th><th>code</th><th>arena</th><th>thread</th></tr>\n");
    for u in &m.models {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&u.name),
            escape(&u.engine),
            u.weights,
            u.code,
            u.arena,
            escape(&u.thread)
        );
    }
    html.push_str("</table>\n<table><tr><th>share</th><th>flash</th><th>RAM</th></tr>\n");
    for (name, s) in [("kernel", m.kernel), ("model", m.model), ("app", m.app), ("free", m.headroom)] {
        let _ = writeln!(html, "<tr><td>{name}</td><td>{}</td><td>{}</td></tr>", s.flash, s.ram);
    }
    html.push_str("</table>\n");
    html
}

/// The whole page.
pub fn page(report: &SizeReport, title: &str) -> String {
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{0}</title>\n<style>body{{font-family:sans-serif;margin:1em}} svg text{{pointer-events:none}} table{{border-collapse:collapse}} td,th{{padding:2px 8px;text-align:right}} td:first-child,th:first-child{{text-align:left}}</style>\n</head>\n<body>\n<h1>{0}</h1>\n",
        escape(title)
    );
    html.push_str("<table><tr><th>component</th><th>text</th><th>rodata</th><th>data</th><th>bss</th></tr>\n");
    for c in &report.components {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&c.name),
            c.size.text,
            c.size.rodata,
            c.size.data,
            c.size.bss
        );
    }
    let t = &report.total;
    let _ = writeln!(html, "<tr><th>total</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></table>", t.text, t.rodata, t.data, t.bss);
    if let Some(m) = &report.models {
        html.push_str(&models_table(m));
    }
    html.push_str(&treemap(report, "Flash (text + rodata + data)", Classes::flash));
    html.push_str(&treemap(report, "RAM (data + bss, stacks included)", Classes::ram));
    html.push_str("</body>\n</html>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squarify_fills_the_area_exactly() {
        let area = Rect { x: 0.0, y: 0.0, w: 600.0, h: 400.0 };
        let rects = squarify(&[6.0, 6.0, 4.0, 3.0, 2.0, 2.0, 1.0], area);
        let covered: f64 = rects.iter().map(|r| r.w * r.h).sum();
        assert!((covered - 240_000.0).abs() < 1e-6);
        for r in &rects {
            assert!(r.x >= -1e-9 && r.y >= -1e-9 && r.x + r.w <= 600.0 + 1e-6 && r.y + r.h <= 400.0 + 1e-6, "{r:?}");
        }
    }

    #[test]
    fn escapes_names() {
        assert_eq!(escape("<a as b>::f & \"x\""), "&lt;a as b&gt;::f &amp; &quot;x&quot;");
    }
}

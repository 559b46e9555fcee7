//! Drawing a [`Chart`] as SVG.

use std::fmt::Write;

use super::layout::{self, Drawn};
use super::Chart;
use crate::escape::html as esc;

/// viewBox width: the chart is scaled to the container (A4 text width is
/// about 700 CSS px), so text sizes here are close to their printed size.
const WIDTH: f64 = 720.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 12.0;
const PLOT_TOP: f64 = 34.0;
const PLOT_HEIGHT: f64 = 200.0;
const FONT: f64 = 10.0;
const LEGEND_ROW: f64 = 16.0;
const SWATCH: f64 = 10.0;
/// Longest legend entry, px; longer names are cut with `…` (the full name is
/// in the entry's tooltip and the chart description).
const LEGEND_TEXT_MAX: f64 = 220.0;

/// Solid fills for owner series: blues, greens and greys of different
/// lightness, so neighbours differ in greyscale too.
const OWNER_FILLS: [&str; 8] = [
    "#3b6ea5", "#a6c8e8", "#4f8f46", "#b9dcae", "#6b6b6b", "#cfcfcf", "#2f8a86", "#e0c9dd",
];
/// Attacker series: light background with dark hatching in warm colours,
/// each at its own angle.
const ATTACKER_STYLES: [(&str, &str, i32); 4] = [
    ("#f6b3ab", "#a5221a", 45),
    ("#fbd3a6", "#9a4d00", -45),
    ("#f2b8d6", "#8a1c55", 0),
    ("#f6b3ab", "#5c0f0a", 90),
];

/// FNV-1a over the chart, so pattern ids differ between charts in one HTML
/// page and the same chart always gives the same SVG.
fn fingerprint(chart: &Chart) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes.iter().chain(&[0xff]) {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    };
    eat(chart.title.as_bytes());
    chart.x_labels.iter().for_each(|l| eat(l.as_bytes()));
    for s in &chart.series {
        eat(s.name.as_bytes());
        eat(&[u8::from(s.attacker)]);
        s.values.iter().for_each(|v| eat(&v.to_le_bytes()));
    }
    h
}

/// The fill of the `index`th drawn series among its group.
fn fill(id: &str, attacker: bool, index: usize) -> String {
    if attacker {
        format!("url(#{id}-a{})", index % ATTACKER_STYLES.len())
    } else {
        OWNER_FILLS[index % OWNER_FILLS.len()].to_owned()
    }
}

/// `<defs>`: one hatch pattern per attacker style in use.
fn defs(out: &mut String, id: &str, attackers: usize) {
    if attackers == 0 {
        return;
    }
    out.push_str("<defs>");
    for (k, (bg, fg, angle)) in ATTACKER_STYLES.iter().take(attackers).enumerate() {
        let _ = write!(
            out,
            "<pattern id=\"{id}-a{k}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate({angle})\"><rect width=\"6\" height=\"6\" fill=\"{bg}\"/><rect width=\"2.5\" height=\"6\" fill=\"{fg}\"/></pattern>"
        );
    }
    out.push_str("</defs>\n");
}

/// The accessible description: the period, then each drawn series with its
/// total, attacker series marked `▲`.
fn description(chart: &Chart, drawn: &[Drawn]) -> String {
    let mut d = String::new();
    if let (Some(first), Some(last)) = (chart.x_labels.first(), chart.x_labels.last()) {
        let _ = write!(d, "{first} – {last} ({}): ", chart.x_labels.len());
    }
    let parts: Vec<String> = drawn
        .iter()
        .map(|s| {
            let mark = if s.attacker { "▲ " } else { "" };
            format!("{mark}{} = {}", s.name, s.total())
        })
        .collect();
    d.push_str(&parts.join("; "));
    d
}

/// Legend entries laid out left to right in rows within the plot width;
/// returns the SVG and the number of rows.
fn legend(drawn: &[Drawn], fills: &[String], top: f64) -> (String, usize) {
    let mut out = String::new();
    let (mut x, mut row) = (LEFT, 0usize);
    for (s, fill) in drawn.iter().zip(fills) {
        let label = if s.attacker {
            format!("▲ {}", s.name)
        } else {
            s.name.clone()
        };
        let shown = layout::fit_text(&label, FONT, LEGEND_TEXT_MAX);
        let width = SWATCH + 4.0 + layout::text_width(&shown, FONT) + 14.0;
        if x > LEFT && x + width > WIDTH - RIGHT {
            x = LEFT;
            row += 1;
        }
        let y = top + row as f64 * LEGEND_ROW;
        let _ = writeln!(
            out,
            "<g><title>{}</title><rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{SWATCH}\" height=\"{SWATCH}\" fill=\"{fill}\" stroke=\"#333\" stroke-width=\"0.5\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
            esc(&label),
            y - SWATCH + 1.0,
            x + SWATCH + 4.0,
            y,
            esc(&shown)
        );
        x += width;
    }
    (out, if drawn.is_empty() { 0 } else { row + 1 })
}

/// Renders `chart` as a standalone `<svg>` element: a stacked bar per time
/// bucket, attackers at the bottom of each stack and hatched, a y axis with
/// grid lines, x labels thinned so they never overlap, and a legend below.
/// At most eight series are drawn; smaller ones fold into "… (+N)" entries,
/// attacker and owner activity separately. Every string is escaped.
pub fn to_svg(chart: &Chart) -> String {
    let id = format!("cc-chart-{:016x}", fingerprint(chart));
    let drawn = layout::series(chart);
    let buckets = chart.x_labels.len();
    let (mut attackers, mut owners) = (0usize, 0usize);
    let fills: Vec<String> = drawn
        .iter()
        .map(|s| {
            let counter = if s.attacker {
                &mut attackers
            } else {
                &mut owners
            };
            *counter += 1;
            fill(&id, s.attacker, *counter - 1)
        })
        .collect();
    let plot_width = WIDTH - LEFT - RIGHT;
    let plot_bottom = PLOT_TOP + PLOT_HEIGHT;
    let legend_top = plot_bottom + 36.0;
    let (legend_svg, rows) = legend(&drawn, &fills, legend_top);
    let height = legend_top + rows as f64 * LEGEND_ROW;

    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {WIDTH} {height:.0}\" width=\"100%\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" font-size=\"{FONT}\" fill=\"#111\">"
    );
    let _ = writeln!(
        out,
        "<title id=\"{id}-t\">{}</title>\n<desc id=\"{id}-d\">{}</desc>",
        esc(&chart.title),
        esc(&description(chart, &drawn))
    );
    defs(&mut out, &id, attackers.min(ATTACKER_STYLES.len()));
    let _ = writeln!(
        out,
        "<text x=\"{LEFT}\" y=\"18\" font-size=\"13\" font-weight=\"bold\">{}</text>",
        esc(&layout::fit_text(&chart.title, 13.0, WIDTH - LEFT))
    );

    let max = (0..buckets)
        .map(|i| {
            drawn
                .iter()
                .fold(0u64, |a, s| a.saturating_add(s.values[i]))
        })
        .max()
        .unwrap_or(0);
    let (top, step) = layout::scale(max);
    let y_of = |v: u64| plot_bottom - PLOT_HEIGHT * (v as f64 / top as f64);
    out.push_str("<g stroke=\"#d0d0d0\" stroke-width=\"0.6\">");
    let mut tick = 0u64;
    let mut ticks = Vec::new();
    loop {
        ticks.push(tick);
        let _ = write!(
            out,
            "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>",
            WIDTH - RIGHT,
            y = y_of(tick)
        );
        match tick.checked_add(step) {
            Some(next) if next <= top => tick = next,
            _ => break,
        }
    }
    out.push_str("</g>\n<g text-anchor=\"end\">");
    for t in ticks {
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            LEFT - 5.0,
            y_of(t) + 3.5,
            layout::compact(t)
        );
    }
    out.push_str("</g>\n");

    if buckets == 0 || drawn.is_empty() {
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"14\" fill=\"#666\">—</text>",
            LEFT + plot_width / 2.0,
            PLOT_TOP + PLOT_HEIGHT / 2.0
        );
    } else {
        let slot = plot_width / buckets as f64;
        let bar = (slot * 0.8).max(0.5);
        out.push_str("<g stroke=\"#fff\" stroke-width=\"0.3\">\n");
        for i in 0..buckets {
            let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
            let mut base = 0u64;
            for (s, fill) in drawn.iter().zip(&fills) {
                let v = s.values[i];
                if v == 0 {
                    continue;
                }
                let next = base.saturating_add(v);
                let _ = writeln!(
                    out,
                    "<rect x=\"{x:.2}\" y=\"{:.2}\" width=\"{bar:.2}\" height=\"{:.2}\" fill=\"{fill}\"/>",
                    y_of(next),
                    y_of(base) - y_of(next)
                );
                base = next;
            }
        }
        out.push_str("</g>\n");
        let longest = chart
            .x_labels
            .iter()
            .map(|l| layout::text_width(&layout::fit_text(l, FONT, 120.0), FONT))
            .fold(0.0, f64::max);
        let every = layout::label_step(longest, slot);
        out.push_str("<g text-anchor=\"middle\">");
        for (i, label) in chart.x_labels.iter().enumerate().step_by(every) {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                LEFT + slot * (i as f64 + 0.5),
                plot_bottom + 14.0,
                esc(&layout::fit_text(label, FONT, 120.0))
            );
        }
        out.push_str("</g>\n");
    }
    let _ = writeln!(
        out,
        "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{plot_bottom}\" y2=\"{plot_bottom}\" stroke=\"#333\"/>",
        WIDTH - RIGHT
    );
    out.push_str(&legend_svg);
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::Series;

    fn days(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| format!("2024-05-{:02}", i % 28 + 1))
            .collect()
    }

    fn count(svg: &str, needle: &str) -> usize {
        svg.matches(needle).count()
    }

    #[test]
    fn hostile_names_and_labels_are_escaped() {
        let chart = Chart {
            title: "<script>alert(1)</script>".into(),
            x_labels: vec!["</text><script>x</script>".into()],
            series: vec![Series {
                name: "\"><img src=x onerror=alert(1)>&".into(),
                attacker: true,
                values: vec![3],
            }],
        };
        let svg = to_svg(&chart);
        assert!(!svg.contains("<script") && !svg.contains("<img"), "{svg}");
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(svg.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&amp;"));
        assert!(svg.contains("&lt;/text&gt;&lt;script&gt;x&lt;/script&gt;"));
    }

    #[test]
    fn empty_chart_is_a_valid_frame_with_title_and_desc() {
        for chart in [
            Chart::default(),
            Chart {
                title: "no series".into(),
                x_labels: days(3),
                series: vec![],
            },
        ] {
            let svg = to_svg(&chart);
            assert!(svg.starts_with("<svg ") && svg.trim_end().ends_with("</svg>"));
            assert!(svg.contains("<title id=") && svg.contains("<desc id="));
            assert_eq!(count(&svg, "<rect"), 0);
            assert!(svg.contains(">—</text>"));
        }
    }

    #[test]
    fn zero_values_draw_no_bars_but_an_axis() {
        let chart = Chart {
            title: "quiet".into(),
            x_labels: days(5),
            series: vec![Series {
                name: "alice".into(),
                attacker: false,
                values: vec![0; 5],
            }],
        };
        let svg = to_svg(&chart);
        // One rect: the legend swatch; no bar of height 0.
        assert_eq!(count(&svg, "<rect"), 1);
        assert!(!svg.contains("height=\"0.00\""));
        assert!(svg.contains(">1</text>"), "y axis runs to 1: {svg}");
    }

    #[test]
    fn many_buckets_thin_the_labels_and_keep_the_width() {
        let chart = Chart {
            title: "busy".into(),
            x_labels: days(500),
            series: vec![Series {
                name: "bob".into(),
                attacker: false,
                values: (0..500).collect(),
            }],
        };
        let svg = to_svg(&chart);
        assert!(svg.contains("viewBox=\"0 0 720 "));
        assert_eq!(count(&svg, "<rect"), 499 + 1);
        let labels = count(&svg, "<text x=") - 1 - 5 - 1; // title, y ticks, legend
        assert!((5..=12).contains(&labels), "{labels} x labels");
    }

    #[test]
    fn many_series_are_capped_with_attackers_hatched() {
        let mut series: Vec<Series> = (0..30u64)
            .map(|i| Series {
                name: format!("user-{i}"),
                attacker: false,
                values: vec![i, 1],
            })
            .collect();
        series.push(Series {
            name: "AKIA-evil".into(),
            attacker: true,
            values: vec![5, 0],
        });
        let svg = to_svg(&Chart {
            title: "identities".into(),
            x_labels: days(2),
            series,
        });
        assert_eq!(count(&svg, "<title>"), layout::MAX_SERIES);
        assert!(svg.contains("<title>▲ AKIA-evil</title>"));
        assert!(svg.contains("… (+24)"));
        assert_eq!(count(&svg, "<pattern "), 1);
        assert!(svg.contains("fill=\"url(#cc-chart-"));
    }

    #[test]
    fn the_same_chart_gives_the_same_svg_and_different_charts_different_ids() {
        let a = Chart {
            title: "a".into(),
            x_labels: days(1),
            series: vec![Series {
                name: "x".into(),
                attacker: true,
                values: vec![1],
            }],
        };
        let mut b = a.clone();
        b.title = "b".into();
        assert_eq!(to_svg(&a), to_svg(&a));
        assert_ne!(fingerprint(&a), fingerprint(&b));
    }
}

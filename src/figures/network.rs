//! Figure 5, governance networks: essay 1's two conceptual figures (the collaborative-governance mode
//! and the multi-subject mode) drawn from what a scenario actually wires up (`wiring.rs`), fragmented
//! beside coordinated.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::wiring::{Edge, edge};
use crate::error::Result;
use crate::output::OutputDir;
use crate::output::table::csv_rows;
use crate::plot::{Drawing, FONT_NAME, draw_error, render};

/// Node positions in the unit square (x right, y up).
fn position(node: &str) -> Option<(f64, f64)> {
    Some(match node {
        "Central government" => (0.35, 0.95),
        "Province" => (0.76, 0.95),
        "Local government" => (0.20, 0.78),
        "Downstream region" => (0.82, 0.78),
        // A river chief and a joint working group are never drawn together.
        "Joint working group" | "River chief" => (0.08, 0.60),
        "Departments" => (0.42, 0.58),
        "Shared platform" => (0.13, 0.44),
        "Environment dept." => (0.10, 0.24),
        "Public" => (0.86, 0.38),
        "Court" => (0.66, 0.19),
        "Enterprises" => (0.42, 0.06),
        "NGOs" => (0.90, 0.06),
        _ => return None,
    })
}

fn relation_colour(relation: &str) -> RGBColor {
    match relation {
        r if r.contains("complaint")
            || r.contains("peer")
            || r.contains("campaign")
            || r.contains("disclosure") =>
        {
            RGBColor(230, 159, 0)
        }
        r if r.contains("compensation") || r.contains("fund") => RGBColor(204, 121, 167),
        r if r.contains("spillover") => RGBColor(86, 180, 233),
        r if r.contains("data")
            || r.contains("share")
            || r.contains("gap")
            || r.contains("evaluation") =>
        {
            RGBColor(0, 158, 115)
        }
        r if r.contains("litigation") || r.contains("damages") || r.contains("monitor & name") => {
            RGBColor(213, 94, 0)
        }
        r if r.contains("inspect") || r.contains("enforcement") || r.contains("audit") => {
            RGBColor(0, 114, 178)
        }
        _ => RGBColor(90, 90, 90),
    }
}

struct Networks {
    panels: Vec<(String, Vec<Edge>)>,
}

fn parse(text: &str) -> Result<Networks> {
    let mut panels: Vec<(String, Vec<Edge>)> = Vec::new();
    for row in csv_rows(text, "fig5-networks.csv", 6)? {
        let e = edge(
            row.get(1),
            row.get(2),
            row.get(3),
            row.num(4)?,
            row.get(5) == "true",
        );
        match panels.last_mut() {
            Some((s, edges)) if s == row.get(0) => edges.push(e),
            _ => panels.push((row.get(0).to_string(), vec![e])),
        }
    }
    Ok(Networks { panels })
}

fn draw_network<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    name: &str,
    edges: &[Edge],
) -> Result<()> {
    let mut chart = ChartBuilder::on(area)
        .caption(format!("{name} governance"), (FONT_NAME, 28))
        .margin(20)
        .build_cartesian_2d(-0.08..1.08, -0.04..1.02)
        .map_err(draw_error)?;
    let mut nodes: Vec<&str> = Vec::new();
    for e in edges {
        for n in [e.from.as_str(), e.to.as_str()] {
            if !nodes.contains(&n) {
                nodes.push(n);
            }
        }
    }
    let mut labels = Vec::new();
    for e in edges.iter().filter(|e| e.from != e.to) {
        let (Some(a), Some(b)) = (position(&e.from), position(&e.to)) else {
            continue;
        };
        let c = relation_colour(&e.relation);
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len = (dx * dx + dy * dy).sqrt().max(1e-9);
        let (ux, uy) = (dx / len, dy / len);
        // Two links between the same pair of nodes run side by side.
        let twin = edges.iter().any(|o| {
            !std::ptr::eq(o, e)
                && ((o.from == e.from && o.to == e.to) || (o.from == e.to && o.to == e.from))
        });
        let shift = if twin { 0.018 } else { 0.0 };
        let (a, b) = (
            (a.0 - uy * shift, a.1 + ux * shift),
            (b.0 - uy * shift, b.1 + ux * shift),
        );
        let width = (1.0 + 6.0 * e.strength).round() as u32;
        let style = c.mix(0.85).stroke_width(width);
        if e.dashed {
            chart
                .draw_series(DashedLineSeries::new(vec![a, b], 9, 7, style))
                .map_err(draw_error)?;
        } else {
            chart
                .draw_series(std::iter::once(PathElement::new(vec![a, b], style)))
                .map_err(draw_error)?;
        }
        // Arrowhead two thirds of the way, pointing to the target.
        let tip = (a.0 + dx * 0.66, a.1 + dy * 0.66);
        let back = (tip.0 - ux * 0.03, tip.1 - uy * 0.03);
        let head = vec![
            tip,
            (back.0 - uy * 0.014, back.1 + ux * 0.014),
            (back.0 + uy * 0.014, back.1 - ux * 0.014),
        ];
        chart
            .draw_series(std::iter::once(Polygon::new(head, c.filled())))
            .map_err(draw_error)?;
        let side = if twin { 2.2 } else { 1.0 };
        // Dashed links are labelled nearer their target, which keeps crossing labels apart.
        let t = if e.dashed { 0.62 } else { 0.5 };
        labels.push((
            e.relation.clone(),
            (
                a.0 + dx * t - uy * 0.028 * side,
                a.1 + dy * t + ux * 0.028 * side,
            ),
            c,
        ));
    }
    for n in nodes {
        let Some((x, y)) = position(n) else { continue };
        let w = 0.012 * n.chars().count() as f64 / 2.0 + 0.02;
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x - w, y - 0.03), (x + w, y + 0.03)],
                WHITE.filled(),
            )))
            .map_err(draw_error)?;
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x - w, y - 0.03), (x + w, y + 0.03)],
                BLACK.stroke_width(2),
            )))
            .map_err(draw_error)?;
        let anchor = plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Center,
        );
        chart
            .draw_series(std::iter::once(Text::new(
                n.to_string(),
                (x, y),
                (FONT_NAME, 17).into_font().color(&BLACK).pos(anchor),
            )))
            .map_err(draw_error)?;
    }
    // Labels last, on a white backing, so neither lines nor boxes hide them.
    let anchor = plotters::style::text_anchor::Pos::new(
        plotters::style::text_anchor::HPos::Center,
        plotters::style::text_anchor::VPos::Center,
    );
    for (text, (x, y), c) in labels {
        let w = 0.0052 * text.chars().count() as f64;
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x - w, y - 0.014), (x + w, y + 0.014)],
                WHITE.mix(0.85).filled(),
            )))
            .map_err(draw_error)?;
        chart
            .draw_series(std::iter::once(Text::new(
                text,
                (x, y),
                (FONT_NAME, 15).into_font().color(&c).pos(anchor),
            )))
            .map_err(draw_error)?;
    }
    Ok(())
}

impl Drawing for Networks {
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<()> {
        root.fill(&WHITE).map_err(draw_error)?;
        let root = root
            .margin(12, 0, 0, 0)
            .titled(
                "Governance networks drawn from the scenarios (line width = strength of the link)",
                (FONT_NAME, 30),
            )
            .map_err(draw_error)?;
        for (area, (name, edges)) in root
            .split_evenly((1, self.panels.len().max(1)))
            .iter()
            .zip(&self.panels)
        {
            draw_network(area, name, edges)?;
        }
        root.present().map_err(draw_error)
    }
}

pub fn draw(out: &mut OutputDir, text: &str) -> Result<()> {
    render(out, "fig5-networks", (2000, 1000), &parse(text)?)
}

//! Figures, drawn from finished observations (tables written to disk first, so `cogov plot` redraws
//! them byte for byte). Fonts are embedded (DejaVu Sans), so rendering needs no
//! system fonts. One palette for the whole project: fragmented is always vermilion, coordinated always
//! blue (Okabe–Ito colours, readable by colour-blind readers).

use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::error::{Error, Result};
use crate::output::OutputDir;

mod indices;
mod lines;
mod series;

pub use indices::{IndexPanel, IndexRow, panels_from_table, sensitivity_figure};
pub use lines::{Line, log_log_figure};
pub use series::{
    BandPoint, BandTable, COMPARE_PANELS, Panel, Series, bands_from_timeseries, run_figure,
    run_figure_from, time_series_figure,
};

static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
pub(crate) const FONT_NAME: &str = "sans-serif";

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font is compiled in; failing to parse it is a build defect, caught by the tests.
        plotters::style::register_font(FONT_NAME, FontStyle::Normal, FONT)
            .unwrap_or_else(|_| panic!("embedded DejaVu Sans font is invalid"));
    });
}

/// The project palette: a scenario's colour follows its name where it is a known regime.
pub fn colour(name: &str, index: usize) -> RGBColor {
    // Okabe–Ito, minus the two regime colours, most distinct first; no yellow (too faint on white).
    const OTHERS: [RGBColor; 5] = [
        RGBColor(0, 158, 115),
        RGBColor(204, 121, 167),
        RGBColor(86, 180, 233),
        RGBColor(230, 159, 0),
        RGBColor(0, 0, 0),
    ];
    match name {
        "fragmented" => RGBColor(213, 94, 0),
        "coordinated" => RGBColor(0, 114, 178),
        _ => OTHERS[index % OTHERS.len()],
    }
}

pub(crate) fn draw_error<E: std::fmt::Debug>(e: E) -> Error {
    Error::Draw(format!("{e:?}"))
}

/// Tick label with a precision suited to the axis span.
pub(crate) fn tick_label(v: f64, span: f64) -> String {
    let text = if span >= 100.0 {
        format!("{v:.0}")
    } else if span >= 1.0 {
        format!("{v:.1}")
    } else if span >= 0.1 || span <= 0.0 || !span.is_finite() {
        format!("{v:.2}")
    } else {
        // Narrow axes: enough decimals that neighbouring ticks differ.
        let decimals = (-span.log10().floor()) as usize + 1;
        format!("{v:.decimals$}")
    };
    // "-0.0" reads as a mistake.
    match text.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => text,
    }
}

/// Something drawable on any plotters backend.
pub(crate) trait Drawing {
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<()>;
}

/// Render `figure` to `{stem}.svg` and `{stem}.png` in `out`. Both are drawn in memory and written
/// through the output directory like every other file.
pub(crate) fn render(
    out: &mut OutputDir,
    stem: &str,
    size: (u32, u32),
    figure: &impl Drawing,
) -> Result<()> {
    register_font();
    let mut svg = String::new();
    figure.draw(SVGBackend::with_string(&mut svg, size).into_drawing_area())?;
    out.write(&format!("{stem}.svg"), svg.as_bytes())?;
    let mut rgb = vec![0u8; size.0 as usize * size.1 as usize * 3];
    figure.draw(BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area())?;
    out.write(&format!("{stem}.png"), &encode_png(&rgb, size)?)
}

/// PNG bytes of an RGB buffer, with the encoder settings an image file save uses.
fn encode_png(rgb: &[u8], (width, height): (u32, u32)) -> Result<Vec<u8>> {
    use image::ImageEncoder;
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(rgb, width, height, image::ColorType::Rgb8)
        .map_err(draw_error)?;
    Ok(png)
}

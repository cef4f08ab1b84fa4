//! A drawn screen as SVG: each cell's character in its colours, on a
//! grid, for the README's pictures. They are made from the same buffer
//! the terminal gets (ratatui's `TestBackend`), so a picture is never of
//! a screen that no longer exists.

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

/// A cell's size in the picture, in pixels.
const CELL_W: f32 = 8.4;
const CELL_H: f32 = 17.0;

/// The terminal's own colours, for cells that keep them (`Color::Reset`).
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    pub background: &'static str,
    pub foreground: &'static str,
}

pub const DARK: Palette = Palette {
    background: "#1e1e1e",
    foreground: "#d4d4d4",
};

pub const LIGHT: Palette = Palette {
    background: "#ffffff",
    foreground: "#1e1e1e",
};

/// `buffer` as an SVG document: backgrounds as runs of rectangles, text
/// as runs of equal style.
pub fn render(buffer: &Buffer, palette: Palette) -> String {
    let area = buffer.area;
    let (w, h) = (
        f32::from(area.width) * CELL_W,
        f32::from(area.height) * CELL_H,
    );
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"14\">\n<rect width=\"100%\" height=\"100%\" fill=\"{}\"/>\n",
        palette.background
    );
    for y in 0..area.height {
        let row: Vec<_> = (0..area.width)
            .map(|x| &buffer[(area.x + x, area.y + y)])
            .collect();
        // Backgrounds.
        let mut x = 0;
        while x < row.len() {
            let bg = colours(row[x], palette).1;
            let start = x;
            while x < row.len() && colours(row[x], palette).1 == bg {
                x += 1;
            }
            if bg != palette.background {
                out.push_str(&format!(
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{CELL_H:.1}\" fill=\"{bg}\"/>\n",
                    start as f32 * CELL_W,
                    f32::from(y) * CELL_H,
                    (x - start) as f32 * CELL_W,
                ));
            }
        }
        // Text, one element per run of one style; spaces kept.
        let mut x = 0;
        while x < row.len() {
            let style = text_style(row[x], palette);
            let start = x;
            let mut text = String::new();
            while x < row.len() && text_style(row[x], palette) == style {
                text.push_str(row[x].symbol());
                x += 1;
            }
            if text.trim().is_empty() {
                continue;
            }
            out.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"{}\"{} xml:space=\"preserve\">{}</text>\n",
                start as f32 * CELL_W,
                f32::from(y) * CELL_H + CELL_H * 0.78,
                style.0,
                style.1,
                escape(&text)
            ));
        }
    }
    out.push_str("</svg>\n");
    out
}

/// A cell's text and background colours, reversal applied.
fn colours(cell: &ratatui::buffer::Cell, palette: Palette) -> (String, String) {
    let fg = colour(cell.fg, palette.foreground);
    let bg = colour(cell.bg, palette.background);
    if cell.modifier.contains(Modifier::REVERSED) {
        (bg, fg)
    } else {
        (fg, bg)
    }
}

/// The fill and the extra attributes of a cell's text.
fn text_style(cell: &ratatui::buffer::Cell, palette: Palette) -> (String, String) {
    let mut extra = String::new();
    if cell.modifier.contains(Modifier::BOLD) {
        extra.push_str(" font-weight=\"bold\"");
    }
    if cell.modifier.contains(Modifier::ITALIC) {
        extra.push_str(" font-style=\"italic\"");
    }
    if cell.modifier.contains(Modifier::UNDERLINED) {
        extra.push_str(" text-decoration=\"underline\"");
    }
    if cell.modifier.contains(Modifier::DIM) {
        extra.push_str(" opacity=\"0.6\"");
    }
    (colours(cell, palette).0, extra)
}

/// A colour as SVG writes it; `Reset` is the terminal's own.
fn colour(c: Color, reset: &str) -> String {
    let named = |rgb: (u8, u8, u8)| format!("#{:02x}{:02x}{:02x}", rgb.0, rgb.1, rgb.2);
    match c {
        Color::Reset => reset.to_owned(),
        Color::Rgb(r, g, b) => named((r, g, b)),
        Color::Indexed(i) => named(indexed(i)),
        Color::Black => named((0, 0, 0)),
        Color::Red => named((205, 49, 49)),
        Color::Green => named((13, 188, 121)),
        Color::Yellow => named((229, 229, 16)),
        Color::Blue => named((36, 114, 200)),
        Color::Magenta => named((188, 63, 188)),
        Color::Cyan => named((17, 168, 205)),
        Color::Gray => named((229, 229, 229)),
        Color::DarkGray => named((102, 102, 102)),
        Color::LightRed => named((241, 76, 76)),
        Color::LightGreen => named((35, 209, 139)),
        Color::LightYellow => named((245, 245, 67)),
        Color::LightBlue => named((59, 142, 234)),
        Color::LightMagenta => named((214, 112, 214)),
        Color::LightCyan => named((41, 184, 219)),
        Color::White => named((255, 255, 255)),
    }
}

/// xterm's 256 colours.
fn indexed(i: u8) -> (u8, u8, u8) {
    const BASE: [(u8, u8, u8); 16] = [
        (0, 0, 0),
        (205, 49, 49),
        (13, 188, 121),
        (229, 229, 16),
        (36, 114, 200),
        (188, 63, 188),
        (17, 168, 205),
        (229, 229, 229),
        (102, 102, 102),
        (241, 76, 76),
        (35, 209, 139),
        (245, 245, 67),
        (59, 142, 234),
        (214, 112, 214),
        (41, 184, 219),
        (255, 255, 255),
    ];
    match i {
        0..=15 => BASE[usize::from(i)],
        16..=231 => {
            let n = i - 16;
            let level = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
            (level(n / 36), level((n / 6) % 6), level(n % 6))
        }
        _ => {
            let v = 8 + (i - 232) * 10;
            (v, v, v)
        }
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    #[test]
    fn cells_become_runs_of_text_and_background() {
        let mut b = Buffer::empty(Rect::new(0, 0, 6, 1));
        b.set_string(0, 0, "a<b", Style::new().fg(Color::Red).bg(Color::Blue));
        let svg = render(&b, DARK);
        assert!(svg.contains("fill=\"#2472c8\""), "{svg}");
        assert!(svg.contains(">a&lt;b</text>"), "{svg}");
        assert!(svg.contains("fill=\"#cd3131\""), "{svg}");
        assert_eq!(indexed(196), (255, 0, 0));
        assert_eq!(indexed(244), (128, 128, 128));
    }
}

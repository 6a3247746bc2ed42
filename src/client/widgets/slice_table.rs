//! A table that is handed only the rows it shows (a header and the visible slice) and writes
//! each cell once.
//!
//! Why not ratatui's `Table`: with one `Row` per visible incident it re-styles every cell four
//! or five times a frame (the block, the table, each row, each cell and each cell's text call
//! `Buffer::set_style` on their whole area), and at 200x60 that was most of a 0.65 ms frame
//! (benches/dashboard.rs, 10,000 incidents). Here the selected row is styled once and every
//! other cell only by the `set_stringn` that writes its text. Column widths still come from
//! ratatui's `Layout` (cached), and the look is `Table`'s: a one-column selection mark, then
//! the columns one space apart, the header's whole row in its style.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::widgets::Widget;

/// The mark drawn before the selected row.
const MARK: &str = "▶";

/// A header and the visible rows of a longer list.
pub struct SliceTable<'a, const N: usize> {
    /// Column titles.
    pub header: [&'a str; N],
    /// Column widths.
    pub widths: [Constraint; N],
    /// The rows shown, top first (only as many as fit are drawn).
    pub rows: Vec<[String; N]>,
    /// The selected row, as an index into `rows`.
    pub selected: Option<usize>,
    /// Style of the header row.
    pub header_style: Style,
    /// Style of the selected row.
    pub selected_style: Style,
}

impl<const N: usize> Widget for SliceTable<'_, N> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let body = Rect {
            x: area.x + 1,
            width: area.width - 1,
            height: 1,
            ..area
        };
        let columns = Layout::horizontal(self.widths).spacing(1).split(body);
        let line = |y: u16| Rect { y, height: 1, ..area };
        let write = |buf: &mut Buffer, y: u16, cells: &[&str], style: Style| {
            for (c, text) in columns.iter().zip(cells) {
                buf.set_stringn(c.x, y, text, usize::from(c.width), style);
            }
        };
        buf.set_style(line(area.y), self.header_style);
        write(buf, area.y, &self.header, self.header_style);
        for (i, (row, y)) in self.rows.iter().zip(area.y + 1..area.bottom()).enumerate() {
            let cells = row.each_ref().map(String::as_str);
            if self.selected == Some(i) {
                buf.set_style(line(y), self.selected_style);
                buf.set_stringn(area.x, y, MARK, 1, self.selected_style);
                write(buf, y, &cells, self.selected_style);
            } else {
                write(buf, y, &cells, Style::default());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Modifier;

    fn lines(buf: &Buffer) -> Vec<String> {
        (0..buf.area.height)
            .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect())
            .collect()
    }

    #[test]
    fn draws_the_header_the_rows_that_fit_and_marks_the_selected_one() {
        let area = Rect::new(0, 0, 20, 3);
        let mut buf = Buffer::empty(area);
        let rows = vec![
            ["a".to_string(), "Ann Smith".to_string()],
            ["b".to_string(), "宮本 武蔵 and more".to_string()],
            ["c".to_string(), "not drawn".to_string()],
        ];
        SliceTable {
            header: ["Id", "Name"],
            widths: [Constraint::Length(3), Constraint::Fill(1)],
            rows,
            selected: Some(1),
            header_style: Style::new().add_modifier(Modifier::BOLD),
            selected_style: Style::new().add_modifier(Modifier::REVERSED),
        }
        .render(area, &mut buf);
        // A wide character takes two cells; the second reads as a space here.
        assert_eq!(
            lines(&buf),
            [
                " Id  Name           ",
                " a   Ann Smith      ",
                "▶b   宮 本  武 蔵  and m"
            ]
        );
        assert!(buf[(0, 0)].modifier.contains(Modifier::BOLD), "header row styled");
        assert!(
            buf[(19, 2)].modifier.contains(Modifier::REVERSED),
            "selected row styled"
        );
        assert!(!buf[(19, 1)].modifier.contains(Modifier::REVERSED));
    }
}

//! A table that is handed only the rows it shows (a header and the visible slice) and writes
//! each cell once.
//!
//! Why not ratatui's `Table`: with one `Row` per visible incident it re-styles every cell four
//! or five times a frame (the block, the table, each row, each cell and each cell's text call
//! `Buffer::set_style` on their whole area), and at 200x60 that was most of a 0.65 ms frame
//! (benches/dashboard.rs, 10,000 incidents). Here the selected row is styled once and every
//! other cell only by the `fit::put` that writes its text.
//!
//! Column widths follow the content of the rows shown (names and types get the room, not fixed
//! shares): each column asks for its widest cell; when they do not all fit, the columns named
//! in `shrink` give way in that order of preference, widest first, down to their minimum, and
//! a cell that is cut ends in "…". The look is `Table`'s: a one-column selection mark, then the
//! columns one space apart, the header's whole row in its style.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;

use super::fit::{fit, put, width};
use crate::client::glyphs::Glyphs;

/// A header and the visible rows of a longer list.
pub struct SliceTable<'a, const N: usize> {
    /// Column titles.
    pub header: [&'a str; N],
    /// The fewest columns each column keeps when space is short.
    pub min_widths: [u16; N],
    /// The columns that give way when space is short, most willing first.
    pub shrink: &'a [usize],
    /// The rows shown, top first (only as many as fit are drawn).
    pub rows: Vec<[String; N]>,
    /// The selected row, as an index into `rows`.
    pub selected: Option<usize>,
    /// Style of the header row.
    pub header_style: Style,
    /// Style of the selected row.
    pub selected_style: Style,
    /// The selection mark and the ellipsis.
    pub glyphs: Glyphs,
}

/// The first row to show of a list scrolled to `offset` so that row `selected` is in a view of
/// `visible` rows (it scrolls as little as it can; a view of no rows keeps the offset).
pub fn follow(offset: usize, selected: usize, visible: usize) -> usize {
    if selected < offset {
        selected
    } else if visible > 0 && selected >= offset + visible {
        selected + 1 - visible
    } else {
        offset
    }
}

/// Widths for columns that want `wants` in `available` columns (one space between columns):
/// the wanted widths when they fit (the last column takes what is left over), else the
/// `shrink` columns give way, widest first, down to `mins`.
pub fn column_widths<const N: usize>(available: u16, wants: [u16; N], mins: [u16; N], shrink: &[usize]) -> [u16; N] {
    let spacing = N.saturating_sub(1) as u16;
    let room = available.saturating_sub(spacing);
    let mut widths = wants;
    let total = |w: &[u16; N]| w.iter().map(|&x| u32::from(x)).sum::<u32>();
    if total(&widths) <= u32::from(room) {
        if let Some(last) = widths.last_mut() {
            *last += room - total(&wants) as u16;
        }
        return widths;
    }
    let mut over = total(&widths) - u32::from(room);
    for (rank, &col) in shrink.iter().enumerate() {
        // The first column named gives way alone; the rest share the cut, widest first.
        let group: Vec<usize> = if rank == 0 { vec![col] } else { shrink[rank..].to_vec() };
        while over > 0 {
            let Some(&widest) = group
                .iter()
                .filter(|&&c| widths[c] > mins[c])
                .max_by_key(|&&c| widths[c] - mins[c])
            else {
                break;
            };
            widths[widest] -= 1;
            over -= 1;
        }
        if over == 0 {
            break;
        }
    }
    widths
}

impl<const N: usize> Widget for SliceTable<'_, N> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let mut wants = self.header.map(|h| width(h) as u16);
        for row in &self.rows {
            for (want, cell) in wants.iter_mut().zip(row) {
                *want = (*want).max(u16::try_from(width(cell)).unwrap_or(u16::MAX));
            }
        }
        let widths = column_widths(area.width - 1, wants, self.min_widths, self.shrink);
        let mut xs = [0u16; N];
        let mut x = area.x + 1;
        for (i, w) in widths.iter().enumerate() {
            xs[i] = x;
            x = x.saturating_add(*w).saturating_add(1);
        }
        let line = |y: u16| Rect { y, height: 1, ..area };
        let ellipsis = self.glyphs.ellipsis();
        let write = |buf: &mut Buffer, y: u16, cells: &[&str], style: Style| {
            for ((text, x), w) in cells.iter().zip(xs).zip(widths) {
                if x < area.right() && w > 0 {
                    let w = w.min(area.right() - x);
                    put(buf, x, y, &fit(text, usize::from(w), ellipsis), usize::from(w), style);
                }
            }
        };
        buf.set_style(line(area.y), self.header_style);
        write(buf, area.y, &self.header, self.header_style);
        for (i, (row, y)) in self.rows.iter().zip(area.y + 1..area.bottom()).enumerate() {
            let cells = row.each_ref().map(String::as_str);
            if self.selected == Some(i) {
                buf.set_style(line(y), self.selected_style);
                put(buf, area.x, y, self.glyphs.mark(), 1, self.selected_style);
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
            min_widths: [2, 4],
            shrink: &[1],
            rows,
            selected: Some(1),
            header_style: Style::new().add_modifier(Modifier::BOLD),
            selected_style: Style::new().add_modifier(Modifier::REVERSED),
            glyphs: Glyphs::UNICODE,
        }
        .render(area, &mut buf);
        // A wide character takes two cells; the second reads as a space here. The long name is
        // cut with an ellipsis.
        assert_eq!(
            lines(&buf),
            [
                " Id Name            ",
                " a  Ann Smith       ",
                "▶b  宮 本  武 蔵  and m…"
            ]
        );
        assert!(buf[(0, 0)].modifier.contains(Modifier::BOLD), "header row styled");
        assert!(
            buf[(19, 2)].modifier.contains(Modifier::REVERSED),
            "selected row styled"
        );
        assert!(!buf[(19, 1)].modifier.contains(Modifier::REVERSED));
    }

    #[test]
    fn the_view_follows_the_selection_scrolling_as_little_as_it_can() {
        assert_eq!(follow(0, 3, 10), 0);
        assert_eq!(follow(0, 10, 10), 1);
        assert_eq!(follow(5, 2, 10), 2);
        assert_eq!(follow(5, 14, 10), 5);
        assert_eq!(follow(5, 30, 0), 5);
    }

    #[test]
    fn widths_follow_the_content_and_give_way_in_order() {
        // Everything fits: the last column takes the rest.
        assert_eq!(column_widths(40, [5, 10, 8], [5, 4, 4], &[2, 1]), [5, 10, 23]);
        // Too wide: the last column gives way first, down to its minimum, then the others.
        assert_eq!(column_widths(24, [5, 10, 8], [5, 4, 4], &[2, 1]), [5, 10, 7]);
        assert_eq!(column_widths(18, [5, 10, 8], [5, 4, 4], &[2, 1]), [5, 7, 4]);
        assert_eq!(
            column_widths(8, [5, 10, 8], [5, 4, 4], &[2, 1]),
            [5, 4, 4],
            "never below the minimum"
        );
    }
}

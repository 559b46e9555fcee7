//! Reading what tests and callers need from a PDF that Chromium wrote: how
//! many pages, and how large. Chromium (Skia) writes page dictionaries
//! uncompressed, so a scan of the bytes suffices; no PDF library is needed.

fn is_space(b: u8) -> bool {
    matches!(b, b'\0' | b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// Whether `b` ends a PDF name (white space or a delimiter).
fn ends_name(b: u8) -> bool {
    is_space(b) || b"()<>[]{}/%".contains(&b)
}

fn skip_space(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && is_space(bytes[i]) {
        i += 1;
    }
    i
}

/// Positions just past each occurrence of `needle` in `bytes`.
fn after<'a>(bytes: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    bytes
        .windows(needle.len())
        .enumerate()
        .filter(move |(_, w)| *w == needle)
        .map(move |(i, _)| i + needle.len())
}

/// The number of page objects (`/Type /Page`, not `/Pages`, any white space
/// between) in an uncompressed-object PDF such as Chromium's.
pub fn pdf_page_count(bytes: &[u8]) -> usize {
    after(bytes, b"/Type")
        .filter(|&i| {
            let j = skip_space(bytes, i);
            bytes[j..].starts_with(b"/Page") && bytes.get(j + 5).is_none_or(|&b| ends_name(b))
        })
        .count()
}

/// Width and height in points of every `/MediaBox [x0 y0 x1 y1]` in the file
/// (Chromium writes one per page; A4 is about 595 × 842).
pub fn pdf_page_sizes(bytes: &[u8]) -> Vec<(f64, f64)> {
    after(bytes, b"/MediaBox")
        .filter_map(|i| {
            let j = skip_space(bytes, i);
            let rest = bytes.get(j..)?.strip_prefix(b"[")?;
            let end = rest.iter().position(|&b| b == b']')?;
            let text = std::str::from_utf8(&rest[..end]).ok()?;
            let n: Vec<f64> = text
                .split(|c: char| c.is_ascii_whitespace())
                .filter(|s| !s.is_empty())
                .map(str::parse)
                .collect::<Result<_, _>>()
                .ok()?;
            match n[..] {
                [x0, y0, x1, y1] => Some(((x1 - x0).abs(), (y1 - y0).abs())),
                _ => None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_counted_whatever_the_spacing_but_not_the_tree() {
        let pdf = b"%PDF-1.4\n1 0 obj <</Type /Pages /Kids [2 0 R 3 0 R 4 0 R] /Count 3>>\n\
            2 0 obj <</Type/Page/Parent 1 0 R>>\n3 0 obj <</Type\r\n /Page\n/MediaBox [0 0 595.91998 842.88]>>\n\
            4 0 obj <</Type /Page>>\n5 0 obj <</Type /PageLabel>>\n";
        assert_eq!(pdf_page_count(pdf), 3);
        assert_eq!(pdf_page_count(b""), 0);
        assert_eq!(pdf_page_count(b"/Type /Page"), 1);
    }

    #[test]
    fn media_boxes_give_page_sizes() {
        let pdf = b"/MediaBox [0 0 595.91998 842.88] /MediaBox[10 10 110 60] /MediaBox [bad] /MediaBox [1 2 3]";
        let sizes = pdf_page_sizes(pdf);
        assert_eq!(sizes.len(), 2);
        assert!((sizes[0].0 - 595.92).abs() < 0.01 && (sizes[0].1 - 842.88).abs() < 0.01);
        assert_eq!(sizes[1], (100.0, 50.0));
    }
}

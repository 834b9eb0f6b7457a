//! The CSV the city's lists come in (master data, object lists): a header row, `;` or `,`
//! between values (the header decides), quotes as in RFC 4180, values spanning lines.

/// The separator of `text`: `;` when its first line has one (what German spreadsheets
/// write), else `,`.
#[must_use]
pub fn separator(text: &str) -> char {
    if text.lines().next().unwrap_or_default().contains(';') {
        ';'
    } else {
        ','
    }
}

/// A quoted value that is never closed; it starts on this line (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unclosed(pub usize);

/// The rows of `text` with the line each starts on (1-based); rows with only blank values are
/// left out.
///
/// # Errors
/// [`Unclosed`] when a quoted value runs to the end of the text.
pub fn rows(text: &str, sep: char) -> Result<Vec<(usize, Vec<String>)>, Unclosed> {
    let mut rows = Vec::new();
    let (mut row, mut field) = (Vec::new(), String::new());
    let (mut quoted, mut line, mut start) = (false, 1, 1);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            '"' if quoted => quoted = false,
            '"' if field.is_empty() => quoted = true,
            '\n' if !quoted => {
                row.push(std::mem::take(&mut field));
                if row.iter().any(|f: &String| !f.trim().is_empty()) {
                    rows.push((start, std::mem::take(&mut row)));
                }
                row.clear();
                line += 1;
                start = line;
            }
            '\r' if !quoted => {}
            c if c == sep && !quoted => row.push(std::mem::take(&mut field)),
            c => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
        }
    }
    if quoted {
        return Err(Unclosed(start));
    }
    row.push(field);
    if row.iter().any(|f| !f.trim().is_empty()) {
        rows.push((start, row));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_separators_and_lines() {
        let text = "a;b\r\n\"x;\"\"y\"\"\";\"zwei\nZeilen\"\n\n;\nc;d";
        assert_eq!(separator(text), ';');
        assert_eq!(separator("a,b\nc;d"), ',');
        let r = rows(text, ';').unwrap();
        let lines: Vec<usize> = r.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [1, 2, 6]);
        assert_eq!(r[1].1, ["x;\"y\"", "zwei\nZeilen"]);
        assert_eq!(rows("a\n\"offen\nweiter", ','), Err(Unclosed(2)));
    }
}

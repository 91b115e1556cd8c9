//! Quoting for the job files `clustersim plan` writes: strings that came from the command line
//! (paths, names, the scenario text) are embedded so that no character can end a string early,
//! start a comment or run a command.

/// A YAML double-quoted scalar holding exactly `text`.
///
/// Everything outside YAML's printable set is escaped (YAML 1.2.2 §5.1 and §5.7): the C0 and C1
/// controls, DEL, the byte-order mark, U+FFFE/U+FFFF, and U+2028/U+2029 (which YAML 1.1 parsers
/// such as the one behind `kubectl` fold as line breaks). No raw line break is ever written, so
/// line folding never applies and the value read back is `text` byte for byte.
pub fn yaml_quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for character in text.chars() {
        match character {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            '\r' => quoted.push_str("\\r"),
            c if needs_yaml_escape(c) => {
                quoted.push_str(&format!("\\u{:04X}", u32::from(c)));
            }
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// `text` as a YAML literal block scalar (`|`) whose lines are indented by `indent` spaces, for a
/// script people read and edit; or, where a block could not hold `text` exactly (no single
/// final line break, a leading space, a carriage return or a character YAML must escape),
/// [`yaml_quote`]. Each line of a literal block is taken as it is, so the value read back is
/// `text`.
pub fn yaml_block_or_quote(text: &str, indent: usize) -> String {
    let exact = text.ends_with('\n')
        && !text.ends_with("\n\n")
        && !text.starts_with([' ', '\n'])
        && !text.contains('\r')
        && !text
            .chars()
            .any(|c| c != '\n' && c != '\t' && needs_yaml_escape(c));
    if !exact {
        return yaml_quote(text);
    }
    let padding = " ".repeat(indent);
    let mut block = String::from("|\n");
    for line in text.lines() {
        if !line.is_empty() {
            block.push_str(&padding);
            block.push_str(line);
        }
        block.push('\n');
    }
    block.pop();
    block
}

fn needs_yaml_escape(character: char) -> bool {
    let code = u32::from(character);
    code < 0x20
        || (0x7F..=0x9F).contains(&code)
        || matches!(code, 0x2028 | 0x2029 | 0xFEFF | 0xFFFE | 0xFFFF)
}

/// A word for POSIX `sh` and `bash` holding exactly `text`: left bare when it has only
/// characters that are never special, otherwise in single quotes (inside which nothing is
/// special; a single quote itself is written `'\''`).
pub fn shell_quote(text: &str) -> String {
    crate::commands::run::shell_quote(text)
}

/// The first control character of `text` (a line break, a tab, …), if any: such characters have
/// no safe place in a job file's paths and names.
pub fn control_character(text: &str) -> Option<char> {
    text.chars().find(|c| c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_quote_escapes_quotes_backslashes_and_line_breaks() {
        assert_eq!(yaml_quote("plain"), "\"plain\"");
        assert_eq!(yaml_quote("a \"b\" \\c"), "\"a \\\"b\\\" \\\\c\"");
        assert_eq!(yaml_quote("line\nnext\ttab"), "\"line\\nnext\\ttab\"");
        assert_eq!(
            yaml_quote("\u{7}\u{85}\u{2028}"),
            "\"\\u0007\\u0085\\u2028\""
        );
        assert_eq!(
            yaml_quote("Klaipėda: # not a comment"),
            "\"Klaipėda: # not a comment\""
        );
    }

    #[test]
    fn yaml_blocks_hold_scripts_and_fall_back_to_quotes() {
        assert_eq!(
            yaml_block_or_quote("set -eu\necho \"a: #b\"\n", 4),
            "|\n    set -eu\n    echo \"a: #b\""
        );
        assert_eq!(
            yaml_block_or_quote("no final break", 4),
            "\"no final break\""
        );
        assert_eq!(yaml_block_or_quote(" lead\n", 4), "\" lead\\n\"");
        assert_eq!(yaml_block_or_quote("a\r\n", 4), "\"a\\r\\n\"");
    }

    #[test]
    fn shell_quote_survives_a_shell_round_trip() {
        // What the shell reads back must be the text itself, whatever it holds.
        for text in [
            "plain/path-1.json",
            "with space",
            "it's",
            "$(rm -rf /)",
            "a\"b`c`",
        ] {
            let output = std::process::Command::new("sh")
                .arg("-c")
                .arg(format!("printf %s {}", shell_quote(text)))
                .output()
                .expect("sh runs");
            assert_eq!(String::from_utf8_lossy(&output.stdout), text);
        }
    }

    #[test]
    fn control_characters_are_found() {
        assert_eq!(control_character("/work/a b"), None);
        assert_eq!(control_character("/work/a\nb"), Some('\n'));
    }
}

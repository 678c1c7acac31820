//! Field validation with messages that say what is wrong and what is expected.
//!
//! Every function returns the normalised value, so that what is stored is always in
//! one form (phones as `+48 600 100 200`, dates as `yyyy-mm-dd`).

use chrono::{NaiveDate, NaiveTime};

/// A field value that does not pass validation: the message in English (`.0`, also
/// its Display) and in Polish (`.1`), for the interface language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String, pub String);

impl Invalid {
    pub fn message(&self, lang: crate::i18n::Lang) -> &str {
        match lang {
            crate::i18n::Lang::Pl => &self.1,
            crate::i18n::Lang::En => &self.0,
        }
    }
}

fn invalid(en: impl Into<String>, pl: impl Into<String>) -> Invalid {
    Invalid(en.into(), pl.into())
}

/// An e-mail address: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn email(input: &str) -> Result<String, Invalid> {
    let s = input.trim();
    let bad = || {
        invalid(
            format!("'{s}' is not an e-mail address (expected name@domain.pl)"),
            format!("'{s}' to nie jest adres e-mail (np. imie@domena.pl)"),
        )
    };
    let (local, domain) = s.split_once('@').ok_or_else(bad)?;
    if local.is_empty()
        || domain.contains('@')
        || s.chars().any(char::is_whitespace)
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || domain.contains("..")
    {
        return Err(bad());
    }
    Ok(s.to_lowercase())
}

/// A Polish phone number: nine digits, optionally after `+48` or `0048`, with spaces or
/// dashes anywhere. Stored as `+48 600 100 200`.
pub fn phone(input: &str) -> Result<String, Invalid> {
    let s = input.trim();
    let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')')).collect();
    let national = digits.strip_prefix("+48").or_else(|| digits.strip_prefix("0048")).unwrap_or(&digits);
    if national.len() != 9 || !national.chars().all(|c| c.is_ascii_digit()) {
        return Err(invalid(
            format!("'{s}' is not a Polish phone number (expected 9 digits, e.g. 600 100 200 or +48 600 100 200)"),
            format!("'{s}' to nie jest polski numer telefonu (9 cyfr, np. 600 100 200 lub +48 600 100 200)"),
        ));
    }
    Ok(format!("+48 {} {} {}", &national[0..3], &national[3..6], &national[6..9]))
}

/// A calendar date written `yyyy-mm-dd`.
pub fn date(input: &str) -> Result<NaiveDate, Invalid> {
    let s = input.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().filter(|_| s.len() == 10).ok_or_else(|| {
        invalid(
            format!("'{s}' is not a date (expected yyyy-mm-dd, e.g. 2024-03-15)"),
            format!("'{s}' to nie jest data (rrrr-mm-dd, np. 2024-03-15)"),
        )
    })
}

/// A time of day written `hh:mm`.
pub fn time(input: &str) -> Result<NaiveTime, Invalid> {
    let s = input.trim();
    NaiveTime::parse_from_str(s, "%H:%M").map_err(|_| {
        invalid(
            format!("'{s}' is not a time (expected hh:mm, e.g. 09:30)"),
            format!("'{s}' to nie jest godzina (gg:mm, np. 09:30)"),
        )
    })
}

/// A duration in hours: a number greater than zero, at most 24, with `,` or `.`.
pub fn hours(input: &str) -> Result<f64, Invalid> {
    let s = input.trim();
    let h: f64 = s.replace(',', ".").parse().map_err(|_| {
        invalid(
            format!("'{s}' is not a number of hours (e.g. 1.5)"),
            format!("'{s}' to nie jest liczba godzin (np. 1,5)"),
        )
    })?;
    if !(h > 0.0 && h <= 24.0) {
        return Err(invalid(
            format!("hours must be more than 0 and at most 24, not {s}"),
            format!("liczba godzin musi być większa od 0 i najwyżej 24, nie {s}"),
        ));
    }
    Ok((h * 100.0).round() / 100.0)
}

/// A latitude or longitude in degrees.
pub fn coordinate(input: &str, what: &str, limit: f64) -> Result<f64, Invalid> {
    let s = input.trim();
    let v: f64 = s.replace(',', ".").parse().map_err(|_| {
        invalid(format!("'{s}' is not a {what} in degrees"), format!("'{s}' to nie jest współrzędna ({what})"))
    })?;
    if !(-limit..=limit).contains(&v) {
        return Err(invalid(
            format!("{what} must be between -{limit} and {limit}, not {s}"),
            format!("{what}: dozwolone od -{limit} do {limit}, nie {s}"),
        ));
    }
    Ok(v)
}

/// A non-empty name, trimmed, with inner runs of spaces collapsed.
pub fn name(input: &str) -> Result<String, Invalid> {
    let s = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() {
        return Err(invalid("the name is empty", "nazwa jest pusta"));
    }
    if s.chars().count() > 200 {
        return Err(invalid("the name is longer than 200 characters", "nazwa ma ponad 200 znaków"));
    }
    Ok(s)
}

/// Free text: trimmed; empty means "no value".
pub fn text(input: &str) -> Option<String> {
    let s = input.trim();
    (!s.is_empty()).then(|| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_with_and_without_prefix() {
        for ok in ["600100200", "600 100 200", "+48 600 100 200", "+48600100200", "0048 600-100-200", "(68) 384 10 20"]
        {
            assert!(phone(ok).is_ok(), "{ok}");
        }
        assert_eq!(phone("600100200").unwrap(), "+48 600 100 200");
        for bad in ["12345", "60010020a", "+49 600 100 200", ""] {
            assert!(phone(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails() {
        assert_eq!(email(" Anna.Kowalska@OPS.Dobiegniew.pl ").unwrap(), "anna.kowalska@ops.dobiegniew.pl");
        for bad in ["anna", "anna@", "@x.pl", "a b@x.pl", "a@x", "a@@x.pl", "a@x..pl"] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_hours_times() {
        assert!(date("2024-03-15").is_ok());
        for bad in ["2024-3-15", "15.03.2024", "2024-02-30", "jutro"] {
            let e = date(bad).unwrap_err();
            assert!(e.0.contains("yyyy-mm-dd"), "{e}");
        }
        assert_eq!(hours("1,5").unwrap(), 1.5);
        assert!(hours("0").is_err());
        assert!(hours("-2").is_err());
        assert!(hours("abc").is_err());
        assert!(time("09:30").is_ok());
        assert!(time("25:00").is_err());
    }

    #[test]
    fn names_are_normalised() {
        assert_eq!(name("  Anna   Kowalska ").unwrap(), "Anna Kowalska");
        assert!(name("   ").is_err());
    }
}

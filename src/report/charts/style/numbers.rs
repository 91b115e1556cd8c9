//! Tick steps and number formats: thousands separators, significant digits, percentages.

/// Rounds a raw step up to 1, 2 or 5 times a power of ten, or 25 times one (25, 250, …; never
/// 2.5 or 0.25, which read badly as tick steps).
pub fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    let residual = raw / magnitude;
    let factor = if residual <= 1.0 {
        1.0
    } else if residual <= 2.0 {
        2.0
    } else if residual <= 2.5 && magnitude >= 10.0 {
        2.5
    } else if residual <= 5.0 {
        5.0
    } else {
        10.0
    };
    factor * magnitude
}

/// Decimals needed to tell apart ticks `step` apart (0 for steps of 1 and more).
pub fn decimals_for_step(step: f64) -> usize {
    if !(step.is_finite() && step > 0.0) || step >= 1.0 {
        return 0;
    }
    (-step.log10().floor()).clamp(0.0, 12.0) as usize
}

/// `value` with `decimals` decimals, a comma between thousands and a true minus sign:
/// `1234567.891, 2` → `1,234,567.89`; `-0.001, 1` → `0.0`.
pub fn format_number(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return "–".to_string();
    }
    let digits = format!("{:.*}", decimals, value.abs());
    let (integer, fraction) = match digits.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (digits.as_str(), None),
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    let is_zero = digits.bytes().all(|b| b == b'0' || b == b'.');
    if value < 0.0 && !is_zero {
        out.push('−');
    }
    for (index, digit) in integer.chars().enumerate() {
        if index > 0 && (integer.len() - index) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if let Some(fraction) = fraction {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// A count or amount rounded to a readable number of significant digits for labels:
/// three significant digits, never fewer than zero decimals (`12345.6` → `12,346`,
/// `0.41528` → `0.415`).
pub fn format_value(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return format_number(value, 0);
    }
    let magnitude = value.abs().log10().floor();
    let decimals = (2.0 - magnitude).clamp(0.0, 6.0) as usize;
    format_number(value, decimals)
}

/// A probability as a percentage without decimals: `0.756` → `76%`.
pub fn format_percent(probability: f64) -> String {
    format!("{}%", format_number(probability * 100.0, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(format_number(0.0, 0), "0");
        assert_eq!(format_number(999.0, 0), "999");
        assert_eq!(format_number(1000.0, 0), "1,000");
        assert_eq!(format_number(1_234_567.891, 2), "1,234,567.89");
        assert_eq!(format_number(-12_345.0, 0), "−12,345");
        assert_eq!(format_number(-0.001, 1), "0.0");
        assert_eq!(format_number(100_000.0, 0), "100,000");
        assert_eq!(format_number(0.30000000000000004, 1), "0.3");
        assert_eq!(format_number(f64::NAN, 0), "–");
    }

    #[test]
    fn significant_digits() {
        assert_eq!(format_value(12_345.6), "12,346");
        assert_eq!(format_value(0.41528), "0.415");
        assert_eq!(format_value(878.4), "878");
        assert_eq!(format_value(12.34), "12.3");
        assert_eq!(format_value(0.0), "0");
        assert_eq!(format_percent(0.756), "76%");
    }

    #[test]
    fn steps_are_one_two_five() {
        assert_eq!(nice_step(0.7), 1.0);
        assert_eq!(nice_step(1.3), 2.0);
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(7.0), 10.0);
        assert_eq!(nice_step(230.0), 250.0);
        assert_eq!(nice_step(260.0), 500.0);
        assert_eq!(nice_step(2.3), 5.0);
        assert!((nice_step(0.03) - 0.05).abs() < 1e-15);
        assert_eq!(decimals_for_step(0.05), 2);
        assert_eq!(decimals_for_step(0.2), 1);
        assert_eq!(decimals_for_step(5.0), 0);
    }
}

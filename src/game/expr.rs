//! Arithmetic expressions of a game file's parameters: numbers, names, `+ - * / ^`, parentheses and
//! unary minus, with the usual precedence (`^` binds tightest and associates to the right). Errors
//! give the position and what was expected.

/// A parsed expression over named variables (indices into a slice of values).
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Number(f64),
    Variable(usize),
    Negate(Box<Expr>),
    Binary(Box<Expr>, char, Box<Expr>),
}

impl Expr {
    pub fn eval(&self, values: &[f64]) -> f64 {
        match self {
            Expr::Number(v) => *v,
            Expr::Variable(i) => values[*i],
            Expr::Negate(e) => -e.eval(values),
            Expr::Binary(a, op, b) => {
                let (a, b) = (a.eval(values), b.eval(values));
                match op {
                    '+' => a + b,
                    '-' => a - b,
                    '*' => a * b,
                    '/' => a / b,
                    _ => a.powf(b),
                }
            }
        }
    }
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    names: &'a [String],
    depth: usize,
}

/// Where an expression stops making sense, by column (1-based).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExprError {
    #[error("at column {column}: expected {expected}, found {found}")]
    Unexpected {
        column: usize,
        expected: String,
        found: String,
    },
    #[error("at column {column}: `{text}` is not a number")]
    NotANumber { column: usize, text: String },
    #[error("at column {column}: unknown name `{name}`; known: {known}")]
    UnknownName {
        column: usize,
        name: String,
        known: String,
    },
    #[error(
        "at column {column}: nested deeper than {MAX_DEPTH} levels of parentheses, signs or powers"
    )]
    TooDeep { column: usize },
    #[error("{length} characters; an expression has at most {MAX_LENGTH}")]
    TooLong { length: usize },
}

/// Deepest nesting of parentheses, unary signs and powers an expression may have.
pub const MAX_DEPTH: usize = 64;
/// Longest expression, in characters (it bounds the terms of a sum or product, and so the depth of
/// its evaluation).
pub const MAX_LENGTH: usize = 10_000;

/// Parse `text`, resolving names against `names`. The error names the column and what was expected.
pub fn parse(text: &str, names: &[String]) -> Result<Expr, ExprError> {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() > MAX_LENGTH {
        return Err(ExprError::TooLong {
            length: chars.len(),
        });
    }
    let mut p = Parser {
        chars,
        pos: 0,
        names,
        depth: 0,
    };
    let e = p.sum()?;
    p.skip_space();
    if p.pos < p.chars.len() {
        return Err(p.error("an operator (+ - * / ^) or the end"));
    }
    Ok(e)
}

impl Parser<'_> {
    fn error(&self, expected: &str) -> ExprError {
        let found = self
            .chars
            .get(self.pos)
            .map_or("the end".to_string(), |c| format!("`{c}`"));
        ExprError::Unexpected {
            column: self.pos + 1,
            expected: expected.into(),
            found,
        }
    }

    fn skip_space(&mut self) {
        while self.chars.get(self.pos).is_some_and(|c| c.is_whitespace()) {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_space();
        self.chars.get(self.pos).copied()
    }

    fn sum(&mut self) -> Result<Expr, ExprError> {
        let mut left = self.product()?;
        while let Some(op @ ('+' | '-')) = self.peek() {
            self.pos += 1;
            left = Expr::Binary(Box::new(left), op, Box::new(self.product()?));
        }
        Ok(left)
    }

    fn product(&mut self) -> Result<Expr, ExprError> {
        let mut left = self.unary()?;
        while let Some(op @ ('*' | '/')) = self.peek() {
            self.pos += 1;
            left = Expr::Binary(Box::new(left), op, Box::new(self.unary()?));
        }
        Ok(left)
    }

    /// Every level of nesting passes through here: parentheses, signs and powers.
    fn unary(&mut self) -> Result<Expr, ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ExprError::TooDeep {
                column: self.pos + 1,
            });
        }
        let e = self.signed();
        self.depth -= 1;
        e
    }

    fn signed(&mut self) -> Result<Expr, ExprError> {
        match self.peek() {
            Some('-') => {
                self.pos += 1;
                Ok(Expr::Negate(Box::new(self.unary()?)))
            }
            Some('+') => {
                self.pos += 1;
                self.unary()
            }
            _ => self.power(),
        }
    }

    fn power(&mut self) -> Result<Expr, ExprError> {
        let base = self.atom()?;
        if self.peek() == Some('^') {
            self.pos += 1;
            let exponent = self.unary()?;
            return Ok(Expr::Binary(Box::new(base), '^', Box::new(exponent)));
        }
        Ok(base)
    }

    fn atom(&mut self) -> Result<Expr, ExprError> {
        match self.peek() {
            Some('(') => {
                self.pos += 1;
                let e = self.sum()?;
                if self.peek() != Some(')') {
                    return Err(self.error("`)`"));
                }
                self.pos += 1;
                Ok(e)
            }
            Some(c) if c.is_ascii_digit() || c == '.' => {
                let start = self.pos;
                while self
                    .chars
                    .get(self.pos)
                    .is_some_and(|c| c.is_ascii_digit() || *c == '.')
                {
                    self.pos += 1;
                }
                // Exponent part, e.g. 1e-3.
                if self
                    .chars
                    .get(self.pos)
                    .is_some_and(|c| *c == 'e' || *c == 'E')
                    && self
                        .chars
                        .get(self.pos + 1)
                        .is_some_and(|c| c.is_ascii_digit() || *c == '-' || *c == '+')
                {
                    self.pos += 2;
                    while self.chars.get(self.pos).is_some_and(|c| c.is_ascii_digit()) {
                        self.pos += 1;
                    }
                }
                let text: String = self.chars[start..self.pos].iter().collect();
                text.parse()
                    .map(Expr::Number)
                    .map_err(|_| ExprError::NotANumber {
                        column: start + 1,
                        text: text.clone(),
                    })
            }
            Some(c) if c.is_alphabetic() || c == '_' => {
                let start = self.pos;
                while self
                    .chars
                    .get(self.pos)
                    .is_some_and(|c| c.is_alphanumeric() || *c == '_')
                {
                    self.pos += 1;
                }
                let name: String = self.chars[start..self.pos].iter().collect();
                self.names
                    .iter()
                    .position(|n| *n == name)
                    .map(Expr::Variable)
                    .ok_or_else(|| ExprError::UnknownName {
                        column: start + 1,
                        name: name.clone(),
                        known: self.names.join(", "),
                    })
            }
            _ => Err(self.error("a number, a name or `(`")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(text: &str) -> Result<f64, ExprError> {
        let names = vec!["a".to_string(), "b_2".to_string()];
        parse(text, &names).map(|e| e.eval(&[3.0, 0.5]))
    }

    #[test]
    fn precedence_associativity_and_unary_minus() {
        assert_eq!(eval("1 + 2 * 3").unwrap(), 7.0);
        assert_eq!(eval("(1 + 2) * 3").unwrap(), 9.0);
        assert_eq!(eval("2 ^ 3 ^ 2").unwrap(), 512.0);
        assert_eq!(eval("-a ^ 2").unwrap(), -9.0);
        assert_eq!(eval("a - b_2 - 1").unwrap(), 1.5);
        assert_eq!(eval("a / 2 / 3").unwrap(), 0.5);
        assert_eq!(eval("1e-1 * 10 + 2.5E1").unwrap(), 26.0);
        assert_eq!(eval("(1-a)*(1-b_2)*-2").unwrap(), 2.0);
    }

    #[test]
    fn errors_name_the_column_and_what_was_expected() {
        let message = |text: &str| eval(text).unwrap_err().to_string();
        assert!(message("1 +").contains("column 4"));
        assert!(message("(a + 1").contains("`)`"));
        assert_eq!(
            eval("a * beta").unwrap_err(),
            ExprError::UnknownName {
                column: 5,
                name: "beta".into(),
                known: "a, b_2".into()
            }
        );
        assert!(message("a * beta").contains("unknown name `beta`; known: a, b_2"));
        assert!(message("2 3").contains("an operator"));
        assert!(matches!(
            eval("1.2.3").unwrap_err(),
            ExprError::NotANumber { column: 1, .. }
        ));
    }

    #[test]
    fn deep_nesting_and_huge_sums_are_refused_before_they_exhaust_the_stack() {
        let deep = format!("{}1{}", "(".repeat(20_000), ")".repeat(20_000));
        assert!(matches!(
            eval(&deep).unwrap_err(),
            ExprError::TooLong { .. }
        ));
        let nested = format!(
            "{}1{}",
            "(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        );
        assert!(matches!(
            eval(&nested).unwrap_err(),
            ExprError::TooDeep { .. }
        ));
        let signs = format!("{}1", "-".repeat(MAX_DEPTH + 1));
        assert!(matches!(
            eval(&signs).unwrap_err(),
            ExprError::TooDeep { .. }
        ));
        let ok = format!(
            "{}1{}",
            "(".repeat(MAX_DEPTH - 1),
            ")".repeat(MAX_DEPTH - 1)
        );
        assert_eq!(eval(&ok).unwrap(), 1.0);
        let sum = vec!["a"; 300_000].join("+");
        assert!(matches!(eval(&sum).unwrap_err(), ExprError::TooLong { .. }));
        let long_sum = vec!["1"; MAX_LENGTH / 2].join("+");
        assert_eq!(eval(&long_sum).unwrap(), (MAX_LENGTH / 2) as f64);
    }
}

//! Expressions: Kconfig's `!`, `&&`, `||`, comparisons, evaluated by bluegen.
//!
//! nom-kconfig parses expressions into its own tree; [`Expr::from_kconfig`]
//! turns that into this smaller one, which can be evaluated against the
//! current values, printed back as Kconfig text, and asked which symbols make
//! it false (for "dependencies unmet" messages).

use std::collections::HashMap;
use std::fmt;

use nom_kconfig::attribute::expression::{AndExpression, Atom, CompareOperand, CompareOperator, OrExpression, Term};
use nom_kconfig::symbol::{ConstantSymbol, Symbol as KSymbol};

use super::Value;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A Kconfig expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `y`, `n`, a number or a string.
    Const(Value),
    /// A symbol reference (upper-case name).
    Sym(String),
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Cmp(Cmp, Box<Expr>, Box<Expr>),
}

/// The current value of every symbol (absent: not set, which reads as `n`).
pub type Values = HashMap<String, Value>;

impl Expr {
    pub const TRUE: Expr = Expr::Const(Value::Bool(true));

    /// Converts nom-kconfig's expression tree.
    pub fn from_kconfig(e: &OrExpression) -> Expr {
        match e {
            OrExpression::Term(a) => Self::from_and(a),
            OrExpression::Expression(v) => Expr::Or(v.iter().map(Self::from_and).collect()),
        }
    }

    fn from_and(e: &AndExpression) -> Expr {
        match e {
            AndExpression::Term(t) => Self::from_term(t),
            AndExpression::Expression(v) => Expr::And(v.iter().map(Self::from_term).collect()),
        }
    }

    fn from_term(t: &Term) -> Expr {
        match t {
            Term::Not(a) => Expr::Not(Box::new(Self::from_atom(a))),
            Term::Atom(a) => Self::from_atom(a),
        }
    }

    fn from_atom(a: &Atom) -> Expr {
        match a {
            Atom::Symbol(s) => Self::from_symbol(s),
            Atom::Parenthesis(e) => Self::from_kconfig(e),
            Atom::Compare(c) => {
                let op = match c.operator {
                    CompareOperator::Equal => Cmp::Eq,
                    CompareOperator::NotEqual => Cmp::Ne,
                    CompareOperator::LowerThan => Cmp::Lt,
                    CompareOperator::LowerOrEqual => Cmp::Le,
                    CompareOperator::GreaterThan => Cmp::Gt,
                    CompareOperator::GreaterOrEqual => Cmp::Ge,
                };
                Expr::Cmp(op, Box::new(Self::from_operand(&c.left)), Box::new(Self::from_operand(&c.right)))
            }
            // Macros ($(...)) have no meaning without a Kconfig preprocessor: false.
            _ => Expr::Const(Value::Bool(false)),
        }
    }

    fn from_operand(o: &CompareOperand) -> Expr {
        match o {
            CompareOperand::Symbol(s) => Self::from_symbol(s),
            _ => Expr::Const(Value::Str(String::new())),
        }
    }

    /// A symbol or constant as an expression; `y`/`n`/`m` are booleans.
    pub fn from_symbol(s: &KSymbol) -> Expr {
        match s {
            KSymbol::NonConstant(name) => match name.as_str() {
                "y" => Expr::Const(Value::Bool(true)),
                "n" | "m" => Expr::Const(Value::Bool(false)),
                _ => match name.parse::<i64>() {
                    Ok(n) => Expr::Const(Value::Int(n)),
                    Err(_) => Expr::Sym(name.clone()),
                },
            },
            KSymbol::Constant(c) => Expr::Const(match c {
                ConstantSymbol::Integer(n) => Value::Int(*n),
                ConstantSymbol::Hex(h) => Value::Hex(parse_hex(h).unwrap_or(0)),
                ConstantSymbol::Boolean(b) => Value::Bool(*b),
                ConstantSymbol::String(s) => match s.as_str() {
                    "y" => Value::Bool(true),
                    "n" => Value::Bool(false),
                    _ => Value::Str(s.clone()),
                },
                ConstantSymbol::Tristate(t) => Value::Bool(matches!(t, nom_kconfig::tristate::Tristate::Yes)),
            }),
        }
    }

    /// The value of the expression.
    pub fn value(&self, values: &Values) -> Value {
        match self {
            Expr::Const(v) => v.clone(),
            Expr::Sym(name) => values.get(name).cloned().unwrap_or(Value::Bool(false)),
            Expr::Not(e) => Value::Bool(!e.truth(values)),
            Expr::And(v) => Value::Bool(v.iter().all(|e| e.truth(values))),
            Expr::Or(v) => Value::Bool(v.iter().any(|e| e.truth(values))),
            Expr::Cmp(op, l, r) => Value::Bool(compare(*op, &l.value(values), &r.value(values))),
        }
    }

    /// The expression as a condition: only `y` is true.
    pub fn truth(&self, values: &Values) -> bool {
        matches!(self.value(values), Value::Bool(true))
    }

    /// The symbols this expression reads.
    pub fn symbols(&self, out: &mut Vec<String>) {
        match self {
            Expr::Const(_) => {}
            Expr::Sym(s) => {
                if !out.contains(s) {
                    out.push(s.clone());
                }
            }
            Expr::Not(e) => e.symbols(out),
            Expr::And(v) | Expr::Or(v) => v.iter().for_each(|e| e.symbols(out)),
            Expr::Cmp(_, l, r) => {
                l.symbols(out);
                r.symbols(out);
            }
        }
    }

    /// For a false `a && b && …`: the bool symbols that, set to y, would make
    /// it true (`None` when that is not how to fix it).
    pub fn fix(&self, values: &Values) -> Option<Vec<(String, bool)>> {
        let parts: Vec<&Expr> = match self {
            Expr::And(v) => v.iter().collect(),
            e => vec![e],
        };
        let mut out = Vec::new();
        for p in parts.into_iter().filter(|p| !p.truth(values)) {
            match p {
                Expr::Sym(s) => out.push((s.clone(), true)),
                Expr::Not(inner) => match inner.as_ref() {
                    Expr::Sym(s) => out.push((s.clone(), false)),
                    _ => return None,
                },
                _ => return None,
            }
        }
        Some(out)
    }

    /// The conjunction of `self` and `other`, flattened.
    pub fn and(self, other: Expr) -> Expr {
        match (self, other) {
            (Expr::Const(Value::Bool(true)), e) | (e, Expr::Const(Value::Bool(true))) => e,
            (Expr::And(mut a), Expr::And(b)) => {
                a.extend(b);
                Expr::And(a)
            }
            (Expr::And(mut a), e) => {
                a.push(e);
                Expr::And(a)
            }
            (e, Expr::And(mut b)) => {
                b.insert(0, e);
                Expr::And(b)
            }
            (a, b) => Expr::And(vec![a, b]),
        }
    }

    pub fn is_true_const(&self) -> bool {
        *self == Expr::TRUE
    }
}

/// `=`, `!=`, `<`, …: numerically when both sides are numbers, else as text.
fn compare(op: Cmp, l: &Value, r: &Value) -> bool {
    let ord = match (l.as_number(), r.as_number()) {
        (Some(a), Some(b)) => a.cmp(&b),
        _ => l.as_text().cmp(&r.as_text()),
    };
    match op {
        Cmp::Eq => ord.is_eq(),
        Cmp::Ne => ord.is_ne(),
        Cmp::Lt => ord.is_lt(),
        Cmp::Le => ord.is_le(),
        Cmp::Gt => ord.is_gt(),
        Cmp::Ge => ord.is_ge(),
    }
}

/// "0x1F" or "1F" as a number.
pub fn parse_hex(s: &str) -> Option<u64> {
    let s = s.trim();
    let digits = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")).unwrap_or(s);
    u64::from_str_radix(&digits.replace('_', ""), 16).ok()
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let paren = |e: &Expr| matches!(e, Expr::And(_) | Expr::Or(_));
        match self {
            Expr::Const(v) => write!(f, "{}", v.kconfig_text()),
            Expr::Sym(s) => f.write_str(s),
            Expr::Not(e) if paren(e) => write!(f, "!({e})"),
            Expr::Not(e) => write!(f, "!{e}"),
            Expr::And(v) | Expr::Or(v) => {
                let sep = if matches!(self, Expr::And(_)) { " && " } else { " || " };
                for (i, e) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(sep)?;
                    }
                    if matches!(self, Expr::And(_)) && matches!(e, Expr::Or(_)) {
                        write!(f, "({e})")?;
                    } else {
                        write!(f, "{e}")?;
                    }
                }
                Ok(())
            }
            Expr::Cmp(op, l, r) => {
                let op = match op {
                    Cmp::Eq => "=",
                    Cmp::Ne => "!=",
                    Cmp::Lt => "<",
                    Cmp::Le => "<=",
                    Cmp::Gt => ">",
                    Cmp::Ge => ">=",
                };
                write!(f, "{l} {op} {r}")
            }
        }
    }
}

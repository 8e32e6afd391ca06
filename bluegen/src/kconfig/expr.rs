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

use nom_kconfig::tristate::Tristate;

use super::Value;

/// Tristate's `m`, kept as a symbol so that the tree can warn about it; it
/// reads as `y` (bluegen has no loadable modules, so `m` means built in).
pub const MODULE: &str = "m";

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

    /// A symbol or constant as an expression; `y`/`n` are booleans and `m`
    /// (tristate's "module") is kept as [`MODULE`], which reads as `y`.
    pub fn from_symbol(s: &KSymbol) -> Expr {
        match s {
            KSymbol::NonConstant(name) => match name.as_str() {
                "y" => Expr::Const(Value::Bool(true)),
                "n" => Expr::Const(Value::Bool(false)),
                MODULE => Expr::Sym(MODULE.into()),
                _ => match name.parse::<i64>() {
                    Ok(n) => Expr::Const(Value::Int(n)),
                    Err(_) if name.starts_with("0x") || name.starts_with("0X") => {
                        parse_hex(name).map_or_else(|| Expr::Sym(name.clone()), |h| Expr::Const(Value::Hex(h)))
                    }
                    Err(_) => Expr::Sym(name.clone()),
                },
            },
            KSymbol::Constant(c) => match c {
                ConstantSymbol::Integer(n) => Expr::Const(Value::Int(*n)),
                ConstantSymbol::Hex(h) => Expr::Const(Value::Hex(parse_hex(h).unwrap_or(0))),
                ConstantSymbol::Boolean(b) => Expr::Const(Value::Bool(*b)),
                ConstantSymbol::String(s) => Expr::Const(match s.as_str() {
                    "y" => Value::Bool(true),
                    "n" => Value::Bool(false),
                    _ => Value::Str(s.clone()),
                }),
                ConstantSymbol::Tristate(Tristate::Yes) => Expr::TRUE,
                ConstantSymbol::Tristate(Tristate::No) => Expr::Const(Value::Bool(false)),
                ConstantSymbol::Tristate(Tristate::Module) => Expr::Sym(MODULE.into()),
            },
        }
    }

    /// Whether the expression uses tristate's `m`.
    pub fn mentions_module(&self) -> bool {
        match self {
            Expr::Const(_) => false,
            Expr::Sym(s) => s == MODULE,
            Expr::Not(e) => e.mentions_module(),
            Expr::And(v) | Expr::Or(v) => v.iter().any(Expr::mentions_module),
            Expr::Cmp(_, l, r) => l.mentions_module() || r.mentions_module(),
        }
    }

    /// The value of the expression.
    pub fn value(&self, values: &Values) -> Value {
        match self {
            Expr::Const(v) => v.clone(),
            Expr::Sym(name) if name == MODULE => Value::Bool(true),
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
                if s != MODULE && !out.contains(s) {
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

    /// The symbols that make a false expression false: for `a && b && …`
    /// those of the false parts, otherwise all it reads.
    pub fn culprits(&self, values: &Values) -> Vec<String> {
        let mut out = Vec::new();
        match self {
            Expr::And(v) => v.iter().filter(|e| !e.truth(values)).for_each(|e| e.symbols(&mut out)),
            e => e.symbols(&mut out),
        }
        out
    }

    /// For a false expression: assignments (symbol, value) that make it true,
    /// as few as can be found by looking at `&&`, `||`, `!` and comparisons
    /// of a symbol with a constant (`None` when it cannot tell).
    pub fn fix(&self, values: &Values) -> Option<Vec<(String, Value)>> {
        if self.truth(values) {
            return Some(Vec::new());
        }
        match self {
            Expr::Sym(s) => Some(vec![(s.clone(), Value::Bool(true))]),
            Expr::Not(inner) => match inner.as_ref() {
                Expr::Sym(s) => Some(vec![(s.clone(), Value::Bool(false))]),
                Expr::Cmp(op, l, r) => Expr::Cmp(op.negate(), l.clone(), r.clone()).fix(values),
                _ => None,
            },
            Expr::And(v) => {
                let mut out: Vec<(String, Value)> = Vec::new();
                for part in v {
                    for (name, value) in part.fix(values)? {
                        match out.iter().find(|(n, _)| *n == name) {
                            Some((_, v)) if *v != value => return None,
                            Some(_) => {}
                            None => out.push((name, value)),
                        }
                    }
                }
                Some(out)
            }
            Expr::Or(v) => v.iter().filter_map(|e| e.fix(values)).min_by_key(Vec::len),
            Expr::Cmp(op, l, r) => match (l.as_ref(), r.as_ref()) {
                (Expr::Sym(s), Expr::Const(c)) => op.satisfy(c).map(|v| vec![(s.clone(), v)]),
                (Expr::Const(c), Expr::Sym(s)) => op.flip().satisfy(c).map(|v| vec![(s.clone(), v)]),
                _ => None,
            },
            Expr::Const(_) => None,
        }
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

impl Cmp {
    /// The operator of the negated comparison: `!(a < b)` is `a >= b`.
    fn negate(self) -> Cmp {
        match self {
            Cmp::Eq => Cmp::Ne,
            Cmp::Ne => Cmp::Eq,
            Cmp::Lt => Cmp::Ge,
            Cmp::Le => Cmp::Gt,
            Cmp::Gt => Cmp::Le,
            Cmp::Ge => Cmp::Lt,
        }
    }

    /// The operator with its operands swapped: `a < b` is `b > a`.
    fn flip(self) -> Cmp {
        match self {
            Cmp::Lt => Cmp::Gt,
            Cmp::Le => Cmp::Ge,
            Cmp::Gt => Cmp::Lt,
            Cmp::Ge => Cmp::Le,
            op => op,
        }
    }

    /// A value `v` for which `v <op> c` holds, if one is obvious.
    fn satisfy(self, c: &Value) -> Option<Value> {
        let step = |n: i128| match c {
            Value::Int(_) => i64::try_from(n).ok().map(Value::Int),
            Value::Hex(_) => u64::try_from(n).ok().map(Value::Hex),
            _ => None,
        };
        match (self, c) {
            (Cmp::Eq | Cmp::Le | Cmp::Ge, c) => Some(c.clone()),
            (Cmp::Ne, Value::Bool(b)) => Some(Value::Bool(!b)),
            (Cmp::Lt, c) => step(c.as_number()? - 1),
            (Cmp::Gt, c) => step(c.as_number()? + 1),
            _ => None,
        }
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
            Expr::Not(e) if paren(e) || matches!(**e, Expr::Cmp(..)) => write!(f, "!({e})"),
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

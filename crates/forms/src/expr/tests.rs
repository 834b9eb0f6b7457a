use super::*;
use rust_decimal::Decimal;
use std::collections::HashMap;

struct Vars(HashMap<String, Value>);

impl Env for Vars {
    fn lookup(&self, path: &[String]) -> Value {
        self.0.get(&path.join(".")).cloned().unwrap_or(Value::Null)
    }
    fn today(&self) -> (i32, u32, u32) {
        (2026, 11, 28)
    }
}

fn env(pairs: &[(&str, Value)]) -> Vars {
    Vars(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
}

fn num(s: &str) -> Value {
    Value::Num(s.parse().unwrap())
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

fn eval(src: &str, e: &Vars) -> Value {
    Expr::parse(src)
        .unwrap_or_else(|err| panic!("{src}: {err}"))
        .eval(e)
        .unwrap_or_else(|err| panic!("{src}: {err}"))
}

#[test]
fn arithmetic_is_exact_decimal_with_usual_precedence() {
    let e = env(&[]);
    assert_eq!(
        eval("0.1 + 0.2", &e),
        num("0.3"),
        "no binary floating point"
    );
    assert_eq!(eval("2 + 3 * 4", &e), num("14"));
    assert_eq!(eval("(2 + 3) * 4", &e), num("20"));
    assert_eq!(eval("-2 * -3", &e), num("6"));
    assert_eq!(eval("7 % 3", &e), num("1"));
    assert_eq!(
        eval("1 / 0", &e),
        Value::Null,
        "division by zero is no value, not a crash"
    );
    assert_eq!(eval("round(2.345, 2)", &e), num("2.35"));
}

#[test]
fn field_values_typed_as_german_text_count_as_numbers() {
    let e = env(&[("gebuehr", text("1.234,50")), ("anzahl", text("3"))]);
    assert_eq!(eval("gebuehr * anzahl", &e), num("3703.50"));
    assert_eq!(eval("gebuehr > 1000", &e), Value::Bool(true));
}

#[test]
fn null_propagates_and_comparisons_with_null_are_false() {
    let e = env(&[]);
    assert_eq!(eval("leer + 1", &e), Value::Null);
    assert_eq!(eval("leer > 1", &e), Value::Bool(false));
    assert_eq!(eval("leer < 1", &e), Value::Bool(false));
    assert_eq!(eval("leer = null", &e), Value::Bool(true));
    assert_eq!(eval("empty(leer)", &e), Value::Bool(true));
    assert_eq!(
        eval("not leer", &e),
        Value::Bool(true),
        "null counts as false in conditions"
    );
}

#[test]
fn relevance_and_cross_field_rules_read_like_the_form() {
    let e = env(&[
        ("art", text("verein")),
        ("mitglieder", num("12")),
        ("beginn", text("2026-06-01")),
        ("ende", text("2026-06-03")),
    ]);
    assert_eq!(
        eval("art = 'verein' and mitglieder >= 7", &e),
        Value::Bool(true)
    );
    assert_eq!(
        eval("ende >= beginn", &e),
        Value::Bool(true),
        "ISO dates order as text"
    );
    assert_eq!(eval("days_between(beginn, ende)", &e), num("2"));
    assert_eq!(eval("if(art = 'verein', 'e.V.', '')", &e), text("e.V."));
    assert_eq!(
        eval("'Az. ' & 530.12 & '/' & mitglieder", &e),
        text("Az. 530.12/12")
    );
}

#[test]
fn dates_ages_and_today_come_from_the_caller() {
    let e = env(&[
        ("geburt", text("2008-11-29")),
        ("geburt2", text("2008-11-28")),
    ]);
    assert_eq!(eval("today()", &e), text("2026-11-28"));
    assert_eq!(
        eval("years_between(geburt, today())", &e),
        num("17"),
        "birthday tomorrow"
    );
    assert_eq!(
        eval("years_between(geburt2, today())", &e),
        num("18"),
        "birthday today"
    );
    assert_eq!(
        eval("days_between('2024-02-28', '2024-03-01')", &e),
        num("2"),
        "leap year"
    );
    let err = Expr::parse("days_between('28.02.2024', today())")
        .unwrap()
        .eval(&e)
        .unwrap_err();
    assert!(err.message.contains("28.02.2024"), "{err}");
}

#[test]
fn repeat_group_columns_aggregate() {
    let e = env(&[(
        "stände.fläche",
        Value::List(vec![num("2.5"), Value::Null, text("4")]),
    )]);
    assert_eq!(eval("sum(stände.fläche)", &e), num("6.5"));
    assert_eq!(
        eval("count(stände.fläche)", &e),
        num("2"),
        "empty rows do not count"
    );
    assert_eq!(eval("max(stände.fläche)", &e), num("4"));
    assert_eq!(eval("len(stände.fläche)", &e), num("3"));
}

#[test]
fn patterns_and_choices() {
    let e = env(&[
        ("plz", text("48143")),
        ("sprachen", Value::List(vec![text("de"), text("tr")])),
    ]);
    assert_eq!(eval("matches(plz, '[0-9]{5}')", &e), Value::Bool(true));
    assert_eq!(
        eval("matches(plz, '[0-9]{4}')", &e),
        Value::Bool(false),
        "anchored"
    );
    assert_eq!(eval("contains(sprachen, 'tr')", &e), Value::Bool(true));
    assert_eq!(eval("contains(sprachen, 'ar')", &e), Value::Bool(false));
}

#[test]
fn parse_errors_name_the_position_and_the_problem() {
    let cases = [
        ("1 +", 3, "ends too early"),
        ("a = = b", 4, "unexpected '='"),
        ("foo(1)", 0, "unknown function 'foo'"),
        ("if(a, b)", 0, "takes 3 argument(s), not 2"),
        ("'offen", 0, "not closed"),
        ("a ! b", 2, "use 'not'"),
        ("matches(a, b)", 0, "literal text"),
        ("matches(a, '(')", 0, "invalid pattern"),
        ("(1 + 2", 6, "expected ')'"),
        ("a b", 2, "unexpected 'b'"),
        ("1 # 2", 2, "unexpected character '#'"),
    ];
    for (src, pos, msg) in cases {
        let e = Expr::parse(src).expect_err(src);
        assert_eq!(e.pos, pos, "{src}: {e}");
        assert!(e.message.contains(msg), "{src}: {e}");
    }
}

#[test]
fn hostile_expressions_are_bounded() {
    let deep = format!("{}1{}", "(".repeat(200), ")".repeat(200));
    let e = Expr::parse(&deep).unwrap_err();
    assert!(e.message.contains("nested deeper"), "{e}");
    let negs = format!("{}1", "-".repeat(200));
    assert!(Expr::parse(&negs).is_err(), "unary chains count as depth");
    let long = "1 + ".repeat(2000) + "1";
    assert!(Expr::parse(&long)
        .unwrap_err()
        .message
        .contains("at most 4096"));
    // A huge list in a field cannot make evaluation unbounded.
    let big = env(&[("x", Value::List(vec![num("1"); MAX_STEPS + 1]))]);
    let err = Expr::parse("sum(x)").unwrap().eval(&big).unwrap_err();
    assert!(err.message.contains("steps"), "{err}");
    // Exponential regex patterns are refused at parse time or run in linear time.
    let evil = Expr::parse("matches(a, '(a+)+$')").unwrap();
    let e = env(&[("a", text(&("a".repeat(5000) + "!")))]);
    assert_eq!(evil.eval(&e).unwrap(), Value::Bool(false));
}

#[test]
fn type_errors_are_reported_not_guessed() {
    let e = env(&[("ja", Value::Bool(true))]);
    let err = Expr::parse("ja + 1").unwrap().eval(&e).unwrap_err();
    assert!(
        err.message.contains("expected a number, got yes/no"),
        "{err}"
    );
    let err = Expr::parse("if('x', 1, 2)").unwrap().eval(&e).unwrap_err();
    assert!(err.message.contains("expected yes/no"), "{err}");
}

#[test]
fn references_lists_every_field_read() {
    let e = Expr::parse("a.b > 1 and sum(c.d) < e").unwrap();
    let refs: Vec<String> = e.references().iter().map(|p| p.join(".")).collect();
    assert_eq!(refs, ["a.b", "c.d", "e"]);
    assert_eq!(Decimal::from(3), "3".parse::<Decimal>().unwrap());
}

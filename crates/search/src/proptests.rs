//! Property tests: whatever a reader types that parses, the index answers.

use super::tests::doc;
use super::*;
use marquee_domain::search::parse;

proptest::proptest! {
    /// Whatever a reader types that parses, the index answers it (no syntax of its own
    /// can be reached: prefixes become escaped patterns) and marks stay paired.
    #[test]
    fn every_parsed_query_is_answered(q in "[a-zA-Z0-9éİ日本 \"*().+?|\\\\\\[\\]{}^$-]{1,40}") {
        let Ok(parsed) = parse(&q) else { return Ok(()) };
        let index = SearchIndex::open(None).unwrap();
        index.apply(false, &[], &[doc(1, "Rust and Bone (2012)", "A film. ab* [x] {y} a.b+c", 10)], "e 1").unwrap();
        let answered = index.search(&parsed, &Filter::default(), 20, 10, 0);
        proptest::prop_assert!(answered.is_ok(), "{:?}", answered.err());
        let marked = index.snippet(&parsed, "Rust and Bone (2012) ab* [x] {y} a.b+c");
        proptest::prop_assert_eq!(marked.matches(MARK_START).count(), marked.matches(MARK_END).count());
    }
}
